"""Two operators confirming the same paid order at once: exactly one refund.

The other tests run inside one uncommitted transaction.  Here two real database cursors act
like two operators' requests, on data committed for the purpose (and removed afterwards),
with localstripe as the Stripe server.  localstripe ignores idempotency keys, so the single
refund it holds at the end is our own guard's doing."""

# Two real transactions must see each other's work: this test commits on purpose, on its own
# cursors only (never the test's), and removes what it committed.

import psycopg2
from psycopg2 import errorcodes

from odoo import Command, api
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .common import CommittedStripePaymentMixin
from .stripe_servers import free_port


@tagged("post_install", "-at_install")
class TestRefundConcurrency(CommittedStripePaymentMixin, TransactionCase):
    def _operator_wizard(self, cr, order_id=None):
        """An operator's "Send a change request for:" dialog, with the file ticked: opened in
        a request of its own (committed), then shown on ``cr``, whose transaction must not
        have begun (it would not see the dialog)."""
        with self.registry.cursor() as dialog_cr:
            env = api.Environment(dialog_cr, self.uid, {})
            order = env["print.order"].browse(order_id or self.ids["order"])
            action = order.action_request_change()
            wizard = env[action["res_model"]].with_context(**action["context"]).create({})
            wizard.line_ids.write(
                {
                    "to_change": True,
                    "reason_id": env.ref("print_change_request.reason_low_resolution").id,
                }
            )
        return wizard.with_env(wizard.env(cr=cr))

    def _ok_ok(self, wizard):
        """OK on the dialog, then OK on "The customer has already paid the order..."."""
        question = wizard.action_confirm()
        if question.get("res_model") != "print.refund.confirm.wizard":
            return question
        confirm = wizard.env[question["res_model"]].with_context(**question["context"]).create({})
        return confirm.action_refund_automatically()

    def test_01_two_operators_at_once_make_one_refund(self):
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            wizard1 = self._operator_wizard(cr1)
            wizard2 = self._operator_wizard(cr2)

            self._ok_ok(wizard1)  # operator 1 is refunding: the order's row is locked
            with self.assertRaisesRegex(UserError, "Another user is working on"):
                self._ok_ok(wizard2)  # operator 2 clicks at the same moment
            cr2.rollback()
            cr1.commit()

            # Operator 2 tries again once operator 1 is done: nothing is left to refund.
            wizard2 = wizard2.with_env(wizard2.env(cr=cr2))
            wizard2.invalidate_recordset()
            result = self._ok_ok(wizard2)
            self.assertEqual(result["tag"], "display_notification")
            cr2.commit()

        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            order = env["print.order"].browse(self.ids["order"])
            self.assertEqual(len(order.refund_ids), 1, "exactly one refund record")
            self.assertEqual(order.refund_ids.state, "done")
            self.assertEqual(len(order.change_request_ids), 2, "both requests were recorded")
            self.assertFalse(order.is_paid)
        stripe_refunds = (
            self.localstripe.client()
            .v1.refunds.list(params={"payment_intent": self.ids["intent"]})
            .data
        )
        self.assertEqual(len(stripe_refunds), 1, "exactly one refund on Stripe")
        self.assertEqual(stripe_refunds[0].amount, 2500)

    def test_02_same_dialog_confirmed_twice_refunds_once(self):
        with self.registry.cursor() as cr:
            wizard = self._operator_wizard(cr)
            self._ok_ok(wizard)
        with self.registry.cursor() as cr:  # the same dialog's OK again, a request later
            with self.assertRaisesRegex(UserError, "already sent"):
                self._ok_ok(wizard.with_env(wizard.env(cr=cr)))
            cr.rollback()
        stripe_refunds = (
            self.localstripe.client()
            .v1.refunds.list(params={"payment_intent": self.ids["intent"]})
            .data
        )
        self.assertEqual(len(stripe_refunds), 1)

    def test_03_two_operators_on_two_orders_of_one_customer_do_not_collide(self):
        """Each request e-mails the customer; Odoo used to write the customer's row each time
        (signup preparation), so the second operator waited for, then conflicted with, the
        first.  A short lock timeout turns such a wait into an error instead of a hang."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.uid, {})
            first = env["print.order"].browse(self.ids["order"])
            second = first.copy({"partner_id": first.partner_id.id})
            env["print.job"].sudo().create(
                {
                    "order_id": second.id,
                    "name": "Flyers",
                    "price_unit": 5.0,
                    "attachment_ids": [
                        Command.create(
                            {
                                "name": "flyer.pdf",
                                "raw": b"%PDF-1.4",
                                "mimetype": "application/pdf",
                            }
                        )
                    ],
                }
            )
            self.addCleanup(self._remove_order, second.id)
        with self.registry.cursor() as cr:
            # The customer got a first e-mail already (its signup is prepared).
            self._ok_ok(self._operator_wizard(cr))
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.uid, {})
            env["print.order"].browse(self.ids["order"]).action_customer_changed()
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            cr2.execute("SET lock_timeout = '2s'")
            self._ok_ok(self._operator_wizard(cr1))  # operator 1, not committed yet
            wizard2 = self._operator_wizard(cr2, order_id=second.id)
            result = self._ok_ok(wizard2)  # operator 2, another order of the same customer
            self.assertEqual(result["tag"], "display_notification")
            cr1.commit()
            cr2.commit()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            orders = env["print.order"].browse([self.ids["order"], second.id])
            self.assertEqual(orders.mapped("communication_state"), ["change_requested"] * 2)

    def _remove_order(self, order_id):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            order = env["print.order"].browse(order_id)
            order.job_ids.attachment_ids.unlink()
            cr.execute("DELETE FROM print_order WHERE id = %s", [order.id])

    def _commit_failed_refund(self):
        """The order's automatic refund failed (Stripe unreachable) and that is committed."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.uid, {})
            env["ir.config_parameter"].sudo().set_param(
                "print_change_request.stripe_api_base", f"http://127.0.0.1:{free_port()}"
            )
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.uid, {})
            self._ok_ok(self._operator_wizard(cr))
            env["ir.config_parameter"].sudo().set_param(
                "print_change_request.stripe_api_base", self.localstripe.url
            )
            refund = env["print.order"].browse(self.ids["order"]).refund_ids
            self.assertEqual(refund.state, "failed")
            env["print.order"].browse(self.ids["order"]).action_customer_changed()
            return refund.id  # committed as the block ends

    def _stripe_refund_count(self):
        return len(
            self.localstripe.client()
            .v1.refunds.list(params={"payment_intent": self.ids["intent"]})
            .data
        )

    def test_04_accountant_retrying_while_an_operator_requests_again_refunds_once(self):
        failed_id = self._commit_failed_refund()
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            wizard2 = self._operator_wizard(cr2)
            accountant = api.Environment(cr1, self.uid, {})
            accountant["print.refund"].browse(failed_id).action_retry()  # not committed yet
            with self.assertRaisesRegex(UserError, "Another user is working on"):
                self._ok_ok(wizard2)
            cr2.rollback()
            cr1.commit()
            wizard2 = wizard2.with_env(wizard2.env(cr=cr2))
            wizard2.invalidate_recordset()
            self._ok_ok(wizard2)  # again, once the accountant is done: nothing left to refund
            cr2.commit()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            order = env["print.order"].browse(self.ids["order"])
            self.assertEqual(
                order.refund_ids.filtered(lambda r: r.state == "done").ids, [failed_id]
            )
            self.assertFalse(order.is_paid)
        self.assertEqual(self._stripe_refund_count(), 1)

    def test_05_operator_requesting_while_an_accountant_retries_refunds_once(self):
        failed_id = self._commit_failed_refund()
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            self._ok_ok(self._operator_wizard(cr1))  # gives the money back, not committed yet
            accountant = api.Environment(cr2, self.uid, {})
            with self.assertRaisesRegex(UserError, "Another user is working on"):
                accountant["print.refund"].browse(failed_id).action_retry()
            cr2.rollback()
            cr1.commit()
            with self.assertRaisesRegex(UserError, "can be retried"):
                accountant["print.refund"].browse(failed_id).action_retry()
            cr2.rollback()
        self.assertEqual(self._stripe_refund_count(), 1)

    def test_06_a_decision_taken_on_a_stale_view_is_refused_and_played_again(self):
        """The accountant's request started before the operator's committed: the money lock
        refuses its stale view (Odoo then plays the request again on fresh data)."""
        failed_id = self._commit_failed_refund()
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            accountant = api.Environment(cr2, self.uid, {})
            self.assertEqual(accountant["print.refund"].browse(failed_id).state, "failed")
            self._ok_ok(self._operator_wizard(cr1))
            cr1.commit()
            with (
                self.assertRaises(psycopg2.OperationalError) as caught,
                mute_logger("odoo.sql_db"),
            ):
                accountant["print.refund"].browse(failed_id).action_retry()
            self.assertEqual(caught.exception.pgcode, errorcodes.SERIALIZATION_FAILURE)
            cr2.rollback()
        self.assertEqual(self._stripe_refund_count(), 1)

    def test_07_hourly_follow_up_leaves_what_changed_under_it_to_its_next_run(self):
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            cron = api.Environment(cr2, api.SUPERUSER_ID, {})["print.refund"]
            cron.search([]).mapped("state")  # the cron's transaction has begun
            self._ok_ok(self._operator_wizard(cr1))  # an operator refunds meanwhile
            cr1.commit()
            with mute_logger("odoo.sql_db"):
                cron._cron_follow_up_refunds()  # no error: that payment waits for next run
            cr2.commit()
            cron.invalidate_model()
            cron._cron_follow_up_refunds()  # the next run, on fresh data, finds it in order
            cr2.commit()
        self.assertEqual(self._stripe_refund_count(), 1)
