"""The background preflight's queue (issue 22, item 10): one customer's many files do not
hold the next customer's back, a run ends within the time the cron worker surely has left
and triggers the next one, and a check whose run was killed is started again a bounded
number of times, then the file is marked as not checkable and the queue goes on."""

import hashlib
import threading
import time
import weakref
from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.tests import BaseCase, tagged
from odoo.tools import SQL

from ..lib import preflight, preflight_queue
from . import preflight_samples as samples
from .common import PrintCommon


@tagged("post_install", "-at_install")
class TestPreflightQueueLib(BaseCase):
    def test_01_a_prefork_worker_budgets_its_idle_wait(self):
        # 120 s of watchdog, of which the worker's sleep (60 s + jitter) may already be gone.
        self.assertEqual(preflight_queue.worker_capacity(120, True, 60), 45)
        self.assertEqual(preflight_queue.worker_capacity(120, False, 60), 115)
        self.assertEqual(preflight_queue.worker_capacity(120, True, 60, run_seconds=10), 10)
        self.assertEqual(preflight_queue.worker_capacity(0, True, 60), 90, "no limit")
        self.assertEqual(preflight_queue.file_time_limit(45, 60), 36)
        self.assertEqual(preflight_queue.file_time_limit(115, 60), 60)

    def test_02_fair_order_takes_turns_least_recently_served_first(self):
        files = [(f"a{n}", "A", n, 5) for n in range(1, 5)]
        files += [("b1", "B", 9, None), ("c1", "C", 7, 3), ("c2", "C", 8, 3)]
        self.assertEqual(
            preflight_queue.fair_order(files), ["b1", "c1", "a1", "c2", "a2", "a3", "a4"]
        )


