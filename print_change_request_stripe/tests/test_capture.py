"""Payments captured manually on (local)Stripe, Stripe being the source of truth: authorized at
submission, captured at Accept, released (never refunded) at a request for change or a
cancellation."""

from datetime import timedelta

from odoo import fields
from odoo.addons.print_change_request.tests.common import CaptureMixin
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import PrintStripeCommon
from .stripe_servers import FakeStripe, error_body


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
