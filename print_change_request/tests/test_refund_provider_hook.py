"""Refunds go through one provider hook (``print.refund._send_provider_refund``): Stripe's
file overrides it; any other provider refunds through Odoo's own refund request when both
it and the payment method support refunds (as Odoo's refund wizard decides it), and a
payment nothing can refund goes to the accountants to be refunded by hand."""

from odoo import Command
from odoo.tests import tagged

from .common import PrintCommon


@tagged("post_install", "-at_install")
class TestRefundProviderHook(PrintCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Odoo's demo provider refunds through its own refund request (payment_demo).
        cls.demo_method = cls.env.ref("payment_demo.payment_method_demo")
        cls.demo_provider = (
            cls.env.ref("payment.payment_provider_demo")
            .sudo()
            .copy(
                {
                    "name": "Demo (refunds)",
                    "company_id": cls.env.company.id,
                    "state": "test",
                    "payment_method_ids": [Command.set(cls.demo_method.ids)],
                }
            )
        )

    def _method(self, support_refund):
        return (
            self.env["payment.method"]
            .sudo()
            .create(
                {
                    "name": f"Voucher ({support_refund})",
                    "code": f"pcr_voucher_{support_refund}",
                    "support_refund": support_refund,
                    "provider_ids": [Command.set(self.demo_provider.ids)],
                }
            )
        )

    def test_01_other_provider_refunds_through_odoos_refund_request(self):
        order = self._create_order()
        tx = self._pay_by_transaction(order, provider=self.demo_provider)
        self.assertEqual(tx._get_print_refund_support(), "partial")

        self._request_change(order, refund="automatic")

        refund = order.refund_ids
        self.assertRecordValues(refund, [{"method": "automatic", "state": "done"}])
        self.assertRecordValues(
            refund.refund_transaction_id,
            [
                {
                    "operation": "refund",
                    "state": "done",
                    "amount": -10.0,
                    "provider_id": tx.provider_id.id,
                }
            ],
        )
        self.assertFalse(order.is_paid)

    def test_02_payment_method_that_cannot_refund_is_refunded_by_hand(self):
        """The provider refunds, but not payments of this method: as Odoo's refund wizard
        says, the refund is made by hand."""
        order = self._create_order()
        tx = self._pay_by_transaction(
            order, provider=self.demo_provider, payment_method_id=self._method("none").id
        )
        self.assertEqual(tx.provider_id.support_refund, "partial")
        self.assertEqual(tx._get_print_refund_support(), "none")

        self._request_change(order, refund="automatic")

        refund = order.refund_ids
        self.assertRecordValues(
            refund, [{"method": "manual", "state": "pending", "refund_transaction_id": False}]
        )
        self.assertIn("cannot refund automatically", refund.activity_ids.note)
        self.assertFalse(tx.child_transaction_ids, "nothing was asked of the provider")

    def test_03_payment_method_refunding_whole_payments_only(self):
        order = self._create_order(jobs=2)
        tx = self._pay_by_transaction(
            order, provider=self.demo_provider, payment_method_id=self._method("full_only").id
        )
        self.assertEqual(tx._get_print_refund_support(), "full_only")
        sources = order._get_refund_sources()
        self.assertEqual([source.support for source in sources], ["full_only"])

        self._request_change(order, refund="automatic")

        self.assertRecordValues(
            order.refund_ids, [{"method": "automatic", "state": "done", "amount": 20.0}]
        )

    def test_04_provider_without_refunds_goes_to_the_manual_path_through_the_hook(self):
        """An automatic refund of a payment whose provider cannot refund (e.g. its support
        changed since it was planned) is not left waiting on a refund request nobody
        answers: the hook refuses it and the accountants refund it by hand."""
        order = self._create_order()
        tx = self._pay_by_transaction(order)  # the test provider cannot refund
        self.assertEqual(tx._get_print_refund_support(), "none")
        refund = (
            self.env["print.refund"]
            .sudo()
            .create(
                {
                    "order_id": order.id,
                    "company_id": order.company_id.id,
                    "currency_id": order.currency_id.id,
                    "amount": 10.0,
                    "method": "automatic",
                    "source_transaction_id": tx.id,
                    "state": "draft",
                }
            )
        )

        refund._send()

        self.assertRecordValues(refund, [{"state": "failed", "refund_transaction_id": False}])
        self.assertIn("cannot refund this payment automatically", refund.failure_reason)
        self.assertTrue(refund.activity_ids, "the accountants have a to-do")
        self.assertFalse(tx.child_transaction_ids, "no refund request was made")
