"""Stripe's refund events, posted for real to the webhook route with real signatures."""

import json
from unittest.mock import patch

import psycopg2

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..lib.stripe_refunds import KEY_METADATA
from ..models.print_refund import PrintRefund
from .common import PrintStripeCommon, sign_payload
from .stripe_servers import FakeStripe, list_body, refund_body

WEBHOOK = "/print_change_request/stripe/webhook"
SECRET = "whsec_test_print"


@tagged("post_install", "-at_install")
class TestStripeWebhook(PrintStripeCommon, HttpCase):
    def setUp(self):
        super().setUp()
        self.order = self._create_order()
        self.tx = self._pay_with_stripe(self.order)
        fake = FakeStripe()
        fake.start()
        self.addCleanup(fake.stop)
        self._use_stripe_at(fake.url)
        fake.respond(200, list_body([]), method="GET")
        fake.respond(
            200,
            refund_body("re_webhook", "pending", 1000, self.tx.provider_reference),
            method="POST",
        )
        self._request_change(self.order, refund="automatic")
        self.refund = self.order.refund_ids
        self.assertEqual(self.refund.state, "pending")

    def _event(self, status, event_type="charge.refund.updated", refund_id="re_webhook", **extra):
        refund = refund_body(
            refund_id,
            status,
            1000,
            self.tx.provider_reference,
            metadata={KEY_METADATA: self.refund.idempotency_key}
            if refund_id == "re_webhook"
            else {},
            **extra,
        )
        return json.dumps(
            {"id": f"evt_{status}", "type": event_type, "data": {"object": refund}}
        ).encode()

    def _post(self, payload, secret=SECRET, signature=None):
        headers = {"Content-Type": "application/json"}
        if signature is None and secret:
            signature = sign_payload(payload, secret)
        if signature:
            headers["Stripe-Signature"] = signature
        return self.url_open(WEBHOOK, data=payload, headers=headers)

    def test_01_unsigned_or_badly_signed_payloads_are_refused(self):
        payload = self._event("succeeded")
        with mute_logger("odoo.addons.print_change_request_stripe.controllers.stripe_webhook"):
            self.assertEqual(self._post(payload, secret=None).status_code, 400)
            self.assertEqual(self._post(payload, secret="whsec_wrong").status_code, 400)
            tampered = payload.replace(b"succeeded", b"failed")
            self.assertEqual(
                self._post(tampered, signature=sign_payload(payload, SECRET)).status_code, 400
            )
            self.assertEqual(self._post(b"not json", secret=SECRET).status_code, 400)
        self.assertEqual(self.refund.state, "pending", "nothing changed")

    def test_02_succeeded_refund_is_done_with_its_payment(self):
        response = self._post(self._event("succeeded"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["message"], "processed")
        self.assertEqual(self.refund.state, "done")
        self.assertEqual(self.refund.refund_transaction_id.sudo().state, "done")
        self.assertRecordValues(
            self.refund.payment_id, [{"payment_type": "outbound", "amount": 10.0}]
        )
        self.assertFalse(self.order.is_paid)

    def test_03_repeated_events_change_nothing_more(self):
        self._post(self._event("succeeded"))
        payment = self.refund.payment_id
        response = self._post(self._event("succeeded"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.refund.state, "done")
        self.assertEqual(self.refund.payment_id, payment)
        self.assertEqual(
            self.env["account.payment"].search_count(
                [("payment_transaction_id", "=", self.refund.refund_transaction_id.id)]
            ),
            1,
        )

    def test_04_refund_failing_after_success_is_undone_and_handed_to_accountants(self):
        self._post(self._event("succeeded"))
        payment = self.refund.payment_id
        response = self._post(self._event("failed", failure_reason="expired_or_canceled_card"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.refund.state, "failed")
        self.assertIn("expired_or_canceled_card", self.refund.failure_reason)
        self.assertEqual(payment.state, "canceled", "the money never left")
        self.assertTrue(self.refund.activity_ids)
        self.assertTrue(self.order.is_paid, "the shop holds the money again")

    def test_05_unknown_refund_of_our_payment_is_recorded_and_flagged(self):
        response = self._post(self._event("succeeded", refund_id="re_someone_else"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.refund.state, "pending")
        other = self.order.refund_ids - self.refund
        self.assertRecordValues(
            other,
            [{"provider_refund_id": "re_someone_else", "origin": "external", "to_check": True}],
        )

    def test_06_other_events_are_acknowledged_and_ignored(self):
        payload = json.dumps(
            {
                "id": "evt_pi",
                "type": "payment_intent.succeeded",
                "data": {"object": {"id": "pi_1"}},
            }
        ).encode()
        response = self._post(payload)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["message"], "ignored")
        self.assertEqual(self.refund.state, "pending")

    def test_07_processing_error_answers_500_and_changes_nothing(self):
        def serialization_failure(*args, **kwargs):
            raise psycopg2.OperationalError("could not serialize access due to concurrent update")

        with (
            patch.object(PrintRefund, "_apply_stripe_refund", serialization_failure),
            mute_logger("odoo.addons.print_change_request_stripe.controllers.stripe_webhook"),
        ):
            response = self._post(self._event("succeeded"))
        self.assertEqual(response.status_code, 500)
        self.assertEqual(self.refund.state, "pending")
        # Stripe sends the event again later: it is processed then.
        self.assertEqual(self._post(self._event("succeeded")).status_code, 200)
        self.assertEqual(self.refund.state, "done")
