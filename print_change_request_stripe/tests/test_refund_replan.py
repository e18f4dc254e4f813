"""Every send, retry and follow-up re-plans against what is still refundable on the payment
now: a refund decided earlier never gives back what a later one already gave back.
Stripe is localstripe (a real HTTP peer) or, where Stripe must fail, an unreachable port."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import PrintStripeCommon
from .stripe_servers import free_port


@tagged("post_install", "-at_install")
class TestRefundReplan(PrintStripeCommon):
    def setUp(self):
        super().setUp()
        self._use_stripe_at(self.localstripe.url)

    def _stripe_down(self):
        self._use_stripe_at(f"http://127.0.0.1:{free_port()}")

    def _stripe_up(self):
        self._use_stripe_at(self.localstripe.url)

    def _failed_refund(self, order):
        """Request a change with Stripe down: the automatic refund fails."""
        self._stripe_down()
        self._request_change(order, refund="automatic")
        self._stripe_up()
        refund = order.refund_ids
        self.assertEqual(refund.state, "failed")
        self.assertTrue(order.is_paid, "a failed refund leaves the money with the shop")
        return refund

    def _stripe_total(self, tx):
        return sum(refund.amount for refund in self._stripe_refunds_of(tx.provider_reference))

    def test_01_second_request_replaces_the_failed_refund_and_retry_refunds_nothing(self):
        order = self._create_order(price=9.0)
        tx = self._pay_with_stripe(order)
        failed = self._failed_refund(order)
        self.assertTrue(failed.activity_ids, "the accountants have a to-do")

        order.action_customer_changed()
        self._request_change(order, refund="automatic")
        second = order.refund_ids - failed
        self.assertEqual(second.state, "done")
        self.assertEqual(failed.state, "canceled", "its money went back through the second one")
        self.assertFalse(failed.activity_ids, "and its to-do is closed")

        with self.assertRaisesRegex(UserError, "can be retried"):
            failed.with_user(self.accountant).action_retry()
        self.assertEqual(len(self._stripe_refunds_of(tx.provider_reference)), 1)
        self.assertEqual(self._stripe_total(tx), 900, "9.00 refunded once, not twice")
        self.assertFalse(order.is_paid)

    def test_02_retry_after_a_refund_made_elsewhere_refunds_nothing(self):
        order = self._create_order(price=9.0)
        tx = self._pay_with_stripe(order)
        failed = self._failed_refund(order)
        # Someone refunds the payment in Stripe's dashboard meanwhile.
        self.stripe_client.v1.refunds.create(
            params={"payment_intent": tx.provider_reference, "amount": 900}
        )
        result = failed.with_user(self.accountant).action_retry()
        self.assertEqual(failed.state, "canceled")
        self.assertEqual(result["params"]["title"], "Nothing left to refund")
        external = order.refund_ids.filtered(lambda r: r.origin == "external")
        self.assertRecordValues(external, [{"state": "done", "amount": 9.0, "to_check": True}])
        self.assertEqual(self._stripe_total(tx), 900)
        self.assertFalse(order.is_paid)

    def test_03_retry_sends_only_what_is_still_due(self):
        order = self._create_order(price=10.0)
        tx = self._pay_with_stripe(order)
        failed = self._failed_refund(order)
        self.stripe_client.v1.refunds.create(
            params={"payment_intent": tx.provider_reference, "amount": 400}
        )
        failed.with_user(self.accountant).action_retry()
        self.assertRecordValues(failed, [{"state": "done", "amount": 6.0}])
        self.assertEqual(failed.refund_transaction_id.sudo().amount, -6.0)
        self.assertEqual(self._stripe_total(tx), 1000, "exactly what was paid went back")
        self.assertFalse(order.is_paid)
        self.assertEqual(order.amount_paid, 0.0)

    def test_04_hourly_follow_up_re_plans_a_left_draft(self):
        order = self._create_order(price=10.0)
        tx = self._pay_with_stripe(order)
        failed = self._failed_refund(order)
        order.action_customer_changed()
        self._request_change(order, refund="automatic")
        # As if a worker had died after putting the old refund back to draft.
        failed.sudo().write({"state": "draft"})
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE print_refund SET write_date = now() - interval '1 hour' WHERE id = %s",
            [failed.id],
        )
        failed.invalidate_recordset()
        self.env["print.refund"]._cron_follow_up_refunds()
        self.assertEqual(failed.state, "canceled")
        self.assertEqual(len(self._stripe_refunds_of(tx.provider_reference)), 1)

    def test_05_by_hand_after_the_money_went_back_is_refused_with_a_reason(self):
        order = self._create_order(price=10.0)
        tx = self._pay_with_stripe(order)
        failed = self._failed_refund(order)
        self.stripe_client.v1.refunds.create(
            params={"payment_intent": tx.provider_reference, "amount": 1000}
        )
        result = failed.with_user(self.accountant).action_refund_manually()
        self.assertEqual(failed.state, "canceled", "nothing left to give back by hand")
        self.assertEqual(result["params"]["title"], "Nothing left to refund")

    def test_06_accountant_sees_a_refund_changed_meanwhile(self):
        order = self._create_order(price=10.0)
        self._pay_with_stripe(order)
        failed = self._failed_refund(order)
        failed.with_user(self.accountant).action_refund_manually()
        with self.assertRaisesRegex(UserError, "can be retried"):
            failed.with_user(self.accountant).action_retry()
