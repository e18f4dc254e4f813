"""Canceling an order that holds the customer's money keeps nothing silently: a paid order asks
the refund question (OK refunds through the provider, Cancel leaves a manual refund and a
to-do to the accountants), an authorized payment is released, and the customer is told by
e-mail and on their page.  On Odoo's demo provider and on (local)Stripe."""

from lxml import html

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import PrintStripeCommon

CANCEL_WIZARD = "print.order.cancel.wizard"


class CancelMixin:
    @classmethod
    def _setup_demo_providers(cls):
        # Odoo's demo provider refunds through its own refund request (payment_demo).
        demo_method = cls.env.ref("payment_demo.payment_method_demo")
        base = cls.env.ref("payment.payment_provider_demo").sudo()
        values = {
            "company_id": cls.env.company.id,
            "state": "test",
            "payment_method_ids": [Command.set(demo_method.ids)],
        }
        cls.demo = base.copy({**values, "name": "Demo (refunds)"})
        cls.demo_capture = base.copy(
            {**values, "name": "Demo (capture manually)", "capture_manually": True}
        )

    def _authorize(self, order):
        """The customer pays with the demo provider set to capture manually: authorized."""
        tx = self._create_transaction(order, provider=self.demo_capture)
        tx._handle_notification_data(
            "demo", {"reference": tx.reference, "simulated_state": "done"}
        )
        self.assertEqual(tx.state, "authorized")
        return tx

    def _ask_to_cancel(self, order, user=None):
        """The operator clicks Cancel order on a paid order: the refund question."""
        action = order.with_user(user or self.operator).action_cancel()
        self.assertIsInstance(action, dict, "a paid order asks first")
        self.assertEqual(action["res_model"], CANCEL_WIZARD)
        self.assertNotEqual(order.communication_state, "canceled", "nothing canceled yet")
        return self.env[CANCEL_WIZARD].with_user(user or self.operator).browse(action["res_id"])

    def _cancel(self, order, refund="automatic", user=None):
        """Cancel order, then OK ("automatic") or Cancel ("manual") on the refund question."""
        question = self._ask_to_cancel(order, user=user)
        if refund == "automatic":
            return question.action_refund_automatically()
        return question.action_refund_manually()

    def _cancel_mails(self, order):
        return order.message_ids.filtered(lambda m: "is canceled" in (m.subject or ""))

    def _assert_told_customer(self, order, *fragments):
        mail = self._cancel_mails(order)
        self.assertEqual(len(mail), 1, "one e-mail to the customer")
        self.assertEqual(mail.partner_ids, self.customer)
        self.assertEqual(mail.notification_ids.res_partner_id, self.customer)
        self.assertEqual(mail.message_type, "comment")
        text = " ".join(html.fromstring(mail.body).text_content().split())
        for fragment in fragments:
            self.assertIn(fragment, text)
        return text


