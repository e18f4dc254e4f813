"""A refund waiting to be made by hand never gives back money that already went back
through Stripe.

Both double refunds of the load harness (600 s, main of 2026-12-04): an operator asked for a
manual refund of a Stripe payment whose money was, or then went, back through Stripe by a
refund Odoo did not know of yet -- one made in Stripe's dashboard, or an automatic refund
Stripe made for a request whose worker was killed before it committed.  Mark as done
recorded that Stripe refund (``_refresh_from_provider``) and then marked the manual refund
done all the same, for its whole amount: the customer got the payment back twice.  Each
step is its own committed transaction, so the test plays them one after the other."""

import json
import time

from odoo.tests import HttpCase, tagged

from ..lib.stripe_refunds import KEY_METADATA
from .common import PrintStripeCommon, sign_payload

WEBHOOK = "/print_change_request/stripe/webhook"
SECRET = "whsec_test_print"


@tagged("post_install", "-at_install")
class TestRefundMarkDoneCovered(PrintStripeCommon, HttpCase):
    def _stripe_refund(self, tx, amount, metadata=None):
        """A refund made on (local)Stripe without Odoo knowing it."""
        params = {"payment_intent": tx.provider_reference, "amount": amount}
        if metadata:
            params["metadata"] = metadata
        return self.stripe_client.v1.refunds.create(params=params).to_dict()

    def _post_event(self, refund, event_type="charge.refund.updated"):
        payload = json.dumps(
            {"id": f"evt_{time.monotonic_ns()}", "type": event_type, "data": {"object": refund}}
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "Stripe-Signature": sign_payload(payload, SECRET),
        }
        return self.url_open(WEBHOOK, data=payload, headers=headers)

    def _given_back(self, tx):
        """What went back to the customer on the payment: Stripe's refunds plus the manual
        refunds marked done (the load harness's ``never_more_than_paid``)."""
        on_stripe = sum(
            refund.amount
            for refund in self._stripe_refunds_of(tx.provider_reference)
            if refund.status in ("succeeded", "pending")
        )
        by_hand = sum(
            self.env["print.refund"]
            .search(
                [
                    ("source_transaction_id", "=", tx.id),
                    ("method", "=", "manual"),
                    ("state", "=", "done"),
                ]
            )
            .mapped("amount")
        )
        return on_stripe / 100 + by_hand

    def _manual_refund(self, order):
        self._request_change(order, refund="manual")
        refund = order.refund_ids
        self.assertRecordValues(refund, [{"method": "manual", "state": "pending", "amount": 10.0}])
        return refund

    def test_01_dashboard_refund_before_mark_done_lowers_the_manual_refund(self):
        """pi_m5BtAq7zQarVOX: 0.50 refunded in Stripe's dashboard while 25.88 waited to be
        given back by hand; Mark done then counted 25.88 all the same."""
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        manual = self._manual_refund(order)
        self._stripe_refund(tx, 50)  # Stripe's dashboard; its webhook is not there yet

        result = manual.with_user(self.accountant).action_mark_done(reference="Transfer 118")

        external = order.refund_ids - manual
        self.assertRecordValues(
            external, [{"origin": "external", "state": "done", "amount": 0.5, "to_check": True}]
        )
        self.assertRecordValues(
            manual, [{"state": "pending", "amount": 9.5, "manual_reference": "Transfer 118"}]
        )
        self.assertEqual(result["params"]["type"], "warning")
        self.assertIn("9.50", result["params"]["message"])
        self.assertIn(external.name, result["params"]["message"])
        self.assertLessEqual(self._given_back(tx), 10.0)
        # The accountant gives back what is left and marks it done.
        manual.with_user(self.accountant).action_mark_done()
        self.assertRecordValues(manual, [{"state": "done", "amount": 9.5}])
        self.assertAlmostEqual(self._given_back(tx), 10.0)
        self.assertEqual(order.amount_paid, 0.0)

    def test_02_dashboard_refund_recorded_by_its_webhook_lowers_the_manual_refund(self):
        order = self._create_order()
        invoice = self._create_invoice(order)
        tx = self._pay_with_stripe(order)
        manual = self._manual_refund(order)
        old_credit_note = manual.credit_note_id
        self.assertRecordValues(old_credit_note, [{"state": "draft", "amount_total": 10.0}])
        response = self._post_event(self._stripe_refund(tx, 50))
        self.assertEqual(response.status_code, 200)

        self.assertRecordValues(manual, [{"state": "pending", "amount": 9.5}])
        self.assertIn("9.50", manual.activity_ids.summary)
        self.assertEqual(old_credit_note.state, "cancel")
        self.assertRecordValues(
            manual.credit_note_id,
            [{"state": "draft", "amount_total": 9.5, "reversed_entry_id": invoice.id}],
        )
        manual.with_user(self.accountant).action_mark_done(reference="Transfer 119")
        self.assertRecordValues(manual, [{"state": "done", "amount": 9.5}])
        self.assertAlmostEqual(self._given_back(tx), 10.0)

    def test_03_refund_whose_record_died_with_the_worker_cancels_the_manual_one(self):
        """pi_0FDyJQjhQGXKJk: an automatic refund Stripe made for a request whose worker was
        killed before it committed, then a manual refund of the same payment; Mark done
        adopted the Stripe refund and marked the manual refund done as well."""
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        self._stripe_refund(
            tx, 1000, metadata={KEY_METADATA: "print-refund-lost", "print_order": order.name}
        )
        manual = self._manual_refund(order)  # Odoo does not know the Stripe refund yet

        result = manual.with_user(self.accountant).action_mark_done(reference="Transfer 120")

        adopted = order.refund_ids - manual
        self.assertRecordValues(adopted, [{"origin": "adopted", "state": "done", "amount": 10.0}])
        self.assertEqual(manual.state, "canceled", "its money already went back through Stripe")
        self.assertEqual(result["params"]["type"], "warning")
        self.assertIn(adopted.name, result["params"]["message"])
        self.assertIn("refunded twice", result["params"]["message"])
        self.assertAlmostEqual(self._given_back(tx), 10.0)
        self.assertEqual(order.amount_paid, 0.0)

    def test_04_nothing_found_on_stripe_marks_done_as_before(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        manual = self._manual_refund(order)
        self.assertTrue(manual.with_user(self.accountant).action_mark_done(reference="T 121"))
        self.assertRecordValues(manual, [{"state": "done", "amount": 10.0}])
        self.assertEqual(order.refund_ids, manual)
        self.assertAlmostEqual(self._given_back(tx), 10.0)
