"""Payments captured manually: authorized at submission, captured at Accept, released (never
refunded) at a request for change or a cancellation; on Odoo's demo provider (Stripe's:
print_change_request_stripe/tests/test_capture.py)."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import CaptureMixin, PrintCommon


@tagged("post_install", "-at_install")
class TestCaptureDemo(CaptureMixin, PrintCommon):
    """Odoo's demo provider with "Capture Amount Manually"."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.demo = (
            cls.env.ref("payment.payment_provider_demo")
            .sudo()
            .copy(
                {
                    "name": "Demo (capture manually)",
                    "company_id": cls.env.company.id,
                    "state": "test",
                    "capture_manually": True,
                }
            )
        )

    def _authorize(self, order):
        """The customer pays with the demo provider: authorized, not captured."""
        tx = self._create_transaction(order, provider=self.demo)
        tx._handle_notification_data(
            "demo", {"reference": tx.reference, "simulated_state": "done"}
        )
        self.assertEqual(tx.state, "authorized")
        return tx

    def test_authorized_order_is_shown_authorized_not_paid(self):
        order = self._create_order()
        self._authorize(order)
        self.assertTrue(order.is_payment_authorized)
        self.assertFalse(order.is_paid)
        self.assertEqual(order.amount_paid, 0.0)
        self.assertEqual(order.amount_authorized, order.amount_total)
        self.assertEqual(order._get_amount_due(), 0.0, "not asked to pay twice")
        self.assertFalse(order.sudo().transaction_ids.payment_id, "nothing booked")
        with self.assertRaises(AccessError):
            order.with_user(self.operator).write({"is_payment_authorized": False})
        with self.assertRaises(AccessError):
            order.with_user(self.operator).write({"payment_capture_failure": "x"})

    def test_request_for_change_releases_instead_of_refunding(self):
        order = self._create_order()
        tx = self._authorize(order)
        result = self._request_change_authorized(order)
        self.assertEqual(tx.state, "cancel")
        self.assertIn("was released", result["params"]["message"])
        self.assertEqual(order.communication_state, "change_requested")
        self.assertFalse(order.is_payment_authorized)
        self.assertFalse(order.is_paid)
        self._assert_nothing_refunded(order)
        self.assertEqual(order._get_amount_due(), order.amount_total)

    def test_cancel_in_the_dialog_leaves_the_release_to_the_accountants(self):
        order = self._create_order()
        tx = self._authorize(order)
        result = self._request_change_authorized(order, release="manual")
        self.assertIn("released by the accountants", result["params"]["message"])
        self.assertEqual(tx.state, "authorized", "released by hand at the provider")
        self.assertEqual(tx.print_release_state, "manual")
        self.assertFalse(order.is_payment_authorized, "no longer the order's payment")
        self.assertTrue(self._todos(order, tx.reference))
        self._assert_nothing_refunded(order)

    def test_release_question_is_its_operators_own(self):
        """Another operator neither reads nor answers an operator's release question."""
        order = self._create_order()
        self._authorize(order)
        action = order.with_user(self.operator).action_request_change()
        wizard_form = Form(
            self.env[action["res_model"]]
            .with_user(self.operator)
            .with_context(**action["context"])
        )
        with wizard_form.line_ids.edit(0) as line:
            line.to_change = True
            line.reason_id = self.env.ref("print_change_request.reason_missing_fonts")
        result = wizard_form.save().action_confirm()
        question = (
            self.env[result["res_model"]]
            .with_user(self.operator)
            .create({"request_wizard_id": result["context"]["default_request_wizard_id"]})
        )
        other = self._create_user("pcr_operator_2", "print_change_request.group_print_operator")
        stolen = question.with_user(other)
        with self.assertRaises(AccessError):
            stolen.read(["amount_to_release", "provider_names"])
        with self.assertRaises(AccessError):
            stolen.action_release_automatically()
        self.assertTrue(order.is_payment_authorized, "nothing released")
        self.assertFalse(order.change_request_ids)
        question.action_release_manually()
        self.assertTrue(order.change_request_ids)

    def test_resubmit_authorize_again_and_accept_captures(self):
        order = self._create_order()
        first = self._authorize(order)
        self._request_change_authorized(order)
        order._apply_customer_change()
        second = self._authorize(order)
        self.assertNotEqual(first, second)
        self.assertTrue(order.is_payment_authorized)
        self.assertIs(order.with_user(self.operator).action_accept(), True)
        self.assertEqual(second.state, "done")
        self.assertEqual(first.state, "cancel")
        self.assertEqual(order.communication_state, "accepted")
        self.assertTrue(order.is_paid)
        self.assertFalse(order.is_payment_authorized)
        self.assertEqual(order.amount_paid, order.amount_total)
        self._assert_nothing_refunded(order)

    def test_paid_before_acceptance_is_met_through_the_capture(self):
        self.env.company.print_payment_required = True
        order = self._create_order()
        tx = self._authorize(order)
        self.assertTrue(order._is_payment_missing(), "an authorization is not a payment")
        self.assertIs(order.with_user(self.operator).action_accept(), True)
        self.assertEqual(tx.state, "done")
        self.assertEqual(order.communication_state, "accepted")

    def test_cancel_releases(self):
        order = self._create_order()
        tx = self._authorize(order)
        order.with_user(self.operator).action_cancel()
        self.assertEqual(order.communication_state, "canceled")
        self.assertEqual(tx.state, "cancel")
        self.assertFalse(order.is_payment_authorized)
        self._assert_nothing_refunded(order)

    def test_automatic_capture_keeps_the_refund_question(self):
        order = self._create_order()
        self._pay_by_transaction(order)
        action = order.with_user(self.operator).action_request_change()
        wizard_form = Form(
            self.env[action["res_model"]]
            .with_user(self.operator)
            .with_context(**action["context"])
        )
        with wizard_form.line_ids.edit(0) as line:
            line.to_change = True
            line.reason_id = self.env.ref("print_change_request.reason_missing_fonts")
            line.note = "Embed the fonts"
        result = wizard_form.save().action_confirm()
        self.assertEqual(result["res_model"], "print.refund.confirm.wizard")

    def test_expiry_gives_the_responsible_a_todo_once(self):
        order = self._create_order(user_id=self.operator.id)
        tx = self._authorize(order)
        old = fields.Datetime.now() - timedelta(days=6, hours=2)
        tx.sudo().last_state_change = old
        self.env["print.order"]._cron_follow_up_authorizations()
        todos = self._todos(order, "about to expire")
        self.assertEqual(len(todos), 1)
        self.assertEqual(todos.user_id, self.operator)
        self.env["print.order"]._cron_follow_up_authorizations()
        self.assertEqual(len(self._todos(order, "about to expire")), 1)
        self.assertEqual(tx.state, "authorized")
        # a fresh authorization is left alone
        other = self._create_order()
        self._authorize(other)
        self.env["print.order"]._cron_follow_up_authorizations()
        self.assertFalse(self._todos(other, "about to expire"))

    def test_expiry_captures_when_the_shop_says_so(self):
        self.env.company.print_capture_before_expiry = True
        order = self._create_order()
        tx = self._authorize(order)
        tx.sudo().last_state_change = fields.Datetime.now() - timedelta(days=6, hours=2)
        self.env["print.order"]._cron_follow_up_authorizations()
        self.assertEqual(tx.state, "done")
        self.assertTrue(order.is_paid)
        self.assertEqual(order.communication_state, "new", "captured, not accepted")

    def test_two_authorizations_accept_captures_the_due_once(self):
        """Two browser tabs authorized the order each: Accept captures one, for the amount
        due, and releases the other: the customer is charged once, nothing is refunded."""
        order = self._create_order()
        first, second = self._authorize(order), self._authorize(order)
        self.assertEqual(order.amount_authorized, 2 * order.amount_total)
        self.assertIs(order.with_user(self.operator).action_accept(), True)
        self.assertEqual(first.state, "done", "the oldest authorization")
        self.assertEqual(second.state, "cancel", "released")
        self.assertFalse(second.print_release_state)
        self.assertEqual(order.amount_paid, order.amount_total)
        self.assertTrue(order.is_paid)
        self.assertFalse(order.is_payment_authorized)
        self.assertEqual(order.communication_state, "accepted")
        self.assertFalse(order.payment_capture_failure)
        self._assert_nothing_refunded(order)
        self.assertTrue(
            any(
                second.reference in body and "released" in body
                for body in order.message_ids.mapped("body")
            )
        )

    def test_accept_of_two_a_capture_refused_and_the_other_unpaid_says_both(self):
        """Accept on two orders: one's capture is refused by the provider, the other is not
        paid (the shop requires payment): neither is accepted and the notification says why
        for each (the unpaid one was left silently)."""
        self.env.company.print_payment_required = True
        failing, unpaid = self._create_order(), self._create_order()
        tx = self._authorize(failing)

        def refuse(transaction):
            raise UserError(transaction.env._("Card declined by the issuer"))

        self.patch(type(self.env["payment.transaction"]), "_send_capture_request", refuse)
        result = (failing | unpaid).with_user(self.operator).action_accept()
        self.assertEqual(result["params"]["title"], "Payment not captured")
        message = result["params"]["message"]
        self.assertIn("Card declined by the issuer", message)
        self.assertIn(unpaid._get_unpaid_message(), message)
        self.assertEqual(tx.state, "authorized")
        self.assertNotEqual(failing.communication_state, "accepted")
        self.assertNotEqual(unpaid.communication_state, "accepted")

    def test_two_authorizations_capture_before_expiry_captures_the_due_once(self):
        self.env.company.print_capture_before_expiry = True
        order = self._create_order()
        first, second = self._authorize(order), self._authorize(order)
        old = fields.Datetime.now() - timedelta(days=6, hours=2)
        (first | second).sudo().last_state_change = old
        self.env["print.order"]._cron_follow_up_authorizations()
        self.assertEqual(first.state, "done")
        self.assertEqual(second.state, "cancel")
        self.assertEqual(order.amount_paid, order.amount_total)
        self.assertEqual(order.communication_state, "new", "captured, not accepted")
        self._assert_nothing_refunded(order)
        self.assertFalse(self._todos(order, "about to expire"))

    def test_authorization_more_than_due_is_released_not_captured(self):
        """The order's price went down after the customer authorized it: capturing the
        authorization would take more than is due, so it is released and the customer asked
        to pay what is due."""
        self.env.company.print_payment_required = True
        order = self._create_order()
        tx = self._authorize(order)
        order.job_ids.price_unit = order.job_ids.price_unit / 2
        due = order._get_amount_to_capture()
        self.assertLess(due, tx.amount)
        result = order.with_user(self.operator).action_accept()
        self.assertEqual(result["res_model"], "print.order.unpaid.wizard")
        self.assertEqual(tx.state, "cancel", "released, nothing captured")
        self.assertEqual(order.amount_paid, 0.0)
        self.assertEqual(order.communication_state, "new")
        self.assertEqual(order._get_amount_due(), due, "the customer pays what is due")
        self.assertIn("is more than", order.payment_capture_failure)
        self._assert_nothing_refunded(order)
        self.assertTrue(any("Please pay it" in body for body in order.message_ids.mapped("body")))

    def test_no_jobs_added_while_authorized(self):
        order = self._create_order()
        self._authorize(order)
        self.assertFalse(order._accepts_job_changes())
        self._request_change_authorized(order)
        self.assertTrue(order._accepts_job_changes())
