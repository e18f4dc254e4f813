"""Six accountants' clicks on Send refund at the same moment, on a provider whose refund stays
under way (the demo provider capturing manually leaves the refund transaction authorized):
one refund transaction.  Real cursors on committed data (removed afterwards), one thread per
click, each played again by Odoo's own retry on a concurrent update, as its HTTP layer does."""

# Clicks in parallel must see each other's work: this test commits on purpose, on its own
# cursors only (never the test's), and removes what it committed.

import threading
import time

from odoo import Command, api
from odoo.exceptions import UserError
from odoo.modules.registry import DummyRLock, Registry
from odoo.service.model import retrying
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .committed_data import commit_test_provider, create_one_job_order

CLICKS = 6
STAGGER = 0.3  # seconds between two clicks
TIMEOUT = 60


@tagged("post_install", "-at_install")
class TestRefundUnderWayConcurrency(TransactionCase):
    def setUp(self):
        super().setUp()
        # The test runner holds the registries' lock while it runs the tests; the clicks use
        # real cursors of their own on committed data, as requests do.
        self.patch(Registry, "_lock", DummyRLock())
        self.uid = self.env.ref("base.user_admin").id
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            self.ids = self._commit_overpaid_order(env)
        self.addCleanup(self._remove_committed_data)

    def _commit_overpaid_order(self, env):
        company = env.ref("base.main_company")
        provider = commit_test_provider(
            env,
            "payment.payment_provider_demo",
            {
                "name": "Demo capturing manually (concurrency test)",
                "company_id": company.id,
                "state": "test",
                "capture_manually": True,
                "payment_method_ids": [
                    Command.set(env.ref("payment_demo.payment_method_demo").ids)
                ],
            },
        )
        order = create_one_job_order(env, company, "Twice Paying", "twice.paying@example.com")
        for tab in (1, 2):  # two browser tabs paid the order: the second is an excess
            env["payment.transaction"].sudo().create(
                {
                    "provider_id": provider.id,
                    "payment_method_id": env.ref("payment_demo.payment_method_demo").id,
                    "reference": f"UNDERWAY-{order.id}-{tab}",
                    "amount": 25.0,
                    "currency_id": order.currency_id.id,
                    "partner_id": order.partner_id.id,
                    "print_order_ids": [Command.link(order.id)],
                }
            )._set_done()
        refund = order.refund_ids
        assert refund.origin == "overpaid" and refund.state == "draft", refund.read()
        return {"order": order.id, "provider": provider.id, "refund": refund.id}

    def _remove_committed_data(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            order = env["print.order"].browse(self.ids["order"])
            refunds = order.refund_ids
            refund_txs = refunds.refund_transaction_id
            refunds.activity_ids.unlink()
            refunds.unlink()
            (refund_txs | order.transaction_ids).unlink()
            order.job_ids.attachment_ids.unlink()
            cr.execute("DELETE FROM print_order WHERE id = %s", [order.id])
            env["payment.provider"].browse(self.ids["provider"]).state = "disabled"

    def _click_send(self, barrier, answers, index):
        """One accountant's click: the page was read (the request's snapshot begins) with
        the others, the click lands a moment later, while or after the first one sends."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.uid, {})
            refund = env["print.refund"].browse(self.ids["refund"])
            self.assertEqual(refund.state, "draft")
            barrier.wait(TIMEOUT)
            time.sleep(index * STAGGER)
            try:
                retrying(refund.action_send, env)
                answers[index] = "sent"
            except UserError as error:
                answers[index] = str(error)

    def test_01_six_clicks_on_send_at_once_make_one_refund_transaction(self):
        barrier = threading.Barrier(CLICKS)
        answers = [None] * CLICKS
        threads = [
            threading.Thread(target=self._click_send, args=(barrier, answers, index))
            for index in range(CLICKS)
        ]
        with mute_logger("odoo.sql_db", "odoo.service.model"):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(TIMEOUT)
        self.assertFalse(any(thread.is_alive() for thread in threads))
        self.assertEqual(answers.count("sent"), 1, answers)
        for answer in answers:
            if answer != "sent":
                self.assertRegex(
                    answer, "Another user is working|only an automatic refund not sent yet"
                )
        # One more click and the hourly pass, once the dust settled: still one.
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.uid, {})
            refund = env["print.refund"].browse(self.ids["refund"])
            with self.assertRaisesRegex(UserError, "only an automatic refund not sent yet"):
                refund.action_send()
            cr.rollback()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.uid, {})
            env["print.refund"].sudo()._cron_follow_up_refunds()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.uid, {})
            refund = env["print.refund"].browse(self.ids["refund"])
            source = refund.source_transaction_id.sudo()
            refund_txs = source.child_transaction_ids.filtered(lambda tx: tx.operation == "refund")
            self.assertEqual(len(refund_txs), 1, "one refund, one refund transaction")
            self.assertEqual(refund_txs.state, "authorized")
            self.assertRecordValues(
                refund, [{"state": "pending", "refund_transaction_id": refund_txs.id}]
            )
