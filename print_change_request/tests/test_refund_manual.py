"""Refunds by hand: the operator's Cancel, the accountant's credit note and payment, or a
refund marked done with its reference.  Only accountants close them."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import PrintCommon


@tagged("post_install", "-at_install")
class TestRefundManual(PrintCommon):
    def test_01_cancel_on_the_question_leaves_the_refund_to_the_accountants(self):
        order = self._create_order()
        invoice = self._pay_by_invoice(order)
        self.assertTrue(order.is_paid)

        result = self._request_change(order, refund="manual")

        refund = order.refund_ids
        self.assertRecordValues(
            refund,
            [
                {
                    "method": "manual",
                    "state": "pending",
                    "amount": 10.0,
                    "source_transaction_id": False,
                    "refund_transaction_id": False,
                }
            ],
        )
        credit_note = refund.credit_note_id
        self.assertRecordValues(
            credit_note,
            [
                {
                    "move_type": "out_refund",
                    "state": "draft",
                    "reversed_entry_id": invoice.id,
                    "amount_total": 10.0,
                    "print_order_id": order.id,
                }
            ],
        )
        activity = refund.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("by hand", activity.summary)
        self.assertTrue(activity.user_id.has_group("account.group_account_manager"))
        self.assertFalse(order.is_paid, "the money is promised back")
        self.assertEqual(order.communication_state, "change_requested")
        self.assertIn("to be made by hand", result["params"]["message"])

    def test_02_accountant_pays_the_credit_note_and_the_refund_is_done(self):
        order = self._create_order()
        self._pay_by_invoice(order)
        self._request_change(order, refund="manual")
        refund = order.refund_ids

        action = refund.with_user(self.accountant).action_register_payment()
        self.assertEqual(refund.credit_note_id.state, "posted")
        self.assertEqual(action["res_model"], "account.payment.register")
        self._register_payment(refund.credit_note_id)

        self.assertEqual(refund.state, "done")
        self.assertTrue(refund.date_done)
        self.assertRecordValues(refund.payment_id, [{"payment_type": "outbound", "amount": 10.0}])
        self.assertIn(refund.credit_note_id.payment_state, ("paid", "in_payment"))
        self.assertFalse(refund.activity_ids, "the to-do is done")
        self.assertFalse(order.is_paid)
        self.assertEqual(order.amount_refunded, 10.0)

    def test_03_mark_done_needs_a_reference_and_an_accountant(self):
        order = self._create_order()
        self._pay_by_transaction(order)  # a provider that cannot refund
        self._request_change(order, refund="manual")
        refund = order.refund_ids
        self.assertFalse(refund.credit_note_id, "no invoice, no credit note")
        with self.assertRaises(AccessError):
            refund.with_user(self.operator).action_mark_done()
        with self.assertRaisesRegex(UserError, "Enter the refund reference"):
            refund.with_user(self.accountant).action_mark_done()
        refund.with_user(self.accountant).manual_reference = "Bank transfer 2026-118"
        refund.with_user(self.accountant).action_mark_done()
        self.assertEqual(refund.state, "done")
        self.assertEqual(refund.manual_reference, "Bank transfer 2026-118")
        with self.assertRaisesRegex(UserError, "only a refund waiting"):
            refund.with_user(self.accountant).action_mark_done()

    def test_04_register_payment_without_credit_note_says_what_to_do(self):
        order = self._create_order()
        self._pay_by_transaction(order)
        self._request_change(order, refund="manual")
        with self.assertRaisesRegex(UserError, "has no credit note"):
            order.refund_ids.with_user(self.accountant).action_register_payment()

    def test_05_canceled_refund_gives_the_money_back_to_the_order(self):
        order = self._create_order()
        self._pay_by_invoice(order)
        self._request_change(order, refund="manual")
        refund = order.refund_ids
        with self.assertRaises(AccessError):
            refund.with_user(self.operator).action_cancel()
        refund.with_user(self.accountant).action_cancel()
        self.assertEqual(refund.state, "canceled")
        self.assertEqual(refund.credit_note_id.state, "cancel")
        self.assertFalse(refund.activity_ids)
        self.assertTrue(order.is_paid, "nothing was given back")
        with self.assertRaisesRegex(UserError, "cannot be canceled"):
            refund.with_user(self.accountant).action_cancel()

    def test_06_operator_reads_refunds_but_cannot_close_them(self):
        order = self._create_order()
        self._pay_by_invoice(order)
        self._request_change(order, refund="manual")
        refund = order.refund_ids.with_user(self.operator)
        self.assertEqual(refund.state, "pending")
        self.assertEqual(order.with_user(self.operator).refund_count, 1)
        with self.assertRaises(AccessError):
            refund.action_refund_manually()

    def test_07_partly_invoiced_amount_gets_a_one_line_credit_note(self):
        order = self._create_order(jobs=2)
        invoice = self._create_invoice(order, amount=20.0)
        self._register_payment(invoice, amount=12.0)
        self.assertEqual(order.amount_paid, 12.0)
        self._request_change(order, refund="manual")
        refund = order.refund_ids
        self.assertEqual(refund.amount, 12.0)
        self.assertRecordValues(
            refund.credit_note_id,
            [{"move_type": "out_refund", "amount_total": 12.0, "reversed_entry_id": invoice.id}],
        )

    def test_08_refunds_are_shown_on_the_order(self):
        order = self._create_order()
        self._pay_by_invoice(order)
        self._request_change(order, refund="manual")
        action = order.action_view_refunds()
        self.assertEqual(self.env[action["res_model"]].search(action["domain"]), order.refund_ids)
        self.assertEqual(order.refund_count, 1)

    def test_09_a_refunded_order_is_not_deleted(self):
        order = self._create_order()
        self._pay_by_invoice(order)
        self._request_change(order, refund="manual")
        order.refund_ids.with_user(self.accountant).action_cancel()
        question = order.action_cancel()  # paid again: the refund question, then by hand
        self.env[question["res_model"]].browse(question["res_id"]).action_refund_manually()
        self.assertEqual(order.communication_state, "canceled")
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            order.unlink()
        self.assertTrue(order.exists())
