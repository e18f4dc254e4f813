import json
import logging

from werkzeug.wrappers import Response

from odoo import http
from odoo.http import request

from ..lib import stripe_refunds

_logger = logging.getLogger(__name__)


def _answer(status, message):
    return Response(
        json.dumps({"message": message}), status=status, content_type="application/json"
    )


class StripeRefundWebhook(http.Controller):
    """Stripe refund events: a refund that went through, or failed, after our request.

    Answers 400 to an unsigned, badly signed or malformed payload and 404 to a refund this
    database does not know; both change nothing.  A processing error rolls back and answers
    500, so that Stripe sends the event again.  Events of other types are acknowledged (200)
    and ignored."""

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
        except stripe_refunds.InvalidEvent as error:
            _logger.warning("Stripe refund webhook: rejected payload (%s)", error)
            return _answer(400, "invalid payload or signature")
        refund_objects = stripe_refunds.refunds_in_event(event)
        if not refund_objects:
            return _answer(200, "ignored")
        try:
            refunds = env["print.refund"]._handle_stripe_refund_objects(refund_objects)
        except Exception:
            env.cr.rollback()
            _logger.exception(
                "Stripe refund webhook: event %s could not be processed", event.get("id")
            )
            return _answer(500, "processing error")
        if not refunds:
            return _answer(404, "unknown refund")
        return _answer(200, "processed")
