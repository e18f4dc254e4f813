"""A refund made by hand is booked as Odoo books a payment an accountant registers on the
credit note: *Mark as refunded* asks for the reference, the journal and the date in a dialog,
and the outbound payment it makes is posted and reconciled (with the credit note, or with the
customer's payment when the order had no invoice).  Looked at as an accountant does: the
customer's receivable lines sum to zero and are all reconciled."""

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import PrintCommon


@tagged("post_install", "-at_install")
class TestRefundManualBooking(PrintCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank = cls.company_data["default_journal_bank"]
        cls.cash = cls.company_data["default_journal_cash"]
        # Odoo's demo provider: its payments are booked (it has a journal).
        cls.demo_provider = (
            cls.env.ref("payment.payment_provider_demo")
            .sudo()
            .copy(
                {
                    "name": "Demo (booked)",
                    "company_id": cls.env.company.id,
                    "state": "test",
                    "payment_method_ids": [
                        Command.set(cls.env.ref("payment_demo.payment_method_demo").ids)
                    ],
                }
            )
        )

    def _pay_online(self, order):
        """The customer pays online; Odoo's post-processing books the (inbound) payment."""
        tx = self._create_transaction(
            order, provider=self.demo_provider, operation="online_redirect"
        )
        tx._set_done()
        tx._post_process()
        self.assertTrue(tx.payment_id)
        return tx

    def _assert_receivable_balanced(self):
        """The customer's partner ledger (receivable): nothing owed either way, nothing left
        to match."""
        lines = self.env["account.move.line"].search(
            [
                ("partner_id", "=", self.customer.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
            ]
        )
        self.assertTrue(lines)
        self.assertAlmostEqual(sum(lines.mapped("balance")), 0.0)
        self.assertEqual(
            lines.filtered(lambda line: not line.reconciled),
            lines.browse(),
            "every receivable line is reconciled",
        )

    def _mark_done_dialog(self, refund, user=None, **values):
        """*Mark as refunded* as the accountant clicks it: the dialog, filled, confirmed."""
        action = refund.with_user(user or self.accountant).action_open_mark_done()
        self.assertEqual(action["res_model"], "print.refund.done.wizard")
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(user or self.accountant)
            .with_context(**action["context"])
        )
        for name, value in values.items():
            setattr(wizard, name, value)
        wizard = wizard.save()
        return wizard, wizard.action_confirm()

    def test_01_refund_by_hand_of_an_invoiced_order_pays_its_credit_note(self):
        order = self._create_order()
        invoice = self._pay_by_invoice(order)
        self._request_change(order, refund="manual")
        refund = order.refund_ids
        self.assertEqual(refund.state, "pending")

        wizard, result = self._mark_done_dialog(
            refund,
            reference="Bank transfer 2026-118",
            journal_id=self.bank,
            payment_date="2026-02-03",
        )
        self.assertEqual(result["type"], "ir.actions.act_window_close")
        self.assertRecordValues(
            refund,
            [{"state": "done", "method": "manual", "manual_reference": "Bank transfer 2026-118"}],
        )
        payment = refund.payment_id
        self.assertRecordValues(
            payment,
            [
                {
                    "payment_type": "outbound",
                    "partner_type": "customer",
                    "partner_id": self.customer.id,
                    "amount": 10.0,
                    "journal_id": self.bank.id,
                    "memo": "Bank transfer 2026-118",
                    "date": wizard.payment_date,
                }
            ],
        )
        self.assertIn(payment.state, ("in_process", "paid"), "posted")
        credit_note = refund.credit_note_id
        self.assertRecordValues(
            credit_note, [{"state": "posted", "reversed_entry_id": invoice.id}]
        )
        self.assertIn(credit_note.payment_state, ("paid", "in_payment"))
        self.assertIn(
            payment, credit_note.matched_payment_ids | credit_note._get_reconciled_payments()
        )
        self.assertFalse(refund.activity_ids, "the accountant's to-do is done")
        self._assert_receivable_balanced()

    def test_02_refund_by_hand_of_an_order_without_invoice_matches_the_customers_payment(self):
        order = self._create_order()
        tx = self._pay_online(order)
        self._request_change(order, refund="manual")
        refund = order.refund_ids
        self.assertEqual(refund.source_transaction_id, tx)
        self.assertRecordValues(refund, [{"state": "pending", "method": "manual"}])
        self.assertFalse(refund.credit_note_id)

        self._mark_done_dialog(refund, reference="Cash receipt 7", journal_id=self.cash)

        payment = refund.payment_id
        self.assertRecordValues(
            payment,
            [{"payment_type": "outbound", "amount": 10.0, "journal_id": self.cash.id}],
        )
        self.assertTrue(payment.move_id, "booked")
        self.assertTrue(payment.is_reconciled or payment.is_matched)
        self._assert_receivable_balanced()

    def test_03_missing_reference_is_asked_for_and_nothing_changes(self):
        order = self._create_order()
        self._pay_by_invoice(order)
        self._request_change(order, refund="manual")
        refund = order.refund_ids
        wizard = (
            self.env["print.refund.done.wizard"]
            .with_user(self.accountant)
            .create({"refund_id": refund.id, "reference": "  "})
        )
        self.assertEqual(wizard.journal_id, self.bank, "the company's bank journal by default")
        with self.assertRaisesRegex(UserError, "Enter the refund reference"):
            wizard.action_confirm()
        self.assertRecordValues(refund, [{"state": "pending", "payment_id": False}])
        self.assertEqual(refund.credit_note_id.state, "draft")
        # A journal that pays nothing out is refused as clearly.
        sale_journal = self.company_data["default_journal_sale"]
        with self.assertRaisesRegex(UserError, "bank or cash journal"):
            refund.with_user(self.accountant).action_mark_done(
                reference="Transfer 9", journal_id=sale_journal.id
            )
        with self.assertRaisesRegex(UserError, "is not a date"):
            refund.with_user(self.accountant).action_mark_done(
                reference="Transfer 9", payment_date="yesterday"
            )
        self.assertEqual(refund.state, "pending")

    def test_04_an_operator_is_refused(self):
        order = self._create_order()
        self._pay_by_invoice(order)
        self._request_change(order, refund="manual")
        refund = order.refund_ids
        with self.assertRaises(AccessError):
            refund.with_user(self.operator).action_open_mark_done()
        with self.assertRaises(AccessError):
            self.env["print.refund.done.wizard"].with_user(self.operator).create(
                {"refund_id": refund.id, "reference": "Transfer 9"}
            )
        with self.assertRaises(AccessError):
            refund.with_user(self.operator).action_mark_done(reference="Transfer 9")
        self.assertEqual(refund.state, "pending")

    def test_05_overpayment_given_back_by_hand_is_matched_with_the_excess_payment(self):
        self.env.company.print_invoice_on_payment = True
        order = self._create_order()
        self._pay_online(order)
        second = self._pay_online(order)  # a second browser tab
        refund = order.refund_ids
        self.assertRecordValues(
            refund,
            [{"origin": "overpaid", "state": "draft", "source_transaction_id": second.id}],
        )
        refund.with_user(self.accountant).action_refund_manually()

        self._mark_done_dialog(refund, reference="Transfer back 12")

        payment = refund.payment_id
        self.assertRecordValues(payment, [{"payment_type": "outbound", "amount": 10.0}])
        excess = refund.source_transaction_id.payment_id
        self.assertTrue(excess.is_reconciled, "the excess payment is matched")
        self.assertTrue(payment.is_reconciled, "the refund's payment is matched")
        self._assert_receivable_balanced()

    def test_06_overpayment_sent_back_before_its_payment_was_booked_is_matched_later(self):
        """The accountant sends the excess back before Odoo's post-processing booked the
        customer's second payment (Odoo then books none: a child transaction is done): it is
        booked all the same, and the refund's payment is matched with it."""
        self.env.company.print_invoice_on_payment = True
        order = self._create_order()
        self._pay_online(order)
        second = self._create_transaction(
            order, provider=self.demo_provider, operation="online_redirect"
        )
        second._set_done()  # settled; booked by the post-processing a few minutes later
        refund = order.refund_ids
        refund.with_user(self.accountant).action_send()
        self.assertRecordValues(refund, [{"state": "done", "origin": "overpaid"}])
        payment = refund.payment_id
        self.assertRecordValues(payment, [{"payment_type": "outbound", "amount": 10.0}])
        self.assertFalse(second.payment_id)

        second._post_process()

        self.assertRecordValues(second.payment_id, [{"payment_type": "inbound", "amount": 10.0}])
        self.assertTrue(second.payment_id.is_reconciled, "the excess payment is matched")
        self.assertTrue(payment.is_reconciled, "the refund's payment is matched")
        self._assert_receivable_balanced()
