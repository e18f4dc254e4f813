"""Decisions on authorized payments alone, without a database."""

from datetime import datetime, timedelta

from odoo.tests import BaseCase, tagged

from ..lib import authorization as au
from ..lib import payment_attempts


@tagged("post_install", "-at_install")
class TestCapturePlanning(BaseCase):
    def test_expiry(self):
        start = datetime(2026, 1, 1, 12, 0)
        fresh = au.expiry(start, start + timedelta(days=5), days=7, warning_hours=24)
        self.assertEqual(fresh.expires_at, datetime(2026, 1, 8, 12, 0))
        self.assertFalse(fresh.act_now)
        soon = au.expiry(start, start + timedelta(days=6, hours=1), days=7, warning_hours=24)
        self.assertTrue(soon.act_now)
        self.assertFalse(soon.expired)
        self.assertTrue(au.expiry(start, start + timedelta(days=7), days=7).expired)


@tagged("post_install", "-at_install")
class TestDueCapturePlanning(BaseCase):
    """Which authorizations Accept (or the capture before expiry) captures: never more than
    the amount due, whole authorizations, the oldest first; the others are released."""

    def test_two_tabs_authorized_the_same_amount_one_is_captured(self):
        plan = au.plan_due_captures(0.35, [("a", 0.35), ("b", 0.35)])
        self.assertEqual(plan.capture, ("a",), "the oldest")
        self.assertEqual(plan.release, ("b",))
        self.assertEqual(plan.too_large, ())

    def test_the_oldest_exact_authorization_beats_an_older_smaller_one(self):
        plan = au.plan_due_captures(0.35, [("small", 0.20), ("a", 0.35), ("b", 0.35)])
        self.assertEqual(plan.capture, ("a",))
        self.assertEqual(plan.release, ("small", "b"))
        self.assertEqual(plan.too_large, ())

    def test_authorizations_that_fit_together_are_captured(self):
        plan = au.plan_due_captures(0.50, [("a", 0.20), ("big", 0.40), ("b", 0.30)])
        self.assertEqual(plan.capture, ("a", "b"), "0.20 + 0.30, the 0.40 would overshoot")
        self.assertEqual(plan.release, ("big",))
        self.assertEqual(plan.too_large, (), "nothing is left due")

    def test_an_authorization_larger_than_due_is_released_never_captured(self):
        plan = au.plan_due_captures(0.30, [("a", 0.35)])
        self.assertEqual(plan.capture, ())
        self.assertEqual(plan.release, ("a",))
        self.assertEqual(plan.too_large, ("a",), "released although something is due")

    def test_less_than_due_is_captured_and_the_rest_stays_due(self):
        plan = au.plan_due_captures(0.50, [("a", 0.20), ("b", 0.40)])
        self.assertEqual(plan.capture, ("a",))
        self.assertEqual(plan.too_large, ("b",))

    def test_nothing_due_releases_everything(self):
        plan = au.plan_due_captures(0.0, [("a", 0.35), ("b", 0.35)])
        self.assertEqual(plan.capture, ())
        self.assertEqual(plan.release, ("a", "b"))
        self.assertEqual(plan.too_large, ())

    def test_a_failed_capture_is_not_tried_again_another_one_is(self):
        plan = au.plan_due_captures(0.35, [("a", 0.35), ("b", 0.35)], failed=["a"])
        self.assertEqual(plan.capture, ("b",))
        self.assertEqual(plan.release, ("a",), "not wanted once b pays the order")
        # nothing else fits: the failed one is kept for the operator's next try
        plan = au.plan_due_captures(0.35, [("a", 0.35)], failed=["a"])
        self.assertEqual((plan.capture, plan.release, plan.keep), ((), (), ("a",)))

    def test_amounts_compare_to_the_currency(self):
        plan = au.plan_due_captures(0.3, [("a", 0.1 + 0.2)])  # 0.30000000000000004
        self.assertEqual(plan.capture, ("a",))
        plan = au.plan_due_captures(0.3, [("a", 0.31)])
        self.assertEqual(plan.too_large, ("a",))


@tagged("post_install", "-at_install")
class TestPaymentUnderWay(BaseCase):
    def test_pending_is_under_way_until_settled(self):
        start = datetime(2026, 1, 1, 12, 0)
        later = start + timedelta(days=3)
        self.assertTrue(payment_attempts.is_under_way("pending", start, later))
        for state in ("authorized", "done", "cancel", "error"):
            self.assertFalse(payment_attempts.is_under_way(state, start, start), state)

    def test_a_draft_is_under_way_a_moment_only(self):
        start = datetime(2026, 1, 1, 12, 0)
        self.assertTrue(payment_attempts.is_under_way("draft", start, start))
        self.assertTrue(
            payment_attempts.is_under_way("draft", start, start + timedelta(seconds=29))
        )
        # an abandoned draft (a declined card, a closed tab) does not block the next payment
        self.assertFalse(
            payment_attempts.is_under_way("draft", start, start + timedelta(seconds=30))
        )
        self.assertFalse(payment_attempts.is_under_way("draft", None, start))
