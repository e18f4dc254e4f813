"""Decisions on authorized payments alone, without a database."""

from datetime import datetime, timedelta

from odoo.tests import BaseCase, tagged

from ..lib import authorization as au
from ..lib.stripe_intents import IntentResult


@tagged("post_install", "-at_install")
class TestCapturePlanning(BaseCase):
    def test_capture_only_an_authorized_intent(self):
        self.assertEqual(au.plan_capture("requires_capture"), au.CAPTURE)
        # captured in Stripe's dashboard, or by an earlier click: recorded, never again
        self.assertEqual(au.plan_capture("succeeded"), au.FOLLOW_CAPTURED)
        self.assertEqual(au.plan_capture("canceled"), au.FOLLOW_CANCELED)
        self.assertEqual(au.plan_capture("processing"), au.REFUSE)

    def test_release_never_refunds(self):
        self.assertEqual(au.plan_release("requires_capture"), au.RELEASE)
        self.assertEqual(au.plan_release("canceled"), au.FOLLOW_CANCELED)
        # a captured payment is followed, not released, and not refunded either
        self.assertEqual(au.plan_release("succeeded"), au.FOLLOW_CAPTURED)
        self.assertEqual(au.plan_release("processing"), au.REFUSE)

    def test_follow(self):
        self.assertEqual(au.plan_follow("requires_capture"), au.NOTHING)
        self.assertEqual(au.plan_follow("succeeded"), au.FOLLOW_CAPTURED)
        self.assertEqual(au.plan_follow("canceled"), au.FOLLOW_CANCELED)

    def test_expiry(self):
        start = datetime(2026, 1, 1, 12, 0)
        fresh = au.expiry(start, start + timedelta(days=5), days=7, warning_hours=24)
        self.assertEqual(fresh.expires_at, datetime(2026, 1, 8, 12, 0))
        self.assertFalse(fresh.act_now)
        soon = au.expiry(start, start + timedelta(days=6, hours=1), days=7, warning_hours=24)
        self.assertTrue(soon.act_now)
        self.assertFalse(soon.expired)
        self.assertTrue(au.expiry(start, start + timedelta(days=7), days=7).expired)

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
