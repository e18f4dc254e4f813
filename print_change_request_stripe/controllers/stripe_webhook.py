import json
import logging

import psycopg2
from werkzeug.wrappers import Response

from odoo import http
from odoo.addons.payment_stripe.controllers.main import StripeController
from odoo.exceptions import UserError
from odoo.http import request
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY

from ..lib import stripe_refunds

_logger = logging.getLogger(__name__)


def _answer(status, message):
    return Response(
        json.dumps({"message": message}), status=status, content_type="application/json"
    )


class StripeRefundWebhook(http.Controller):
    """Stripe refund events: a refund that went through, or failed, after our request, or a
    refund made outside Odoo on one of its payments (recorded and flagged, see
    ``print.refund._stripe_reconcile_payment``).

    Answers 400 to an unsigned, badly signed, future-dated or malformed payload (nothing
    changes).  Refunds of payments this database does not know, and events of other types,
    are acknowledged (200) and ignored.  While another user works on the same order the
    answer is 409, and a processing error rolls back and answers 500: Stripe sends the event
    again later.  Concurrent-update conflicts are left to Odoo, which retries the request."""

    _webhook_url = "/print_change_request/stripe/webhook"

    @http.route(_webhook_url, type="http", auth="public", methods=["POST"], csrf=False)
    def stripe_refund_webhook(self):
        payload = request.httprequest.get_data()
        signature = request.httprequest.headers.get("Stripe-Signature")
        env = request.env(su=True)
        secrets = (
            env["payment.provider"].search([("code", "=", "stripe")])._print_webhook_secrets()
        )
        try:
            event = stripe_refunds.verify_event(payload, signature, secrets)
            refund_objects = stripe_refunds.refunds_in_event(event)
        except stripe_refunds.InvalidEvent as error:
            _logger.warning("Stripe refund webhook: rejected payload (%s)", error)
            return _answer(400, "invalid payload or signature")
        if not refund_objects:
            return _answer(200, "ignored")
        try:
            refunds = env["print.refund"]._handle_stripe_refund_objects(refund_objects)
        except psycopg2.OperationalError as error:
            if error.pgcode in PG_CONCURRENCY_ERRORS_TO_RETRY:
                raise  # Odoo retries the whole request on a fresh transaction
            env.cr.rollback()
            _logger.exception(
                "Stripe refund webhook: event %s could not be processed", event.get("id")
            )
            return _answer(500, "processing error")
        except UserError as error:  # another user holds the order: Stripe retries later
            env.cr.rollback()
            _logger.info("Stripe refund webhook: event %s deferred: %s", event.get("id"), error)
            return _answer(409, "busy, retry later")
        except Exception:
            env.cr.rollback()
            _logger.exception(
                "Stripe refund webhook: event %s could not be processed", event.get("id")
            )
            return _answer(500, "processing error")
        if not refunds:
            return _answer(200, "ignored: not a refund of a payment of this database")
        return _answer(200, "processed")


class PrintStripeController(StripeController):
    """Odoo's own Stripe webhook (``/payment/stripe/webhook``) creates, on a
    ``charge.refunded`` event, a refund transaction for each refund of the charge it does
    not know.  For the payments of print orders the refund is recorded by the addon instead
    (``print.refund._stripe_transaction_for_odoo_webhook``), which finds the refund it
    already recorded by its Stripe id, so that one Stripe refund is one refund transaction
    and one payment whichever webhook comes first."""

    @staticmethod
    def _create_refund_tx_from_refund(source_tx_sudo, refund_object):
        try:
            refund_tx = (
                source_tx_sudo.env["print.refund"]
                .sudo()
                ._stripe_transaction_for_odoo_webhook(source_tx_sudo, refund_object)
            )
        except stripe_refunds.MalformedRefund as error:
            _logger.warning("Stripe webhook: refund not recorded by the addon (%s)", error)
            refund_tx = None
        return refund_tx or StripeController._create_refund_tx_from_refund(
            source_tx_sudo, refund_object
        )
