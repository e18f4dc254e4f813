"""Invoicing a print order through Odoo's invoices: the operator's "Create invoice" button and
the invoice made when an online payment is done (company setting), reconciled with the payment
so that a refund's credit note always has an invoice to reverse."""

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import PrintCommon


@tagged("post_install", "-at_install")
class TestPrintInvoice(PrintCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoicing_operator = cls._create_user(
            "pcr_invoicing_operator",
            "print_change_request.group_print_operator,account.group_account_invoice",
        )
        # Odoo's demo provider (installed for the tests by scripts/test.sh): it has a payment
        # method line, so Odoo's post-processing makes a real account.payment.
        cls.demo_provider = (
            cls.env.ref("payment.payment_provider_demo")
            .sudo()
            .copy(
                {
                    "name": "Demo (test)",
                    "company_id": cls.env.company.id,
                    "state": "test",
                    "payment_method_ids": [
                        Command.set(cls.env.ref("payment_demo.payment_method_demo").ids)
                    ],
                }
            )
        )

    def _pay_online(self, order, amount=None):
        """A done online payment, post-processed as Odoo's payment flow does (in sudo, as the
        status poll and the cron run it)."""
        tx = self._create_transaction(
            order, amount=amount, provider=self.demo_provider, operation="online_redirect"
        )
        tx._set_done()
        tx.sudo()._post_process()
        return tx

    def test_01_create_invoice_makes_a_posted_invoice_of_the_jobs(self):
        order = self._create_order(jobs=2, price=7.5)
        action = order.with_user(self.invoicing_operator).action_create_invoice()

        invoice = order.invoice_ids
        self.assertEqual(action["res_model"], "account.move")
        self.assertEqual(action["res_id"], invoice.id)
        self.assertRecordValues(
            invoice,
            [
                {
                    "move_type": "out_invoice",
                    "state": "posted",
                    "partner_id": self.customer.id,
                    "print_order_id": order.id,
                    "invoice_origin": order.name,
                    "amount_total": 15.0,
                    "payment_state": "not_paid",
                }
            ],
        )
        self.assertEqual(invoice.invoice_line_ids.mapped("name"), ["Job 1", "Job 2"])
        self.assertEqual(invoice.invoice_line_ids.product_id, self.paper)
        self.assertEqual(order.invoice_count, 1)
        self.assertFalse(order.is_paid)
        self.assertIn(invoice.name, order.message_ids[0].body)

    def test_02_only_operators_who_may_invoice_create_invoices(self):
        order = self._create_order()
        with self.assertRaisesRegex(AccessError, "may create invoices"):
            order.with_user(self.operator).action_create_invoice()
        with self.assertRaisesRegex(AccessError, "Only print shop operators"):
            order.with_user(self.accountant).action_create_invoice()
        self.assertFalse(order.invoice_ids)

    def test_03_a_second_click_creates_no_second_invoice(self):
        order = self._create_order()
        order.with_user(self.invoicing_operator).action_create_invoice()
        with self.assertRaisesRegex(UserError, "already has invoice"):
            order.with_user(self.invoicing_operator).action_create_invoice()
        self.assertEqual(len(order.invoice_ids), 1)

    def test_04_canceled_or_empty_orders_are_refused(self):
        canceled = self._create_order()
        canceled.with_user(self.operator).action_cancel()
        with self.assertRaisesRegex(UserError, "is canceled"):
            canceled.with_user(self.invoicing_operator).action_create_invoice()
        empty = self._create_order(jobs=0)
        with self.assertRaisesRegex(UserError, "no job to invoice"):
            empty.with_user(self.invoicing_operator).action_create_invoice()

    def test_05_invoice_after_an_online_payment_is_reconciled_with_it(self):
        order = self._create_order(price=12.0)
        tx = self._pay_online(order)
        self.assertTrue(tx.payment_id, "Odoo's post-processing made the payment")
        self.assertFalse(tx.invoice_ids, "the shop does not invoice at payment")
        self.assertTrue(order.is_paid)

        order.with_user(self.invoicing_operator).action_create_invoice()

        invoice = order.invoice_ids
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(tx.invoice_ids, invoice)
        self.assertRecordValues(order, [{"amount_paid": 12.0, "is_paid": True}])

    def test_06_online_payment_invoices_the_order_when_the_shop_chooses_so(self):
        self.env.company.print_invoice_on_payment = True
        order = self._create_order(jobs=2, price=10.0)
        tx = self._pay_online(order)

        invoice = order.invoice_ids
        self.assertEqual(tx.invoice_ids, invoice)
        self.assertRecordValues(
            invoice,
            [{"move_type": "out_invoice", "state": "posted", "amount_total": 20.0}],
        )
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertRecordValues(order, [{"amount_paid": 20.0, "is_paid": True}])
        # Post-processing again (the cron, a second status poll) makes nothing new.
        tx.sudo()._post_process()
        self.assertEqual(order.invoice_ids, invoice)

    def test_07_without_the_setting_no_invoice_is_made_at_payment(self):
        order = self._create_order()
        self._pay_online(order)
        self.assertFalse(order.invoice_ids)
        self.assertTrue(order.is_paid)

    def test_08_online_payment_pays_the_open_invoice_of_the_order(self):
        order = self._create_order(price=9.0)
        order.with_user(self.invoicing_operator).action_create_invoice()
        invoice = order.invoice_ids

        tx = self._pay_online(order)

        self.assertEqual(tx.invoice_ids, invoice)
        self.assertEqual(order.invoice_ids, invoice, "no second invoice")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertRecordValues(order, [{"amount_paid": 9.0, "is_paid": True}])

    def test_09_a_partial_payment_then_the_rest_pay_one_invoice(self):
        self.env.company.print_invoice_on_payment = True
        order = self._create_order(jobs=2, price=10.0)
        self._pay_online(order, amount=5.0)
        invoice = order.invoice_ids
        self.assertRecordValues(
            invoice, [{"amount_total": 20.0, "amount_residual": 15.0, "payment_state": "partial"}]
        )
        self.assertRecordValues(order, [{"amount_paid": 5.0, "is_paid": False}])

        second = self._pay_online(order, amount=15.0)

        self.assertEqual(second.invoice_ids, invoice)
        self.assertEqual(order.invoice_ids, invoice)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertRecordValues(order, [{"amount_paid": 20.0, "is_paid": True}])

    def test_10_refund_of_an_online_payment_reverses_the_invoice_made_at_payment(self):
        self.env.company.print_invoice_on_payment = True
        order = self._create_order(price=10.0)
        self._pay_online(order)
        invoice = order.invoice_ids

        self._request_change(order, refund="manual")

        credit_note = order.refund_ids.credit_note_id
        self.assertRecordValues(
            credit_note,
            [{"move_type": "out_refund", "reversed_entry_id": invoice.id, "amount_total": 10.0}],
        )

    def test_11_the_setting_is_in_the_print_shop_settings(self):
        self.assertFalse(self.env.company.print_invoice_on_payment)
        settings = self.env["res.config.settings"].create({"print_invoice_on_payment": True})
        settings.execute()
        self.assertTrue(self.env.company.print_invoice_on_payment)