@tagged("post_install", "-at_install")
class TestCancelPaidOrder(CancelMixin, PrintStripeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_demo_providers()

    def setUp(self):
        super().setUp()
        self._use_stripe_at(self.localstripe.url)

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

    def test_02_ok_refunds_a_stripe_payment_once(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        self._cancel(order, "automatic")
        refund = order.refund_ids
        self.assertRecordValues(refund, [{"state": "done", "method": "automatic"}])
        stripe_refunds = self._stripe_refunds_of(tx.provider_reference)
        self.assertEqual(len(stripe_refunds), 1, "exactly one refund on Stripe")
        self.assertEqual(stripe_refunds[0].amount, 1000)
        self.assertEqual(refund.provider_refund_id, stripe_refunds[0].id)
        self.assertFalse(order.is_paid)

    def test_03_cancel_in_the_question_leaves_a_manual_refund_and_a_todo(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        result = self._cancel(order, "manual")
        self.assertEqual(order.communication_state, "canceled")
        refund = order.refund_ids
        self.assertRecordValues(refund, [{"state": "pending", "method": "manual"}])
        todo = refund.activity_ids
        self.assertEqual(len(todo), 1, "the accountants' to-do")
        self.assertIn("by hand", todo.summary)
        self.assertEqual(todo.user_id, refund._get_refund_user())
        self.assertFalse(refund.refund_transaction_id)
        self.assertFalse(self._stripe_refunds_of(tx.provider_reference), "nothing sent")
        self.assertEqual(order.amount_paid, 0.0, "the money is promised back")
        self.assertIn("by hand by the accountants", result["params"]["message"])
        self._assert_told_customer(order, "is being refunded to you", "by hand")

    def test_03b_the_refund_of_a_canceled_order_cannot_be_canceled(self):
        """The accountants' *Cancel refund* would keep a canceled order's money silently."""
        order = self._create_order()
        self._pay_with_stripe(order)
        self._cancel(order, "manual")
        refund = order.refund_ids
        with self.assertRaisesRegex(UserError, "which is canceled: it cannot be canceled"):
            refund.with_user(self.accountant).action_cancel()
        self.assertEqual(refund.state, "pending")
        self.assertEqual(len(refund.activity_ids), 1, "the accountants' to-do stays")
        self.assertEqual(order.amount_paid, 0.0, "the money is still promised back")

    def test_04_closing_the_question_changes_nothing(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        self._ask_to_cancel(order)
        # The operator closes the dialog with its X: no button is called.
        self.assertEqual(order.communication_state, "new")
        self.assertFalse(order.refund_ids)
        self.assertTrue(order.is_paid)
        self.assertFalse(self._cancel_mails(order))
        self.assertFalse(self._stripe_refunds_of(tx.provider_reference))

    def test_05_a_second_cancel_refunds_nothing_more(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        first = self._ask_to_cancel(order)
        second = self._ask_to_cancel(order, user=self.manager)  # a colleague, same moment
        first.action_refund_automatically()
        refund = order.refund_ids

        result = second.action_refund_automatically()

        self.assertEqual(order.refund_ids, refund, "no second refund")
        self.assertIn("already canceled", result["params"]["message"])
        self.assertEqual(result["params"]["type"], "info")
        first.action_refund_manually()  # the first dialog clicked again
        self.assertIs(order.with_user(self.operator).action_cancel(), True, "nothing to ask")
        self.assertEqual(order.refund_ids, refund)
        self.assertEqual(len(self._stripe_refunds_of(tx.provider_reference)), 1)
        self.assertEqual(len(self._cancel_mails(order)), 1, "the customer is told once")

    def test_06_failed_refunds_are_replaced_and_nothing_is_kept(self):
        """A request's automatic refund failed earlier; canceling gives that money back
        once, through a new refund."""
        order = self._create_order()
        self._pay_with_stripe(order)
        self._use_stripe_at("http://127.0.0.1:9")  # Stripe unreachable
        self._request_change(order, refund="automatic")
        failed = order.refund_ids
        self.assertEqual(failed.state, "failed")
        self.assertTrue(order.amount_paid)
        self._use_stripe_at(self.localstripe.url)
        self._cancel(order, "automatic")
        self.assertEqual(failed.state, "canceled")
        new = order.refund_ids - failed
        self.assertRecordValues(new, [{"state": "done", "amount": 10.0}])
        self.assertEqual(order.amount_paid, 0.0)

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

    def test_10_only_operators_cancel_and_only_their_own_dialog(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        portal = new_test_user(self.env, login="pcr_cancel_portal", groups="base.group_portal")
        employee = new_test_user(self.env, login="pcr_cancel_employee", groups="base.group_user")
        for user in (portal, employee, self.accountant):
            with self.assertRaises(AccessError):
                order.with_user(user).action_cancel()
            with self.assertRaises(AccessError):
                self.env[CANCEL_WIZARD].with_user(user).create(
                    {"order_ids": [Command.set(order.ids)]}
                )
        # Over RPC, whatever the context says, a paid order asks first.
        action = (
            order.with_user(self.operator).with_context(print_cancel_answered=True).action_cancel()
        )
        self.assertEqual(action["res_model"], CANCEL_WIZARD)
        self.assertEqual(order.communication_state, "new")
        question = self._ask_to_cancel(order)
        colleague = self._create_user(
            "pcr_cancel_colleague", "print_change_request.group_print_operator"
        )
        with self.assertRaises(AccessError):
            question.with_user(colleague).action_refund_automatically()
        with self.assertRaises(AccessError):
            question.with_user(self.accountant).action_refund_automatically()
        self.assertEqual(order.communication_state, "new")
        self.assertFalse(order.refund_ids)
        self.assertFalse(self._stripe_refunds_of(tx.provider_reference))


@tagged("post_install", "-at_install")
class TestCancelPaidOrderPortal(CancelMixin, PrintStripeCommon, HttpCase):
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
