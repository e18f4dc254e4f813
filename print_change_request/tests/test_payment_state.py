"""'Job is paid': read from confirmed payment transactions and paid invoices."""

from odoo.tests import tagged

from .common import PrintCommon


@tagged("post_install", "-at_install")
class TestPaymentState(PrintCommon):
    def test_01_unpaid_order(self):
        order = self._create_order(jobs=2)
        self.assertFalse(order.is_paid)
        self.assertEqual(order.amount_paid, 0.0)
        self.assertEqual(order.job_ids.mapped("is_paid"), [False, False])

    def test_02_confirmed_transaction_makes_order_and_jobs_paid(self):
        order = self._create_order(jobs=2)
        tx = self._create_transaction(order)
        self.assertFalse(order.is_paid, "a draft transaction pays nothing")
        tx._set_pending()
        self.assertFalse(order.is_paid, "a pending transaction pays nothing")
        tx._set_done()
        self.assertTrue(order.is_paid)
        self.assertEqual(order.amount_paid, 20.0)
        self.assertEqual(order.job_ids.mapped("is_paid"), [True, True])

    def test_03_failed_or_canceled_transaction_is_not_payment(self):
        order = self._create_order()
        self._create_transaction(order)._set_canceled()
        self.assertFalse(order.is_paid)
        self._create_transaction(order)._set_error("declined")
        self.assertFalse(order.is_paid)
        self.assertEqual(order.amount_paid, 0.0)

    def test_04_partial_payment_is_not_paid(self):
        order = self._create_order(jobs=2)
        self._pay_by_transaction(order, amount=5.0)
        self.assertFalse(order.is_paid)
        self.assertEqual(order.amount_paid, 5.0)
        self._pay_by_transaction(order, amount=15.0)
        self.assertTrue(order.is_paid)

    def test_05_paid_invoice_makes_order_paid(self):
        order = self._create_order(jobs=2)
        invoice = self._create_invoice(order)
        self.assertEqual(order.invoice_ids, invoice)
        self.assertFalse(order.is_paid, "a posted but unpaid invoice pays nothing")
        self._register_payment(invoice)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertTrue(order.is_paid)
        self.assertEqual(order.amount_paid, 20.0)
        self.assertTrue(all(order.job_ids.mapped("is_paid")))

    def test_06_partly_paid_invoice_counts_what_was_paid(self):
        order = self._create_order(jobs=2)
        invoice = self._create_invoice(order)
        self._register_payment(invoice, amount=8.0)
        self.assertEqual(invoice.payment_state, "partial")
        self.assertEqual(order.amount_paid, 8.0)
        self.assertFalse(order.is_paid)

    def test_07_draft_invoice_pays_nothing(self):
        order = self._create_order()
        self._create_invoice(order, post=False)
        self.assertFalse(order.is_paid)
        # A paid invoice set back to draft (Odoo undoes its reconciliation) no longer pays
        # the order: the payment stays on the customer's account, not on the order.
        invoice = self._create_invoice(order)
        self._register_payment(invoice)
        self.assertRecordValues(order, [{"amount_paid": 10.0, "is_paid": True}])
        invoice.button_draft()
        self.assertEqual(invoice.state, "draft")
        self.assertRecordValues(order, [{"amount_paid": 0.0, "is_paid": False}])
        self.assertEqual(order.job_ids.mapped("is_paid"), [False])

    def test_08_invoice_paid_by_transaction_is_counted_once(self):
        order = self._create_order()
        invoice = self._create_invoice(order)
        self._register_payment(invoice)
        tx = self._create_transaction(order, invoice_ids=[(6, 0, invoice.ids)])
        tx._set_done()
        self.assertEqual(order.amount_paid, 10.0)
        self.assertTrue(order.is_paid)

    def test_09_paid_orders_are_searchable(self):
        paid = self._create_order()
        self._pay_by_transaction(paid)
        unpaid = self._create_order()
        orders = self.env["print.order"].search([("id", "in", (paid | unpaid).ids)])
        self.assertEqual(orders.filtered_domain([("is_paid", "=", True)]), paid)
        self.assertEqual(
            self.env["print.order"].search([("id", "in", orders.ids), ("is_paid", "=", False)]),
            unpaid,
        )
        jobs = self.env["print.job"].search(
            [("order_id", "in", orders.ids), ("is_paid", "=", True)]
        )
        self.assertEqual(jobs, paid.job_ids)
