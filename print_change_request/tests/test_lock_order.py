"""Locks are taken in one order everywhere: an order's row before its jobs' rows.

A payment settling locks its print orders, then recomputes their jobs' "Job is paid"
(an UPDATE of the job rows).  A path that wrote the jobs first and the order second
(an operator's "Customer changed it", a ticket edit) deadlocked with it: PostgreSQL
killed one of the two after a second, Odoo logged an ERROR and played the request again.
Here two real cursors stand for the two requests, on data committed for the purpose."""

# Two real transactions must see each other's locks: this test commits on purpose, on its
# own cursors only (never the test's), and removes what it committed.

import psycopg2
from psycopg2 import errorcodes

from odoo import Command, api
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from ..models.print_row_lock_mixin import lock_rows


@tagged("post_install", "-at_install")
class TestLockOrder(TransactionCase):
    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            operator = env["res.users"].search([("login", "=", "pcr_lock_operator")])
            if not operator:
                operator = env["res.users"].create(
                    {
                        "name": "Lock Operator",
                        "login": "pcr_lock_operator",
                        "email": "lock.operator@example.com",
                        "groups_id": [
                            (4, env.ref("print_change_request.group_print_operator").id)
                        ],
                    }
                )
            partner = env["res.partner"].create(
                {"name": "Lock Customer", "email": "lock@example.com"}
            )
            order = env["print.order"].create({"partner_id": partner.id})
            jobs = env["print.job"].create(
                [
                    {"order_id": order.id, "name": name, "price_unit": 5.0}
                    for name in ("Flyers", "Posters")
                ]
            )
            jobs._mark_change_requested()
            self.operator_id, self.order_id, self.job_ids = operator.id, order.id, jobs.ids
        self.addCleanup(self._remove_committed_data)

    def _remove_committed_data(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM print_order WHERE id = %s", [self.order_id])

    def _hold_order_like_a_payment(self, cr):
        """What payment.transaction._update_state does first: lock the paid orders."""
        cr.execute("SELECT id FROM print_order WHERE id = %s FOR UPDATE", [self.order_id])

    def _jobs_are_free(self, cr):
        """Can the payment go on and recompute the jobs' "Job is paid" without waiting?"""
        cr.execute("SET LOCAL lock_timeout = '200ms'")
        try:
            with cr.savepoint(flush=False), mute_logger("odoo.sql_db"):
                cr.execute(
                    "UPDATE print_job SET is_paid = is_paid WHERE id IN %s", [tuple(self.job_ids)]
                )
        except psycopg2.OperationalError as error:
            if error.pgcode != errorcodes.LOCK_NOT_AVAILABLE:
                raise
            return False
        return True

    def test_01_customer_changed_waits_for_the_payment_without_taking_the_jobs(self):
        with self.registry.cursor() as payment_cr, self.registry.cursor() as operator_cr:
            self._hold_order_like_a_payment(payment_cr)
            # never hang the test run: a wait on a lock ends in an error after 1 s
            operator_cr.execute("SET LOCAL lock_timeout = '1s'")
            order = api.Environment(operator_cr, self.operator_id, {})["print.order"].browse(
                self.order_id
            )
            with self.assertRaises(Exception) as caught, mute_logger("odoo.sql_db"):
                order.action_customer_changed()
                order.env.flush_all()
            self.assertIsInstance(caught.exception, UserError, "the operator waited on the order")
            self.assertIn("Another user is working on", str(caught.exception))
            self.assertTrue(
                self._jobs_are_free(payment_cr),
                "the operator's transaction locked the jobs before their order",
            )
            payment_cr.rollback()
            operator_cr.rollback()
            # Once the payment is done, the operator's click goes through.
            order.env.invalidate_all()
            order.action_customer_changed()
            order.env.flush_all()
            self.assertEqual(order.communication_state, "changed")
            operator_cr.rollback()

    def test_02_a_ticket_edit_queues_behind_the_payment_on_the_order_row(self):
        with self.registry.cursor() as payment_cr, self.registry.cursor() as operator_cr:
            self._hold_order_like_a_payment(payment_cr)
            operator_cr.execute("SET LOCAL lock_timeout = '200ms'")
            job = api.Environment(operator_cr, self.operator_id, {})["print.job"].browse(
                self.job_ids[0]
            )
            # The edit waits on the order's row (here until its lock_timeout), before any job
            # row is written: the payment can recompute the jobs meanwhile.
            with (
                self.assertRaises(psycopg2.OperationalError) as caught,
                mute_logger("odoo.sql_db"),
            ):
                job.write({"copies": 3})
            self.assertEqual(caught.exception.pgcode, errorcodes.LOCK_NOT_AVAILABLE)
            operator_cr.rollback()
            self.assertTrue(self._jobs_are_free(payment_cr))
            payment_cr.rollback()

    def test_03_a_dialog_on_an_order_held_by_a_money_path_does_not_wait(self):
        """A money path (a payment settling, a refund sent to Stripe) holds the order's row
        with the addon's lock, touched, for as long as the provider answers.  An operator
        opening the Request for change dialog on that order links it (a row whose foreign
        key points at the order): that check must not queue behind the provider call, and
        the money lock must still exclude a second money path."""
        with self.registry.cursor() as payment_cr, self.registry.cursor() as operator_cr:
            self.assertTrue(lock_rows(payment_cr, "print_order", [self.order_id], touch=True))
            operator_cr.execute("SET LOCAL lock_timeout = '200ms'")
            env = api.Environment(operator_cr, self.operator_id, {})
            wizard = env["print.change.request.wizard"].create(
                {"order_ids": [Command.set([self.order_id])]}
            )
            env.flush_all()
            self.assertEqual(wizard.order_ids.ids, [self.order_id])
            operator_cr.rollback()
            # a second money path is still told at once that the order is held
            with self.registry.cursor() as other_money_cr:
                self.assertFalse(lock_rows(other_money_cr, "print_order", [self.order_id]))
            payment_cr.rollback()

    def test_04_odoo_post_processing_takes_the_payment_before_its_journal_entry(self):
        """Odoo's post-processing of a payment (its cron, the customer's status poll) makes
        the payment's journal entry, then writes the transaction.  A money path holding the
        transaction and posting its own entry then deadlocked with it (each waiting on the
        other's row or entry number).  The post-processing must wait for the transaction's
        row before it writes anything."""
        tx_id = self._commit_done_payment("LOCK-POST-PROCESS")
        context = self._post_process_while_held(tx_id, "payment_transaction", tx_id)
        # it waited on the transaction's row before making any entry (not while writing
        # the transaction after its entry: "while updating tuple")
        self.assertIn("while locking tuple", context)

    def test_05_odoo_post_processing_takes_the_order_first(self):
        """A money path holds the order (a refund's entry being made, its jobs' "Job is
        paid" updated): Odoo's post-processing of another payment of that order waits for
        the order before it makes its own entry or touches the jobs.  It took the payment
        only, then made its entry and waited for the jobs, while the money path waited for
        the entry's number: a deadlock (seen in the load harness)."""
        tx_id = self._commit_done_payment("LOCK-POST-PROCESS-ORDER")
        context = self._post_process_while_held(tx_id, "print_order", self.order_id)
        self.assertIn("while locking tuple", context)  # before writing anything
        self.assertIn('relation "print_order"', context)

    def _post_process_while_held(self, tx_id, table, row_id):
        """Odoo's post-processing of the committed payment ``tx_id`` while a money path holds
        the row ``row_id`` of ``table``: it must wait for it (lock timeout); the context of
        the wait ("while locking tuple ... in relation ...")."""
        with self.registry.cursor() as money_cr, self.registry.cursor() as cron_cr:
            self.assertTrue(lock_rows(money_cr, table, [row_id], touch=True))
            cron_cr.execute("SET LOCAL lock_timeout = '300ms'")
            tx = api.Environment(cron_cr, api.SUPERUSER_ID, {})["payment.transaction"].browse(
                tx_id
            )
            with (
                self.assertRaises(psycopg2.OperationalError) as caught,
                mute_logger("odoo.sql_db"),
            ):
                tx._post_process()
                tx.env.flush_all()
            self.assertEqual(caught.exception.pgcode, errorcodes.LOCK_NOT_AVAILABLE)
            cron_cr.rollback()
            money_cr.rollback()
        return caught.exception.diag.context or ""

    def _commit_done_payment(self, prefix):
        """A demo payment of the order, done and committed (not post-processed yet); its id.
        Removed after the test."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            order = env["print.order"].browse(self.order_id)
            provider = env.ref("payment.payment_provider_demo")
            tx = env["payment.transaction"].create(
                {
                    "provider_id": provider.id,
                    "payment_method_id": provider.payment_method_ids[:1].id,
                    "reference": f"{prefix}-{order.id}",
                    "amount": order.amount_total,
                    "currency_id": order.currency_id.id,
                    "partner_id": order.partner_id.id,
                    "print_order_ids": [Command.link(order.id)],
                }
            )
            tx._set_done()
            tx_id = tx.id
        self.addCleanup(self._remove_transaction, tx_id)
        return tx_id

    def _remove_transaction(self, tx_id):
        with self.registry.cursor() as cr:
            cr.execute(
                "DELETE FROM print_order_transaction_rel WHERE transaction_id = %s", [tx_id]
            )
            cr.execute("DELETE FROM payment_transaction WHERE id = %s", [tx_id])
