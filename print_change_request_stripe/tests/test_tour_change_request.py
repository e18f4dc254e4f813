"""The issue's scenario in Chromium: an operator opens a paid order, requests a change for one
file, confirms the automatic refund (localstripe), and sees the states and colors change."""

from odoo.tests import HttpCase, tagged

from .common import PrintStripeCommon


@tagged("post_install", "-at_install")
class TestTourChangeRequest(PrintStripeCommon, HttpCase):
    def test_01_paid_order_change_request_refunds_automatically(self):
        # Two jobs of two files each, 10.0 per job, paid by card on (local)Stripe.
        order = self._create_order(jobs=2, files=2, name="TOUR/CR-PAID")
        tx = self._pay_with_stripe(order)
        self.assertTrue(order.is_paid)
        self.assertEqual(order.communication_state, "new")
        self.assertTrue(self.env.user.has_group("print_change_request.group_print_operator"))

        self.start_tour(
            "/odoo/action-print_change_request.print_order_action",
            "print_change_request_paid_order_tour",
            login=self.env.user.login,
        )

        self.env.invalidate_all()
        refund = order.refund_ids
        self.assertEqual(len(refund), 1)
        self.assertRecordValues(
            refund,
            [
                {
                    "state": "done",
                    "method": "automatic",
                    "amount": 20.0,
                    "source_transaction_id": tx.id,
                }
            ],
        )
        stripe_refunds = self._stripe_refunds_of(tx.provider_reference)
        self.assertEqual(len(stripe_refunds), 1, "exactly one refund on Stripe")
        self.assertEqual(stripe_refunds[0].amount, 2000)
        self.assertEqual(refund.provider_refund_id, stripe_refunds[0].id)

        self.assertEqual(order.communication_state, "change_requested")
        self.assertFalse(order.is_paid)
        self.assertEqual(order.amount_refunded, 20.0)
        job_1, job_2 = order.job_ids.sorted("sequence")
        self.assertEqual(job_1.communication_state, "change_requested")
        self.assertEqual(job_2.communication_state, "new")
        item = order.change_request_ids.item_ids
        self.assertEqual(len(order.change_request_ids), 1)
        self.assertRecordValues(
            item,
            [
                {
                    "job_id": job_1.id,
                    "kind": "file",
                    "file_name": "job1-file2.pdf",
                    "reason_id": self.env.ref("print_change_request.reason_missing_fonts").id,
                    "note": "Embed the fonts of page 2",
                }
            ],
        )