@tagged("post_install", "-at_install")
class TestPreflightQueue(PrintCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.paper.write({"print_media_width_mm": 210, "print_media_height_mm": 297})
        cls.other_customer = cls.env["res.partner"].create({"name": "Bea Other"})
        cls.cron = cls.env.ref("print_change_request.ir_cron_preflight")

    def setUp(self):
        super().setUp()
        params = self.env["ir.config_parameter"].sudo()
        # Every file goes to the background (bigger than the quick check's size).
        params.set_param("print_change_request.preflight_sync_max_mb", "0.001")
        self.scans = []
        real = preflight.scan_file_isolated

        def counted(name, data, *args, **kwargs):
            self.scans.append(name)
            return real(name, data, *args, **kwargs)

        patcher = patch.object(preflight, "scan_file_isolated", counted)
        patcher.start()
        self.addCleanup(patcher.stop)

    def _job(self, partner, files):
        """A job of ``partner`` with ``files`` ({name: bytes}), attached by an operator."""
        env = self.env(user=self.operator)
        order = env["print.order"].create({"partner_id": partner.id})
        return env["print.job"].create(
            {
                "order_id": order.id,
                "name": "Flyers",
                "product_id": self.paper.id,
                "attachment_ids": [
                    Command.create({"name": name, "raw": data}) for name, data in files.items()
                ],
            }
        )

    def _triggers(self):
        return self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])

    def _run_cron(self):
        started = time.monotonic()
        self.cron.method_direct_trigger()
        return time.monotonic() - started

    @staticmethod
    def _checksum(data):
        return hashlib.sha1(data).hexdigest()

    def _scan_row(self, data):
        return self.env["print.preflight.scan"].search(
            [("checksum", "=", self._checksum(data)), ("file_type", "=", ".pdf")]
        )

    def _set_run_seconds(self, seconds):
        self.env["ir.config_parameter"].sudo().set_param(
            "print_change_request.preflight_run_seconds", str(seconds)
        )

    def test_01_the_next_customer_is_picked_in_the_first_batch(self):
        flood = self._job(
            self.customer, {f"a{pages}.pdf": samples.clean_pdf(pages=pages) for pages in (1, 2, 3)}
        )
        flood_2 = self._job(
            self.customer, {f"a{pages}.pdf": samples.clean_pdf(pages=pages) for pages in (4, 5)}
        )
        honest = self._job(self.other_customer, {"b.pdf": samples.fonts_pdf()})
        self.assertEqual((flood | flood_2 | honest).mapped("preflight_state"), ["pending"] * 3)
        self.assertEqual(self.scans, [])
        self._run_cron()
        self.assertEqual(len(self.scans), 6)
        self.assertIn("b.pdf", self.scans[:2], "the other customer's turn comes second at worst")
        self.assertEqual(self.scans[:2], ["a1.pdf", "b.pdf"], "one file of each in turn")
        self.assertEqual(honest.preflight_state, "warning")
        self.assertEqual((flood | flood_2).mapped("preflight_state"), ["ok", "ok"])

        # The turns count every order's files, not only the jobs still waiting: A's last
        # file was read after B's, so B's next job goes before A's next one.
        self.scans.clear()
        self._job(self.customer, {"a6.pdf": samples.clean_pdf(pages=6)})
        self._job(self.other_customer, {"b1.pdf": samples.clean_pdf(pages=14)})
        self._run_cron()
        self.assertEqual(self.scans, ["b1.pdf", "a6.pdf"])

        # While a customer's files wait, the customer served longest ago goes first: A was
        # just served (a run too short for all of A's files), so B's new file comes first.
        self._set_run_seconds(3)
        self.scans.clear()
        flood_3 = self._job(
            self.customer,
            {f"a{pages}.pdf": samples.clean_pdf(pages=pages) for pages in range(7, 14)},
        )
        self._run_cron()
        self.assertTrue(self.scans)
        self.assertEqual(flood_3.preflight_state, "pending", "more than one run's work")
        self.scans.clear()
        self._job(self.other_customer, {"b2.pdf": samples.clean_pdf(pages=20)})
        self._run_cron()
        self.assertEqual(self.scans[0], "b2.pdf")

    def test_02_a_run_ends_within_its_budget_and_triggers_the_next(self):
        self._set_run_seconds(3)
        job = self._job(
            self.customer,
            {f"p{pages}.pdf": samples.clean_pdf(pages=pages) for pages in range(1, 9)},
        )
        self.assertEqual(job.preflight_state, "pending")
        self._triggers().unlink()
        limits = self.env["print.job"]._preflight_limits()
        self.assertEqual(limits["cron_budget"], 3)
        self.assertAlmostEqual(limits["background_timeout"], 2.4)
        runs = []
        while job.preflight_state == "pending" and len(runs) < 20:
            before = len(self.scans)
            runs.append((self._run_cron(), len(self.scans) - before))
            if job.preflight_state == "pending":
                self.assertTrue(self._triggers(), "a run that leaves files triggers the next")
                self._triggers().unlink()
        self.assertEqual(job.preflight_state, "ok", runs)
        self.assertGreater(len(runs), 1, f"not all in one run: {runs}")
        self.assertEqual(sum(count for _seconds, count in runs), 8, "each file read once")
        for seconds, count in runs:
            self.assertGreater(count, 0, "each run gets on")
            self.assertLess(seconds, 3 + 1.0, f"each run ends within its budget: {runs}")
        self.assertFalse(self._triggers(), "nothing left: no trigger")

    def test_03_a_pass_that_used_its_time_starts_no_file(self):
        """The jobs run before this one in the cron worker's pass count: with no time left
        for a whole file, nothing starts and the cron is triggered for a fresh pass."""
        job = self._job(self.customer, {"late.pdf": samples.clean_pdf(pages=2)})
        self._triggers().unlink()
        budget = self.env["print.job"]._preflight_limits()["cron_budget"]
        thread = threading.current_thread()
        thread.print_cron_pass = (weakref.ref(self.env.cr), time.monotonic() - budget + 1)
        self.addCleanup(delattr, thread, "print_cron_pass")
        done = self.env["print.job"].with_context(cron_id=self.cron.id)._cron_preflight_pending()
        self.assertEqual((done, self.scans), (0, []))
        self.assertEqual(job.preflight_state, "pending")
        self.assertTrue(self._triggers())
        # Outside of a cron pass (Run manually) the run counts from its own start.
        self.assertEqual(self.env["print.job"]._cron_preflight_pending(), 1)
        self.assertEqual(job.preflight_state, "ok")

    def test_04_a_killed_check_is_retried_then_marked_and_the_queue_goes_on(self):
        once = samples.clean_pdf(pages=2)
        killed = samples.clean_pdf(pages=3)
        job_once = self._job(self.customer, {"once.pdf": once})
        job_killed = self._job(self.customer, {"killed.pdf": killed})
        job_next = self._job(self.other_customer, {"next.pdf": samples.clean_pdf(pages=4)})
        # Runs killed by the watchdog while reading them: started an hour ago, no outcome.
        an_hour_ago = fields.Datetime.now() - timedelta(hours=1)
        for data, attempts in ((once, 1), (killed, preflight_queue.MAX_ATTEMPTS)):
            self.env.cr.execute(
                SQL(
                    "INSERT INTO print_preflight_scan (checksum, file_type, attempts, started_on)"
                    " VALUES (%s, '.pdf', %s, %s)",
                    self._checksum(data),
                    attempts,
                    an_hour_ago,
                )
            )
        self._run_cron()
        self.assertNotIn("killed.pdf", self.scans, "not started a fourth time")
        self.assertEqual(sorted(self.scans), ["next.pdf", "once.pdf"])
        self.assertEqual(job_once.preflight_state, "ok", "tried again")
        self.assertEqual(job_next.preflight_state, "ok", "the queue goes on")
        self.assertEqual(job_killed.preflight_state, "error")
        finding = job_killed.preflight_finding_ids
        self.assertEqual(finding.code, "damaged")
        self.assertIn("cannot be checked", finding.message)
        self.assertIn("stopped 3 times", finding.message)
        for data, attempts in ((killed, preflight_queue.MAX_ATTEMPTS + 1), (once, 2)):
            row = self._scan_row(data)
            self.assertEqual(row.attempts, attempts)
            self.assertGreater(row.started_on, an_hour_ago, "started again now")
        self.assertFalse(self.env["print.job"].search([("preflight_state", "=", "pending")]))
        # Nothing is read again.
        self._run_cron()
        self.assertEqual(len(self.scans), 2)
