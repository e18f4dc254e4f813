"""Canceling an order paid on (local)Stripe: OK refunds it once through Stripe, Cancel leaves
a manual refund and nothing sent, a second cancel refunds nothing more."""

from odoo import Command
from odoo.addons.print_change_request.tests.common import CANCEL_WIZARD, CancelMixin
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import PrintStripeCommon


@tagged("post_install", "-at_install")
class TestCancelPaidOrderStripe(CancelMixin, PrintStripeCommon):
    """Canceling an order paid on (local)Stripe."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_demo_providers()

    def setUp(self):
        super().setUp()
        self._use_stripe_at(self.localstripe.url)

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
