"""Odoo's own Stripe webhook and the addon's recording the same Stripe refund at the same
time, on two real cursors (two workers), and two payments of one order settling at once.

Like test_refund_concurrency.py, this commits on purpose on its own cursors (never the
test's) and removes what it committed.  A request that meets a serialization failure is
played again here as Odoo's ``service.model.retrying`` plays an HTTP request again."""

import threading

import psycopg2

from odoo import Command, api
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from ..controllers.stripe_webhook import PrintStripeController
from .common import CommittedStripePaymentMixin


@tagged("post_install", "-at_install")
class TestStripeWebhookConcurrency(CommittedStripePaymentMixin, TransactionCase):
    def setUp(self):
        super().setUp()  # the paid order, committed
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.uid, {})
            tx = env["print.order"].browse(self.ids["order"]).transaction_ids
            self.ids["tx"] = tx.id
        self.stripe_refund = (
            self.localstripe.client()
            .v1.refunds.create(params={"payment_intent": self.ids["intent"], "amount": 1000})
            .to_dict()
        )

    # ------------------------------------------------------------
    # The two webhooks, as their routes run them
    # ------------------------------------------------------------

    # Each call takes the environment of the request it plays, which the caller keeps until it
    # commits: a cursor's transaction holds its environments weakly and flushes only those
    # still alive, so writes left in the cache of an environment already collected would be
    # silently dropped at commit (as an HTTP request keeps ``request.env``).

    def _env(self, cr):
        return api.Environment(cr, api.SUPERUSER_ID, {})

    def _odoo_webhook(self, env):
        """What ``/payment/stripe/webhook`` does with ``charge.refunded`` for the refund."""
        tx = env["payment.transaction"].browse(self.ids["tx"])
        known = tx.child_transaction_ids.filtered(lambda t: t.operation == "refund").mapped(
            "provider_reference"
        )
        if self.stripe_refund["id"] in known:
            return
        refund_tx = PrintStripeController._create_refund_tx_from_refund(tx, self.stripe_refund)
        refund_tx._handle_notification_data("stripe", {"refund": self.stripe_refund})

    def _addon_webhook(self, env):
        env["print.refund"]._handle_stripe_refund_objects([self.stripe_refund])

    def _retrying(self, call, in_thread=False):
        """Play ``call(env)`` in a request of its own (a cursor, committed as it ends), again
        after a serialization failure, as Odoo does."""
        for _attempt in range(5):
            try:
                with self.registry.cursor() as cr:
                    if in_thread:
                        # the test's thread holds the registry's lock: no Registry() here
                        cr.transaction = api.Transaction(self.registry)
                        cr.execute("SET LOCAL lock_timeout = '30s'")
                    call(self._env(cr))
                return
            except psycopg2.OperationalError as error:
                if error.pgcode not in PG_CONCURRENCY_ERRORS_TO_RETRY:
                    raise
        raise AssertionError("still failing after 5 attempts")

    def _in_thread(self, call):
        """Run ``call(env)`` with retries on a cursor of its own in a thread (it may wait for
        a lock); return the thread and where its error goes."""
        outcome = {}

        def run():
            try:
                self._retrying(call, in_thread=True)
            except Exception as error:
                outcome["error"] = error

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread, outcome

    def _assert_one_refund(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            refund_txs = env["payment.transaction"].search(
                [
                    ("operation", "=", "refund"),
                    ("provider_reference", "=", self.stripe_refund["id"]),
                ]
            )
            self.assertEqual(len(refund_txs), 1, "one refund transaction")
            payments = env["account.payment"].search(
                [("payment_transaction_id", "in", refund_txs.ids)]
            )
            self.assertEqual(len(payments), 1, "one outbound payment")
            order = env["print.order"].browse(self.ids["order"])
            self.assertEqual(len(order.refund_ids), 1)
            self.assertEqual(order.refund_ids.refund_transaction_id, refund_txs)
            self.assertEqual(order.amount_paid, 15.0)

    # ------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------

    def test_01_odoo_webhook_while_ours_records_the_refund(self):
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            env1 = self._env(cr1)
            self._addon_webhook(env1)  # not committed yet
            thread, outcome = self._in_thread(self._odoo_webhook)  # waits for the order
            thread.join(timeout=2)
            self.assertTrue(thread.is_alive(), "Odoo's webhook waits for ours")
            # Stripe's retry of our webhook meanwhile: busy, Stripe sends it again later
            with self.assertRaisesRegex(UserError, "Another user is working"):
                self._addon_webhook(self._env(cr2))
            cr2.rollback()
            with mute_logger("odoo.sql_db"):
                cr1.commit()
                thread.join(timeout=60)
            self.assertFalse(thread.is_alive())
            self.assertFalse(outcome.get("error"), outcome.get("error"))
            self._retrying(self._addon_webhook)  # Stripe's retry, later
        self._assert_one_refund()

    def test_02_our_webhook_while_odoo_webhook_records_the_refund(self):
        with self.registry.cursor() as cr1:
            env1 = self._env(cr1)
            self._odoo_webhook(env1)  # not committed yet
            thread, outcome = self._in_thread(self._odoo_webhook)  # Stripe's retry of it
            thread.join(timeout=2)
            self.assertTrue(thread.is_alive(), "the retry waits for the first delivery")
            with self.registry.cursor() as cr2:
                with self.assertRaisesRegex(UserError, "Another user is working"):
                    self._addon_webhook(self._env(cr2))
                cr2.rollback()
                with mute_logger("odoo.sql_db"):
                    cr1.commit()
                    thread.join(timeout=60)
                self.assertFalse(thread.is_alive())
                self.assertFalse(outcome.get("error"), outcome.get("error"))
                self._retrying(self._addon_webhook)
        self._assert_one_refund()

    def test_03_two_payments_of_one_order_settling_at_once_flag_one_excess(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            order = env["print.order"].browse(self.ids["order"])
            unpaid = order.copy({"partner_id": order.partner_id.id})
            env["print.job"].create(
                {
                    "order_id": unpaid.id,
                    "name": "Flyers",
                    "price_unit": 25.0,
                    "attachment_ids": [
                        Command.create(
                            {"name": "f.pdf", "raw": b"%PDF-1.4", "mimetype": "application/pdf"}
                        )
                    ],
                }
            )
            total = unpaid.amount_total
            self.assertTrue(total)
            source = env["payment.transaction"].browse(self.ids["tx"])
            txs = env["payment.transaction"]
            for tab in (1, 2):
                txs |= source.copy(
                    {
                        "amount": total,
                        "reference": f"TAB{tab}-{unpaid.id}",
                        "print_order_ids": [Command.set(unpaid.ids)],
                        "provider_reference": f"pi_tab{tab}_{unpaid.id}",
                        "state": "draft",
                    }
                )
        self.addCleanup(self._remove_order, unpaid.id)

        def settle(index):
            def call(env):
                env["payment.transaction"].browse(txs.ids[index])._set_done()

            return call

        with self.registry.cursor() as cr1:
            env1 = self._env(cr1)
            settle(0)(env1)  # tab 1 settles, not committed yet
            thread, outcome = self._in_thread(settle(1))  # tab 2 settles meanwhile
            thread.join(timeout=2)
            self.assertTrue(thread.is_alive(), "tab 2 waits for tab 1")
            with mute_logger("odoo.sql_db"):
                cr1.commit()
                thread.join(timeout=60)
            self.assertFalse(outcome.get("error"), outcome.get("error"))
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            order = env["print.order"].browse(unpaid.id)
            self.assertRecordValues(
                order.refund_ids,
                [{"origin": "overpaid", "amount": total, "to_check": True, "state": "draft"}],
            )
            self.assertEqual(order.amount_paid, total)

    def _remove_order(self, order_id):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            order = env["print.order"].browse(order_id)
            order.refund_ids.activity_ids.unlink()
            order.refund_ids.unlink()
            order.job_ids.attachment_ids.unlink()
            cr.execute("DELETE FROM print_order WHERE id = %s", [order_id])
