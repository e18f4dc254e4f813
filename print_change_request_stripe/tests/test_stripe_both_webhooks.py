"""Odoo's own Stripe webhook (``/payment/stripe/webhook``, ``charge.refunded``) beside the
addon's (``/print_change_request/stripe/webhook``) and its hourly reconciliation: one Stripe
refund is one refund transaction and one outbound payment, whichever comes first and however
often Stripe sends each event.  Events are posted for real, with real signatures;
localstripe holds the money."""

import json
import time

from odoo.addons.payment_stripe.controllers.main import StripeController
from odoo.tests import HttpCase, tagged

from .common import PrintStripeCommon, sign_payload

ODOO_WEBHOOK = "/payment/stripe/webhook"
ADDON_WEBHOOK = "/print_change_request/stripe/webhook"
SECRET = "whsec_test_print"


@tagged("post_install", "-at_install")
class TestStripeBothWebhooks(PrintStripeCommon, HttpCase):
    def setUp(self):
        super().setUp()
        self._use_stripe_at(self.localstripe.url)
        self.order = self._create_order()
        self.tx = self._pay_with_stripe(self.order)

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def _dashboard_refund(self, amount):
        """A refund made in Stripe's dashboard (directly on localstripe), as a plain dict."""
        return self.stripe_client.v1.refunds.create(
            params={"payment_intent": self.tx.provider_reference, "amount": amount}
        ).to_dict()

    def _stripe_refunds(self):
        return [
            refund.to_dict()
            for refund in self.stripe_client.v1.refunds.list(
                params={"payment_intent": self.tx.provider_reference}
            ).data
        ]

    def _post(self, path, event):
        payload = json.dumps(event).encode()
        headers = {
            "Content-Type": "application/json",
            "Stripe-Signature": sign_payload(payload, SECRET),
        }
        response = self.url_open(path, data=payload, headers=headers)
        self.assertEqual(response.status_code, 200, response.text)
        return response

    def _post_odoo(self):
        """Odoo's webhook: ``charge.refunded`` with the charge's refunds list, as Stripe sends
        it (the charge's description is the transaction's reference)."""
        charge = {
            "id": f"ch_{self.tx.provider_reference}",
            "object": "charge",
            "description": self.tx.reference,
            "payment_intent": self.tx.provider_reference,
            "amount": 1000,
            "currency": "usd",
            "refunded": True,
            "refunds": {"object": "list", "data": self._stripe_refunds(), "has_more": False},
        }
        event = {
            "id": f"evt_{time.monotonic_ns()}",
            "type": "charge.refunded",
            "data": {"object": charge},
        }
        return self._post(ODOO_WEBHOOK, event)

    def _post_addon(self, refund):
        event = {
            "id": f"evt_{time.monotonic_ns()}",
            "type": "charge.refund.updated",
            "data": {"object": refund},
        }
        return self._post(ADDON_WEBHOOK, event)

    def _assert_recorded_once(self, refund_id, amount_paid):
        refund_txs = self.env["payment.transaction"].search(
            [("operation", "=", "refund"), ("provider_reference", "=", refund_id)]
        )
        self.assertEqual(len(refund_txs), 1, "one refund transaction per Stripe refund")
        self.assertEqual(refund_txs.state, "done")
        self.assertEqual(refund_txs.source_transaction_id, self.tx)
        payments = self.env["account.payment"].search(
            [("payment_transaction_id", "in", refund_txs.ids)]
        )
        self.assertEqual(len(payments), 1, "one outbound payment per Stripe refund")
        self.assertEqual(payments.payment_type, "outbound")
        self.assertEqual(payments.amount, -refund_txs.amount)
        refund = self.env["print.refund"].search([("provider_refund_id", "=", refund_id)])
        self.assertEqual(len(refund), 1)
        self.assertRecordValues(
            refund,
            [
                {
                    "refund_transaction_id": refund_txs.id,
                    "payment_id": payments.id,
                    "state": "done",
                }
            ],
        )
        self.assertEqual(self.order.amount_paid, amount_paid)
        return refund

    # ------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------

    def test_01_odoo_webhook_first_then_ours_and_the_hourly_pass(self):
        stripe_refund = self._dashboard_refund(400)
        self._post_odoo()
        refund = self._assert_recorded_once(stripe_refund["id"], 6.0)
        self.assertRecordValues(refund, [{"origin": "external", "to_check": True}])
        self.assertIn("outside Odoo", refund.activity_ids.note)

        self._post_addon(stripe_refund)
        self._post_addon(stripe_refund)  # Stripe retries
        self.env["print.refund"]._cron_follow_up_refunds()
        self._post_odoo()  # Stripe retries Odoo's too
        self.assertEqual(self._assert_recorded_once(stripe_refund["id"], 6.0), refund)

    def test_02_our_webhook_first_then_odoo_webhook(self):
        stripe_refund = self._dashboard_refund(300)
        self._post_addon(stripe_refund)
        refund = self._assert_recorded_once(stripe_refund["id"], 7.0)
        self._post_odoo()
        self._post_odoo()  # replayed
        self.assertEqual(self._assert_recorded_once(stripe_refund["id"], 7.0), refund)

    def test_03_two_dashboard_refunds_out_of_order(self):
        first = self._dashboard_refund(200)
        self._post_odoo()  # knows the first
        second = self._dashboard_refund(500)
        self._post_addon(second)  # ours records the second before Odoo's hears of it
        self._post_odoo()  # lists both
        self._post_addon(first)
        self.env["print.refund"]._cron_follow_up_refunds()
        self._assert_recorded_once(first["id"], 3.0)
        self._assert_recorded_once(second["id"], 3.0)
        self.assertEqual(len(self.order.refund_ids), 2)

    def test_04_refund_sent_by_odoo_then_odoo_webhook(self):
        self._request_change(self.order, refund="automatic")
        refund = self.order.refund_ids
        self.assertEqual(refund.state, "done")
        self.assertFalse(refund.to_check)
        self._post_odoo()
        self._post_odoo()
        self.assertEqual(self._assert_recorded_once(refund.provider_refund_id, 0.0), refund)
        self.assertFalse(refund.to_check, "our own refund is nothing to check")

    def test_05_transaction_odoo_made_alone_is_adopted_with_its_payment(self):
        """A refund transaction Odoo's Stripe module made on its own (e.g. before this
        version of the addon), already post-processed with its payment: the hourly pass
        makes it the refund's transaction, and no second one is made."""
        stripe_refund = self._dashboard_refund(1000)
        odoo_tx = StripeController._create_refund_tx_from_refund(self.tx, stripe_refund)
        odoo_tx._handle_notification_data("stripe", {"refund": stripe_refund})
        odoo_tx._post_process()
        odoo_payment = odoo_tx.payment_id
        self.assertTrue(odoo_payment)
        self.assertTrue(self.order.is_paid, "the addon does not know it yet")

        self.env["print.refund"]._cron_follow_up_refunds()

        refund = self._assert_recorded_once(stripe_refund["id"], 0.0)
        self.assertEqual(refund.refund_transaction_id, odoo_tx)
        self.assertEqual(refund.payment_id, odoo_payment)
        self.assertRecordValues(refund, [{"origin": "external", "to_check": True}])
        self._post_odoo()
        self._post_addon(stripe_refund)
        self._assert_recorded_once(stripe_refund["id"], 0.0)
