"""Payments captured manually: authorized at submission, captured at Accept, released (never
refunded) at a request for change or a cancellation; on Odoo's demo provider and on
(local)Stripe, Stripe being the source of truth."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import PrintCommon, PrintStripeCommon
from .stripe_servers import FakeStripe, error_body


class CaptureMixin:
    def _request_change_authorized(self, order, release="automatic", user=None):
        """The operator's request for change on an order whose payment is authorized: the
        release question, answered OK ("automatic") or Cancel ("manual")."""
        user = user or self.operator
        action = order.with_user(user).action_request_change()
        wizard_form = Form(
            self.env[action["res_model"]].with_user(user).with_context(**action["context"])
        )
        with wizard_form.line_ids.edit(0) as line:
            line.to_change = True
            line.reason_id = self.env.ref("print_change_request.reason_missing_fonts")
            line.note = "Embed the fonts"
        result = wizard_form.save().action_confirm()
        self.assertEqual(result.get("res_model"), "print.release.confirm.wizard", result)
        confirm = Form(
            self.env[result["res_model"]].with_user(user).with_context(**result["context"])
        ).save()
        self.assertEqual(confirm.amount_to_release, order.amount_total)
        if release == "automatic":
            return confirm.action_release_automatically()
        return confirm.action_release_manually()

    def _assert_nothing_refunded(self, order):
        self.assertFalse(order.refund_ids)
        self.assertFalse(
            order.sudo().transaction_ids.filtered(lambda tx: tx.operation == "refund")
        )
        self.assertFalse(order.sudo().invoice_ids.filtered(lambda m: m.move_type == "out_refund"))

    def _todos(self, order, text):
        return order.sudo().activity_ids.filtered(lambda act: text in (act.summary or ""))


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


@tagged("post_install", "-at_install")
class TestCaptureStripe(CaptureMixin, PrintStripeCommon):
    """Stripe with "Capture Amount Manually", on localstripe."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stripe_provider.capture_manually = True

    def _authorize(self, order):
        """The customer pays by card: a PaymentIntent that requires capture on Stripe, and
        the authorized transaction Odoo's Stripe provider makes of it."""
        intent = self.localstripe.create_card_payment_intent(
            round(order.amount_total * 100),
            order.currency_id.name.lower(),
            capture_method="manual",
        )
        tx = self._create_transaction(
            order, provider=self.stripe_provider, provider_reference=intent
        )
        tx._set_authorized()
        return tx

    def _intent(self, tx):
        return self.stripe_client.v1.payment_intents.retrieve(tx.provider_reference)

    def test_accept_captures_once(self):
        order = self._create_order()
        tx = self._authorize(order)
        self.assertIs(order.with_user(self.operator).action_accept(), True)
        self.assertEqual(self._intent(tx).status, "succeeded")
        self.assertEqual(tx.state, "done")
        self.assertTrue(order.is_paid)
        self.assertEqual(order.communication_state, "accepted")
        # a second click (or a worker replaying it) captures nothing more: localstripe
        # refuses a second capture, so an error here would mean one was sent
        self.assertIsNone(tx._print_capture())
        order.with_user(self.operator).action_accept()
        self.assertEqual(self._intent(tx).status, "succeeded")
        self.assertFalse(self._stripe_refunds_of(tx.provider_reference))

    def test_capture_in_stripes_dashboard_is_followed(self):
        order = self._create_order()
        tx = self._authorize(order)
        self.stripe_client.v1.payment_intents.capture(tx.provider_reference)
        self.env["print.order"]._cron_follow_up_authorizations()
        self.assertEqual(tx.state, "done")
        self.assertTrue(order.is_paid)
        self.assertEqual(order.communication_state, "new")
        # and Accept then accepts without capturing again
        self.assertIs(order.with_user(self.operator).action_accept(), True)

    def test_accept_follows_a_capture_made_in_the_dashboard(self):
        order = self._create_order()
        tx = self._authorize(order)
        self.stripe_client.v1.payment_intents.capture(tx.provider_reference)
        self.assertIs(order.with_user(self.operator).action_accept(), True)
        self.assertEqual(tx.state, "done")
        self.assertEqual(order.communication_state, "accepted")

    def test_failed_capture_does_not_accept(self):
        order = self._create_order()
        tx = self._authorize(order)
        # the authorization expired (Stripe cancels it)
        self.stripe_client.v1.payment_intents.cancel(tx.provider_reference)
        result = order.with_user(self.operator).action_accept()
        self.assertEqual(result["res_model"], "print.order.unpaid.wizard")
        self.assertEqual(order.communication_state, "new")
        self.assertEqual(tx.state, "cancel")
        self.assertFalse(order.is_paid)
        self.assertIn("expired or was canceled", order.payment_capture_failure)
        wizard = self.env[result["res_model"]].with_user(self.operator).browse(result["res_id"])
        self.assertIn("expired or was canceled", wizard.message)
        self.assertEqual(wizard.amount_due, order.amount_total)
        # the customer is asked to pay again
        self.assertTrue(
            any("pay the order again" in body for body in order.message_ids.mapped("body"))
        )

    def test_request_for_change_releases_on_stripe(self):
        order = self._create_order()
        tx = self._authorize(order)
        self._request_change_authorized(order)
        self.assertEqual(self._intent(tx).status, "canceled")
        self.assertEqual(tx.state, "cancel")
        self.assertFalse(self._stripe_refunds_of(tx.provider_reference))
        self._assert_nothing_refunded(order)

    def test_cancel_releases_on_stripe(self):
        order = self._create_order()
        tx = self._authorize(order)
        order.with_user(self.operator).action_cancel()
        self.assertEqual(self._intent(tx).status, "canceled")
        self.assertEqual(tx.state, "cancel")
        self._assert_nothing_refunded(order)

    def test_release_stripe_refuses_is_tried_again(self):
        order = self._create_order()
        tx = self._authorize(order)
        intent = self._intent(tx).to_dict()
        with FakeStripe() as fake:
            self._use_stripe_at(fake.url)
            body = {**intent, "latest_charge": None}
            fake.respond(200, body, method="GET")
            fake.respond(
                400,
                error_body("invalid_request_error", "This PaymentIntent cannot be canceled."),
                method="POST",
            )
            fake.respond(200, body, method="GET")
            result = self._request_change_authorized(order)
        self._use_stripe_at(self.localstripe.url)
        self.assertIn("release of the authorized payment", result["params"]["message"])
        self.assertEqual(result["params"]["type"], "warning")
        self.assertEqual(tx.state, "authorized")
        self.assertEqual(tx.print_release_state, "failed")
        self.assertTrue(self._todos(order, tx.reference))
        self.assertFalse(order.is_payment_authorized)
        self.assertEqual(order.communication_state, "change_requested")
        self._assert_nothing_refunded(order)
        # the hourly follow-up releases it, and closes the to-do
        self.env["print.order"]._cron_follow_up_authorizations()
        self.assertEqual(self._intent(tx).status, "canceled")
        self.assertEqual(tx.state, "cancel")
        self.assertFalse(tx.print_release_state)
        self.assertFalse(self._todos(order, tx.reference))

    def test_manual_release_in_the_dashboard_is_followed(self):
        order = self._create_order()
        tx = self._authorize(order)
        self._request_change_authorized(order, release="manual")
        self.assertEqual(self._intent(tx).status, "requires_capture")
        self.assertTrue(self._todos(order, tx.reference))
        self.stripe_client.v1.payment_intents.cancel(tx.provider_reference)
        self.env["print.order"]._cron_follow_up_authorizations()
        self.assertEqual(tx.state, "cancel")
        self.assertFalse(self._todos(order, tx.reference))

    def test_expired_authorization_makes_the_order_unpaid(self):
        order = self._create_order()
        tx = self._authorize(order)
        self.stripe_client.v1.payment_intents.cancel(tx.provider_reference)
        self.env["print.order"]._cron_follow_up_authorizations()
        self.assertEqual(tx.state, "cancel")
        self.assertFalse(order.is_payment_authorized)
        self.assertEqual(order._get_amount_due(), order.amount_total)
        self.assertTrue(
            any("pay the order again" in body for body in order.message_ids.mapped("body"))
        )

    def test_only_operators_accept(self):
        order = self._create_order()
        tx = self._authorize(order)
        with self.assertRaises(AccessError):
            order.with_user(self.accountant).action_accept()
        self.assertEqual(self._intent(tx).status, "requires_capture")

    def test_accept_two_orders_one_capture_fails(self):
        good, bad = self._create_order(), self._create_order()
        good_tx, bad_tx = self._authorize(good), self._authorize(bad)
        self.stripe_client.v1.payment_intents.cancel(bad_tx.provider_reference)
        result = (good | bad).with_user(self.operator).action_accept()
        self.assertEqual(result["params"]["type"], "warning")
        self.assertIn(bad_tx.reference, result["params"]["message"])
        self.assertEqual(good.communication_state, "accepted")
        self.assertEqual(good_tx.state, "done")
        self.assertEqual(bad.communication_state, "new")
        self.assertEqual(bad_tx.state, "cancel")

    def test_capture_not_confirmed_is_followed_on_the_next_click(self):
        """Stripe captured but its answer was lost: Accept does not accept; the next click
        reads Stripe first and only records the capture (no second capture)."""
        order = self._create_order()
        tx = self._authorize(order)
        with FakeStripe() as fake:
            self._use_stripe_at(fake.url)
            intent = self._intent(tx).to_dict()
            fake.respond(200, {**intent, "latest_charge": None}, method="GET")
            fake.respond(500, error_body("api_error", "Stripe had a problem."), method="POST")
            fake.respond(500, error_body("api_error", "Stripe had a problem."), method="GET")
            result = order.with_user(self.operator).action_accept()
        self._use_stripe_at(self.localstripe.url)
        self.assertEqual(result["res_model"], "print.order.unpaid.wizard")
        self.assertEqual(order.communication_state, "new")
        self.assertEqual(tx.state, "authorized")
        self.assertIn("did not capture", order.payment_capture_failure)
        # Stripe did capture it (the answer was lost on the way back)
        self.stripe_client.v1.payment_intents.capture(tx.provider_reference)
        self.assertIs(order.with_user(self.operator).action_accept(), True)
        self.assertEqual(tx.state, "done")
        self.assertFalse(order.payment_capture_failure)
        self.assertEqual(order.communication_state, "accepted")

    def test_capture_outcome_unknown_captures_no_other_authorization(self):
        """Two authorizations; Stripe may have captured the first (its answer was lost and it
        cannot be read again): Accept neither captures nor releases the second, which would
        charge the customer twice; the next Accept reads Stripe and releases it."""
        order = self._create_order()
        first, second = self._authorize(order), self._authorize(order)
        with FakeStripe() as fake:
            self._use_stripe_at(fake.url)
            intent = self._intent(first).to_dict()
            fake.respond(200, {**intent, "latest_charge": None}, method="GET")
            fake.respond(500, error_body("api_error", "Stripe had a problem."), method="POST")
            fake.respond(500, error_body("api_error", "Stripe had a problem."), method="GET")
            result = order.with_user(self.operator).action_accept()
        self._use_stripe_at(self.localstripe.url)
        self.assertEqual(result["res_model"], "print.order.unpaid.wizard")
        self.assertFalse(
            [req for req in fake.requests if second.provider_reference in req.path],
            "the second authorization was neither captured nor released",
        )
        self.assertEqual((first.state, second.state), ("authorized", "authorized"))
        self.assertTrue(first.print_capture_unknown)
        self.assertFalse(second.print_release_state)
        self.assertIn(first.reference, order.payment_capture_failure)
        # Stripe did capture the first one: the next Accept records it and releases the other
        self.stripe_client.v1.payment_intents.capture(first.provider_reference)
        self.assertIs(order.with_user(self.operator).action_accept(), True)
        self.assertEqual((first.state, second.state), ("done", "cancel"))
        self.assertFalse(first.print_capture_unknown)
        self.assertEqual(self._intent(second).status, "canceled")
        self.assertEqual(order.amount_paid, order.amount_total)
        self._assert_nothing_refunded(order)

    def test_two_authorizations_accept_captures_one_payment_intent(self):
        order = self._create_order()
        first, second = self._authorize(order), self._authorize(order)
        self.assertIs(order.with_user(self.operator).action_accept(), True)
        self.assertEqual(self._intent(first).status, "succeeded")
        self.assertEqual(self._intent(second).status, "canceled", "released, no fee")
        self.assertEqual((first.state, second.state), ("done", "cancel"))
        self.assertEqual(order.amount_paid, order.amount_total)
        self.assertEqual(order.communication_state, "accepted")
        self._assert_nothing_refunded(order)
        self.assertFalse(self._stripe_refunds_of(first.provider_reference))

    def test_two_authorizations_capture_before_expiry_captures_one_payment_intent(self):
        self.env.company.print_capture_before_expiry = True
        order = self._create_order()
        first, second = self._authorize(order), self._authorize(order)
        old = fields.Datetime.now() - timedelta(days=6, hours=2)
        (first | second).sudo().last_state_change = old
        self.env["print.order"]._cron_follow_up_authorizations()
        self.assertEqual(self._intent(first).status, "succeeded")
        self.assertEqual(self._intent(second).status, "canceled")
        self.assertEqual(order.amount_paid, order.amount_total)
        self._assert_nothing_refunded(order)
        self.assertFalse(self._stripe_refunds_of(first.provider_reference))

    def test_first_authorization_expired_the_second_is_captured(self):
        order = self._create_order()
        first, second = self._authorize(order), self._authorize(order)
        self.stripe_client.v1.payment_intents.cancel(first.provider_reference)
        self.assertIs(order.with_user(self.operator).action_accept(), True)
        self.assertEqual(first.state, "cancel")
        self.assertEqual(self._intent(second).status, "succeeded")
        self.assertEqual(order.amount_paid, order.amount_total)
        self.assertEqual(order.communication_state, "accepted")
        self.assertFalse(order.payment_capture_failure)
        self.assertFalse(
            any("pay the order again" in body for body in order.message_ids.mapped("body")),
            "the customer is not asked to pay an order that is paid",
        )
