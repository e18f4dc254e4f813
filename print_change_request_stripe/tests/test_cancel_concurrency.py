"""Two operators canceling the same paid order at once: one refund, one e-mail.

As in test_refund_concurrency.py, two real database cursors act like two operators' requests,
on data committed for the purpose (and removed afterwards), with localstripe as the Stripe
server.  localstripe ignores idempotency keys, so the single refund it holds at the end is
our own guard's doing."""

# Two real transactions must see each other's work: this test commits on purpose, on its own
# cursors only (never the test's), and removes what it committed.

import psycopg2
from psycopg2 import errorcodes

from odoo import api
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .common import CommittedStripePaymentMixin


@tagged("post_install", "-at_install")
class TestCancelConcurrency(CommittedStripePaymentMixin, TransactionCase):
    committed_label = "cancel concurrency"
    committed_customer = ("Canceling Customer", "cancel@example.com")
    committed_reference = "CANCEL-CONCURRENT"

    def _question(self, cr):
        """An operator clicks Cancel order: the refund question, committed (a request of its
        own), then shown on ``cr``, whose transaction must not have begun."""
        with self.registry.cursor() as click_cr:
            env = api.Environment(click_cr, self.uid, {})
            action = env["print.order"].browse(self.ids["order"]).action_cancel()
            self.assertEqual(action["res_model"], "print.order.cancel.wizard")
        return api.Environment(cr, self.uid, {})[action["res_model"]].browse(action["res_id"])

    def _stripe_refund_count(self):
        return len(
            self.localstripe.client()
            .v1.refunds.list(params={"payment_intent": self.ids["intent"]})
            .data
        )

    def _assert_canceled_and_refunded_once(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            order = env["print.order"].browse(self.ids["order"])
            self.assertEqual(order.communication_state, "canceled")
            self.assertEqual(len(order.refund_ids), 1, "exactly one refund record")
            self.assertEqual(order.refund_ids.state, "done")
            mails = order.message_ids.filtered(lambda m: "is canceled" in (m.subject or ""))
            self.assertEqual(len(mails), 1, "the customer is told once")
        self.assertEqual(self._stripe_refund_count(), 1, "exactly one refund on Stripe")

    def test_01_two_operators_ok_at_once_refund_once(self):
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            question1 = self._question(cr1)
            question2 = self._question(cr2)
            question1.action_refund_automatically()  # refunding: the order's row is locked
            with self.assertRaisesRegex(UserError, "Another user is working on"):
                question2.action_refund_automatically()  # the colleague, same moment
            cr2.rollback()
            cr1.commit()
            # The colleague clicks again once the first is done: nothing more happens.
            question2.invalidate_recordset()
            question2.env.invalidate_all()
            result = question2.action_refund_manually()
            self.assertIn("already canceled", result["params"]["message"])
            cr2.commit()
        self._assert_canceled_and_refunded_once()

    def test_02_ok_on_a_stale_view_is_refused_and_played_again(self):
        """The colleague's request began before the first cancel committed: the money lock
        refuses its stale view (Odoo then plays the request again, which finds the order
        canceled)."""
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            question1 = self._question(cr1)
            question2 = self._question(cr2)
            self.assertTrue(question2.order_ids.is_paid)  # the colleague's snapshot begins
            question1.action_refund_automatically()
            cr1.commit()
            with (
                self.assertRaises(psycopg2.OperationalError) as caught,
                mute_logger("odoo.sql_db"),
            ):
                question2.action_refund_automatically()
            self.assertEqual(caught.exception.pgcode, errorcodes.SERIALIZATION_FAILURE)
            cr2.rollback()
            question2.env.invalidate_all()
            result = question2.action_refund_automatically()  # Odoo's replay
            self.assertIn("already canceled", result["params"]["message"])
            cr2.commit()
        self._assert_canceled_and_refunded_once()
