"""Refund decisions alone, without a database."""

from odoo.tests import BaseCase, tagged

from ..lib.refund_planning import (
    AUTOMATIC,
    MANUAL,
    NO_ONLINE_PAYMENT,
    PROVIDER_CANNOT_REFUND,
    PROVIDER_FULL_ONLY,
    PlannedRefund,
    Source,
    allowed,
    plan_refunds,
    refund_support,
    refundable,
)


@tagged("post_install", "-at_install")
class TestRefundPlanning(BaseCase):
    def test_01_one_card_payment_refunded_automatically(self):
        plan = plan_refunds(36.0, [Source(1, 36.0, 36.0, "partial")], automatic=True)
        self.assertEqual(plan, [PlannedRefund(1, 36.0, AUTOMATIC)])

    def test_02_cancel_means_by_hand(self):
        plan = plan_refunds(36.0, [Source(1, 36.0, 36.0, "partial")], automatic=False)
        self.assertEqual(plan, [PlannedRefund(1, 36.0, MANUAL)])

    def test_03_nothing_paid_nothing_refunded(self):
        self.assertEqual(plan_refunds(0.0, [Source(1, 36.0, 0.0, "partial")], True), [])
        self.assertEqual(plan_refunds(-5.0, [], True), [], "never below zero")

    def test_04_newest_payments_first_then_what_no_payment_covers(self):
        sources = [Source(2, 10.0, 10.0, "partial"), Source(1, 20.0, 5.0, "partial")]
        plan = plan_refunds(25.0, sources, automatic=True)
        self.assertEqual(
            plan,
            [
                PlannedRefund(2, 10.0, AUTOMATIC),
                PlannedRefund(1, 5.0, AUTOMATIC),
                PlannedRefund(None, 10.0, MANUAL, NO_ONLINE_PAYMENT),
            ],
        )

    def test_05_provider_without_refunds_falls_back_to_manual(self):
        plan = plan_refunds(10.0, [Source(1, 10.0, 10.0, "none")], automatic=True)
        self.assertEqual(plan, [PlannedRefund(1, 10.0, MANUAL, PROVIDER_CANNOT_REFUND)])

    def test_06_full_only_provider_refunds_whole_untouched_payments_only(self):
        whole = plan_refunds(10.0, [Source(1, 10.0, 10.0, "full_only")], automatic=True)
        self.assertEqual(whole, [PlannedRefund(1, 10.0, AUTOMATIC)])
        part = plan_refunds(4.0, [Source(1, 10.0, 10.0, "full_only")], automatic=True)
        self.assertEqual(part, [PlannedRefund(1, 4.0, MANUAL, PROVIDER_FULL_ONLY)])
        rest = plan_refunds(6.0, [Source(1, 10.0, 6.0, "full_only")], automatic=True)
        self.assertEqual(rest, [PlannedRefund(1, 6.0, MANUAL, PROVIDER_FULL_ONLY)])

    def test_07_rounding(self):
        plan = plan_refunds(0.1 + 0.2, [Source(1, 0.3, 0.3, "partial")], automatic=True)
        self.assertEqual(plan, [PlannedRefund(1, 0.3, AUTOMATIC)])
        self.assertEqual(plan_refunds(0.004, [], True), [], "below the currency's rounding")

    def test_08_refundable_never_below_zero(self):
        self.assertEqual(refundable(10.0, [4.0]), 6.0)
        self.assertEqual(refundable(10.0, [4.0, 8.0]), 0.0)

    def test_09_what_accountants_may_do_with_a_refund(self):
        self.assertTrue(allowed("retry", "failed", AUTOMATIC))
        self.assertFalse(allowed("retry", "failed", MANUAL), "nothing automatic to retry")
        self.assertFalse(allowed("retry", "done", AUTOMATIC))
        self.assertTrue(allowed("mark_done", "pending", MANUAL))
        self.assertFalse(
            allowed("mark_done", "pending", AUTOMATIC), "the provider decides, not the accountant"
        )
        self.assertFalse(allowed("cancel", "pending", AUTOMATIC), "money already on its way")
        self.assertTrue(allowed("cancel", "failed", AUTOMATIC))
        for action in ("retry", "refund_manually", "mark_done", "cancel"):
            for state in ("done", "canceled"):
                for method in (AUTOMATIC, MANUAL):
                    self.assertFalse(allowed(action, state, method), (action, state, method))

    def test_refund_support_is_what_both_provider_and_payment_method_support(self):
        """As Odoo's refund wizard decides it (``account_payment``)."""
        self.assertEqual(refund_support("partial", "partial"), "partial")
        self.assertEqual(refund_support("partial", "none"), "none")
        self.assertEqual(refund_support("none", "partial"), "none")
        self.assertEqual(refund_support("partial", "full_only"), "full_only")
        self.assertEqual(refund_support("full_only", "partial"), "full_only")
        self.assertEqual(refund_support(False, "partial"), "none", "a provider that says nothing")
        self.assertEqual(refund_support("partial", None), "partial", "no payment method")
