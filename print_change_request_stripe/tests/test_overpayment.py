"""Overpayments are flagged, never kept silently: two browser tabs paying the same order, a
payment settling after the order was canceled.  The excess becomes a refund "To check" with
a to-do for the accountants, who send it through Stripe (localstripe) or make it by hand."""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import PrintStripeCommon


@tagged("post_install", "-at_install")
class TestOverpayment(PrintStripeCommon):
    def setUp(self):
        super().setUp()
        self._use_stripe_at(self.localstripe.url)
        self.order = self._create_order()  # 10.00

    def _settle(self, tx):
        """Settle as Odoo's Stripe module does: done, then post-processed."""
        tx._set_done()
        tx._post_process()

    def _pay_in_a_tab(self, amount=None):
        amount = self.order.amount_total if amount is None else amount
        intent = self.localstripe.create_paid_payment_intent(round(amount * 100), currency="usd")
        tx = self._create_transaction(
            self.order,
            amount=amount,
            provider=self.stripe_provider,
            provider_reference=intent,
        )
        self._settle(tx)
        return tx

    def _excess_refunds(self):
        return self.order.refund_ids.filtered(lambda r: r.origin == "overpaid")

    def test_01_two_tabs_flag_the_second_payment_once(self):
        self._pay_in_a_tab()
        self.assertFalse(self.order.refund_ids, "the first payment is what is due")
        second = self._pay_in_a_tab()
        refund = self._excess_refunds()
        self.assertRecordValues(
            refund,
            [
                {
                    "amount": 10.0,
                    "state": "draft",
                    "method": "automatic",
                    "to_check": True,
                    "source_transaction_id": second.id,
                }
            ],
        )
        self.assertIn("more than its total", refund.activity_ids.note)
        self.assertEqual(refund.activity_ids.user_id, refund._get_refund_user())
        self.assertEqual(self.order.amount_paid, 10.0, "the excess is held back")
        self.assertTrue(self.order.is_paid)
        # the settlement replayed, the post-processing and the hourly pass create nothing more
        self._settle(second)
        second._set_done()
        self.env.cr.execute(
            "UPDATE print_refund SET write_date = now() - interval '1 hour' WHERE id = %s",
            [refund.id],
        )
        refund.invalidate_recordset()
        self.env["print.refund"]._cron_follow_up_refunds()
        self.assertEqual(self._excess_refunds(), refund)
        self.assertEqual(refund.state, "draft", "not sent before an accountant decides")
        self.assertFalse(self._stripe_refunds_of(second.provider_reference))

    def test_02_accountant_sends_the_excess_back_through_stripe(self):
        self._pay_in_a_tab()
        second = self._pay_in_a_tab()
        refund = self._excess_refunds()
        with self.assertRaises(AccessError):
            refund.with_user(self.operator).action_send()
        refund.with_user(self.accountant).action_send()
        self.assertRecordValues(refund, [{"state": "done", "to_check": False}])
        self.assertRecordValues(refund.payment_id, [{"payment_type": "outbound", "amount": 10.0}])
        stripe_refunds = self._stripe_refunds_of(second.provider_reference)
        self.assertEqual([r.amount for r in stripe_refunds], [1000])
        self.assertEqual(self.order.amount_paid, 10.0, "exactly paid")
        self.assertTrue(self.order.is_paid)

    def test_03_accountant_gives_the_excess_back_by_hand(self):
        self._pay_in_a_tab()
        second = self._pay_in_a_tab()
        refund = self._excess_refunds().with_user(self.accountant)
        refund.action_refund_manually()
        refund.action_mark_done(reference="Bank transfer 42")
        self.assertRecordValues(refund, [{"state": "done", "method": "manual"}])
        self.assertFalse(self._stripe_refunds_of(second.provider_reference))
        self.assertEqual(self.order.amount_paid, 10.0)
        self.assertTrue(self.order.is_paid)

    def test_04_payment_after_the_order_was_canceled(self):
        self.order.with_user(self.operator).action_cancel()
        self.assertEqual(self.order.communication_state, "canceled")
        tx = self._pay_in_a_tab(10.0)
        refund = self._excess_refunds()
        self.assertRecordValues(
            refund,
            [{"amount": 10.0, "to_check": True, "source_transaction_id": tx.id}],
        )
        self.assertIn("is canceled", refund.activity_ids.note)
        self.assertEqual(self.order.amount_paid, 0.0)
        refund.with_user(self.accountant).action_send()
        self.assertEqual(refund.state, "done")
        self.assertEqual(self.order.amount_paid, 0.0)

    def test_05_exact_or_partial_payments_are_no_overpayment(self):
        self._pay_in_a_tab(4.0)
        self.assertFalse(self.order.refund_ids, "a partial payment")
        self._pay_in_a_tab(6.0)
        self.assertFalse(self.order.refund_ids, "the rest, exactly")
        self.assertTrue(self.order.is_paid)
        other = self._create_order()
        self._pay_by_transaction(other)
        self.assertFalse(other.refund_ids, "one exact payment")

    def test_06_excess_of_a_partial_second_payment(self):
        self._pay_in_a_tab(8.0)
        second = self._pay_in_a_tab(8.0)
        self.assertRecordValues(
            self._excess_refunds(), [{"amount": 6.0, "source_transaction_id": second.id}]
        )
        self.assertEqual(self.order.amount_paid, 10.0)

    def test_07_provider_without_refunds_hands_the_excess_to_the_accountants(self):
        self._pay_by_transaction(self.order)
        self._pay_by_transaction(self.order)  # the test provider cannot refund
        refund = self._excess_refunds()
        self.assertRecordValues(
            refund, [{"method": "manual", "state": "pending", "to_check": True}]
        )
        self.assertIn("by hand", refund.activity_ids.note)
        refund.with_user(self.accountant).action_mark_done(reference="Cash")
        self.assertEqual(refund.state, "done")
        self.assertEqual(self.order.amount_paid, 10.0)

    def test_08_shop_invoicing_at_payment_invoices_the_order_once(self):
        self.env.company.print_invoice_on_payment = True
        # Odoo's demo provider has a payment method line: its payments pay the invoice.
        demo = (
            self.env.ref("payment.payment_provider_demo")
            .sudo()
            .copy(
                {
                    "name": "Demo (test)",
                    "company_id": self.env.company.id,
                    "state": "test",
                    "payment_method_ids": [
                        Command.set(self.env.ref("payment_demo.payment_method_demo").ids)
                    ],
                }
            )
        )
        for _tab in (1, 2):
            tx = self._create_transaction(self.order, provider=demo, operation="online_redirect")
            self._settle(tx)
        invoices = self.order.invoice_ids.filtered(lambda move: move.move_type == "out_invoice")
        self.assertEqual(len(invoices), 1, "the excess is held back, not invoiced again")
        self.assertEqual(invoices.amount_total, 10.0)
        self.assertIn(invoices.payment_state, ("paid", "in_payment"))
        self.assertEqual(self._excess_refunds().amount, 10.0)
        self.assertEqual(self.order.amount_paid, 10.0)
