"""What to do with an authorized Stripe payment, from its PaymentIntent alone: no database."""

from odoo.tests import BaseCase, tagged

from ..lib import intent_planning as ip
from ..lib.stripe_intents import IntentResult


@tagged("post_install", "-at_install")
class TestIntentPlanning(BaseCase):
    def test_capture_only_an_authorized_intent(self):
        self.assertEqual(ip.plan_capture("requires_capture"), ip.CAPTURE)
        # captured in Stripe's dashboard, or by an earlier click: recorded, never again
        self.assertEqual(ip.plan_capture("succeeded"), ip.FOLLOW_CAPTURED)
        self.assertEqual(ip.plan_capture("canceled"), ip.FOLLOW_CANCELED)
        self.assertEqual(ip.plan_capture("processing"), ip.REFUSE)

    def test_release_never_refunds(self):
        self.assertEqual(ip.plan_release("requires_capture"), ip.RELEASE)
        self.assertEqual(ip.plan_release("canceled"), ip.FOLLOW_CANCELED)
        # a captured payment is followed, not released, and not refunded either
        self.assertEqual(ip.plan_release("succeeded"), ip.FOLLOW_CAPTURED)
        self.assertEqual(ip.plan_release("processing"), ip.REFUSE)

    def test_follow(self):
        self.assertEqual(ip.plan_follow("requires_capture"), ip.NOTHING)
        self.assertEqual(ip.plan_follow("succeeded"), ip.FOLLOW_CAPTURED)
        self.assertEqual(ip.plan_follow("canceled"), ip.FOLLOW_CANCELED)

    def test_intent_result(self):
        captured = IntentResult.from_stripe(
            {"id": "pi_1", "status": "succeeded", "amount": 1000, "currency": "EUR"}
        )
        self.assertEqual((captured.amount_received, captured.currency), (1000, "eur"))
        held = IntentResult.from_stripe(
            {"id": "pi_2", "status": "requires_capture", "amount": 1000, "currency": "eur"}
        )
        self.assertEqual(held.amount_received, 0)
        with self.assertRaises(ValueError):
            IntentResult.from_stripe({"id": None, "status": "succeeded"})
