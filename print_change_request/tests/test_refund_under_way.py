"""A refund sent through a provider other than Stripe is under way as soon as it has a refund
transaction, whatever state the provider left it in (Odoo's Adyen refund stays draft until
Adyen's webhook; the demo provider with manual capture leaves it authorized): it is followed
(its transaction read again), never sent again, by the hourly pass, Send refund or Retry."""

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import PrintCommon


@tagged("post_install", "-at_install")
class TestRefundUnderWay(PrintCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Odoo's demo provider, set to capture manually: the refund transaction its refund
        # request makes stays authorized until the provider confirms it.
        cls.demo_provider = (
            cls.env.ref("payment.payment_provider_demo")
            .sudo()
            .copy(
                {
                    "name": "Demo (refund waits)",
                    "company_id": cls.env.company.id,
                    "state": "test",
                    "capture_manually": True,
                    "payment_method_ids": [
                        Command.set(cls.env.ref("payment_demo.payment_method_demo").ids)
                    ],
                }
            )
        )

    def _age(self, refunds):
        """As if the refunds were last written an hour ago (the hourly pass's threshold)."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE print_refund SET write_date = now() - interval '1 hour' WHERE id IN %s",
            [tuple(refunds.ids)],
        )
        refunds.invalidate_recordset()

    def _refund_transactions(self, tx):
        return tx.child_transaction_ids.filtered(lambda child: child.operation == "refund")

    def _sent_refund(self):
        order = self._create_order()
        tx = self._pay_by_transaction(order, provider=self.demo_provider)
        self._request_change(order, refund="automatic")
        return order, tx, order.refund_ids

    def test_01_refund_left_authorized_is_waiting_for_the_provider(self):
        order, tx, refund = self._sent_refund()
        refund_tx = self._refund_transactions(tx)
        self.assertEqual(len(refund_tx), 1)
        self.assertEqual(refund_tx.state, "authorized")
        self.assertRecordValues(
            refund,
            [
                {
                    "state": "pending",
                    "method": "automatic",
                    "refund_transaction_id": refund_tx.id,
                    "waiting_for_provider": True,
                }
            ],
        )
        self.assertEqual(
            refund.with_user(self.accountant)._state_label(), "Waiting for the provider"
        )
        self.assertFalse(refund.activity_ids, "nothing for the accountants to do yet")
        self.assertFalse(order.is_paid, "the money is on its way back")

    def test_02_hourly_pass_twice_and_two_clicks_send_nothing_again(self):
        _order, tx, refund = self._sent_refund()
        for _run in range(2):
            self._age(refund)
            self.env["print.refund"]._cron_follow_up_refunds()
        accountant_refund = refund.with_user(self.accountant)
        for _click in range(2):
            with self.assertRaisesRegex(UserError, "only an automatic refund not sent yet"):
                accountant_refund.action_send()
        with self.assertRaisesRegex(UserError, "can be retried"):
            accountant_refund.action_retry()
        with self.assertRaises(AccessError):
            refund.with_user(self.operator).action_send()
        self.assertEqual(len(self._refund_transactions(tx)), 1, "one refund, one transaction")
        self.assertEqual(refund.state, "pending")

    def test_03_a_draft_left_by_an_earlier_send_is_followed_not_sent_again(self):
        """A refund still a draft beside its refund transaction (as a lost worker, or the
        code before this fix, left it; Adyen's transaction stays draft): the hourly pass and
        Send refund read the transaction, they do not make a second one."""
        order = self._create_order()
        tx = self._pay_by_transaction(order, provider=self.demo_provider)
        refund = (
            self.env["print.refund"]
            .sudo()
            .create(
                {
                    "order_id": order.id,
                    "company_id": order.company_id.id,
                    "currency_id": order.currency_id.id,
                    "amount": 10.0,
                    "method": "automatic",
                    "source_transaction_id": tx.id,
                    "origin": "overpaid",
                    "to_check": True,
                }
            )
        )
        refund_tx = tx._create_child_transaction(10.0, is_refund=True)
        refund.refund_transaction_id = refund_tx
        self.assertEqual((refund.state, refund_tx.state), ("draft", "draft"))

        self._age(refund)
        self.env["print.refund"]._cron_follow_up_refunds()
        self.assertEqual(refund.state, "pending", "followed: waiting for the provider")
        refund.sudo()._set_draft()  # even a draft again is not sent again
        result = refund.with_user(self.accountant).action_send()
        self.assertIn("Waiting for the provider", result["params"]["message"])
        self.assertEqual(self._refund_transactions(tx), refund_tx)
        self.assertEqual(refund.state, "pending")

    def test_04_transaction_done_later_makes_the_refund_done(self):
        order, tx, refund = self._sent_refund()
        refund_tx = refund.refund_transaction_id
        # The provider confirms it (its webhook, here the demo provider's notification).
        refund_tx._handle_notification_data(
            "demo",
            {"reference": refund_tx.reference, "simulated_state": "done", "manual_capture": True},
        )
        self.assertEqual(refund_tx.state, "done")
        self.assertRecordValues(refund, [{"state": "done", "waiting_for_provider": False}])
        self.assertRecordValues(
            refund.payment_id,
            [{"payment_type": "outbound", "amount": 10.0, "state": "in_process"}],
        )
        self.assertEqual(len(self._refund_transactions(tx)), 1)
        self.assertFalse(order.is_paid)

    def test_05_transaction_moved_without_telling_is_read_again_by_the_hourly_pass(self):
        _order, tx, refund = self._sent_refund()
        refund_tx = refund.refund_transaction_id
        # The provider's answer reached the transaction, not the refund (no state hook ran).
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE payment_transaction SET state = 'done' WHERE id = %s", [refund_tx.id]
        )
        refund_tx.invalidate_recordset()
        self.env["print.refund"]._cron_follow_up_refunds()
        self.assertEqual(refund.state, "done")
        self.assertEqual(len(self._refund_transactions(tx)), 1)

    def test_06_transaction_failed_later_goes_to_the_accountants_and_is_not_retried(self):
        _order, tx, refund = self._sent_refund()
        refund_tx = refund.refund_transaction_id
        refund_tx._set_canceled(
            state_message="Refused by the bank", extra_allowed_states=("authorized",)
        )
        self.assertEqual(refund.state, "failed")
        self.assertIn("Automatic refund failed", refund.activity_ids.summary)
        self.assertFalse(refund.can_send_again)
        with self.assertRaisesRegex(UserError, "does not send it a second time"):
            refund.with_user(self.accountant).action_retry()
        self.assertEqual(len(self._refund_transactions(tx)), 1)
        # The accountants give it back by hand instead.
        refund.with_user(self.accountant).action_refund_manually()
        self.assertRecordValues(refund, [{"state": "pending", "method": "manual"}])
