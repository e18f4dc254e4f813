"""Canceling an order that holds the customer's money keeps nothing silently: a paid order asks
the refund question (OK refunds through the provider, Cancel leaves a manual refund and a
to-do to the accountants), an authorized payment is released, and the customer is told by
e-mail and on their page.  On Odoo's demo provider (on Stripe:
print_change_request_stripe/tests/test_cancel_paid_order.py)."""

from lxml import html

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import CancelMixin, PrintCommon


@tagged("post_install", "-at_install")
class TestCancelPaidOrder(CancelMixin, PrintCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_demo_providers()

    def test_01_ok_refunds_a_demo_payment_automatically_once(self):
        order = self._create_order(jobs=2)
        tx = self._pay_by_transaction(order, provider=self.demo)
        question = self._ask_to_cancel(order)
        self.assertEqual(question.amount_to_refund, 20.0)
        self.assertEqual(question.provider_names, "Demo (refunds)")

        result = question.action_refund_automatically()

        self.assertEqual(order.communication_state, "canceled")
        self.assertEqual(set(order.job_ids.mapped("communication_state")), {"canceled"})
        refund = order.refund_ids
        self.assertRecordValues(
            refund,
            [
                {
                    "state": "done",
                    "method": "automatic",
                    "amount": 20.0,
                    "source_transaction_id": tx.id,
                    "request_id": False,
                }
            ],
        )
        self.assertRecordValues(
            refund.refund_transaction_id, [{"operation": "refund", "amount": -20.0}]
        )
        self.assertEqual(len(tx.child_transaction_ids), 1, "one refund transaction")
        self.assertFalse(order.is_paid)
        self.assertEqual(order.amount_paid, 0.0)
        self.assertEqual(order.amount_refund_done, 20.0)
        self.assertEqual(result["params"]["type"], "success")
        self.assertIn(refund.name, result["params"]["message"])
        self._assert_told_customer(order, "We canceled your order", "We refunded $ 20.00")

    def test_07_authorized_order_is_released_not_refunded(self):
        order = self._create_order()
        tx = self._authorize(order)
        self.assertIs(order.with_user(self.operator).action_cancel(), True, "no question")
        self.assertEqual(order.communication_state, "canceled")
        self.assertEqual(tx.state, "cancel")
        self.assertFalse(order.refund_ids)
        self.assertFalse(tx.child_transaction_ids)
        self._assert_told_customer(order, "was released: nothing was charged")

    def test_08_paid_and_authorized_cancel_leaves_both_to_the_accountants(self):
        order = self._create_order(jobs=2)
        self._pay_by_transaction(order, amount=10.0, provider=self.demo)
        held = self._authorize(order)  # the rest, authorized in another tab
        question = self._ask_to_cancel(order)
        self.assertEqual(question.amount_to_release, order.amount_authorized)
        question.action_refund_manually()
        self.assertEqual(held.state, "authorized", "released by hand at the provider")
        self.assertEqual(held.print_release_state, "manual")
        self.assertRecordValues(order.refund_ids, [{"method": "manual", "amount": 10.0}])
        self._assert_told_customer(order, "is being refunded", "is being released")

    def test_09_unpaid_order_is_canceled_as_before(self):
        order = self._create_order()
        self.assertIs(order.with_user(self.operator).action_cancel(), True)
        self.assertEqual(order.communication_state, "canceled")
        self.assertFalse(order.refund_ids)
        self.assertFalse(self._cancel_mails(order))


@tagged("post_install", "-at_install")
class TestCancelPaidOrderPortal(CancelMixin, PrintCommon, HttpCase):
    """What the customer reads on their order's page once it is canceled."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_demo_providers()
        cls.portal_user = new_test_user(
            cls.env,
            login="pcr_cancel_paula",
            groups="base.group_portal",
            partner_id=cls.customer.id,
            company_id=cls.env.company.id,
            company_ids=[Command.set(cls.env.company.ids)],
        )

    def _page_text(self, order):
        self.authenticate("pcr_cancel_paula", "pcr_cancel_paula")
        response = self.url_open(f"/my/print_orders/{order.id}")
        self.assertEqual(response.status_code, 200)
        page = html.fromstring(response.content)
        return " ".join(page.text_content().split()), page

    def _assert_money_not_kept(self, text):
        self.assertIn("Canceled", text)
        self.assertNotIn("Job is paid", text)
        self.assertNotIn("We received your payment", text)
        self.assertNotIn("Thank you!", text)

    def test_01_refunded_order_says_it_was_refunded(self):
        order = self._create_order()
        self._pay_by_transaction(order, provider=self.demo)
        self._cancel(order, "automatic")
        text, page = self._page_text(order)
        self._assert_money_not_kept(text)
        notice = " ".join(
            page.get_element_by_id("print_order_cancel_money").text_content().split()
        )
        self.assertIn("Your order is canceled.", notice)
        self.assertIn("We refunded $ 10.00 to you", notice)

    def test_02_manual_refund_says_it_is_being_refunded(self):
        order = self._create_order()
        self._pay_by_transaction(order, provider=self.demo)
        self._cancel(order, "manual")
        text, page = self._page_text(order)
        self._assert_money_not_kept(text)
        notice = " ".join(
            page.get_element_by_id("print_order_cancel_money").text_content().split()
        )
        self.assertIn("Your payment of $ 10.00 is being refunded to you", notice)

    def test_03_released_authorization_says_nothing_was_charged(self):
        order = self._create_order()
        self._authorize(order)
        order.with_user(self.operator).action_cancel()
        text, page = self._page_text(order)
        self._assert_money_not_kept(text)
        self.assertNotIn("is authorized: the money is taken", text)
        notice = " ".join(
            page.get_element_by_id("print_order_cancel_money").text_content().split()
        )
        self.assertIn("was released: nothing was charged", notice)
