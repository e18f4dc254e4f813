"""A hostile file (issue 13): a 64 KB PDF whose content sets a color millions of times in a
chain of /Indexed color spaces.  It is read once per content whatever the route, its
time-out is kept, the background marks it as not checkable and goes on with the next
customer's file, and the child process never outlives the process that started it."""

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from unittest.mock import patch

from odoo.tests import BaseCase, tagged

from ..lib import preflight
from . import preflight_samples as samples
from .portal_common import PrintPortalCommon, make_pdf

A4 = preflight.PrintSpec(width_mm=210, height_mm=297)
CHILD_SCRIPT = os.path.abspath(preflight.__file__)


def _processes():
    """``{pid: (ppid, state, cmdline)}`` of the machine's processes (Linux ``/proc``)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        found[int(entry)] = (int(fields[1]), fields[0], cmdline.decode(errors="replace"))
    return found


def _preflight_children():
    """Live (not zombie) child processes of this addon's preflight."""
    return {
        pid: info
        for pid, info in _processes().items()
        if CHILD_SCRIPT in info[2] and info[1] != "Z"
    }


def _wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    return condition()


@tagged("post_install", "-at_install")
class TestPreflightHostileLib(BaseCase):
    def test_01_color_spaces_are_resolved_once_not_per_color_set(self):
        calls = []
        real = preflight._color_space_kind

        def counted(*args, **kwargs):
            calls.append(args[0])
            return real(*args, **kwargs)

        counts = []
        for operators in (20_000, 60_000):
            calls.clear()
            with patch.object(preflight, "_color_space_kind", counted):
                report = preflight.check_file(
                    "chain.pdf", samples.indexed_color_chain_pdf(operators), A4
                )
            self.assertTrue(report.scanned)
            self.assertFalse(report.findings)
            counts.append(len(calls))
        self.assertEqual(counts[0], counts[1], "the cost does not grow with the color sets")
        self.assertLess(counts[1], 20)

    def test_02_a_ticket_judges_a_scan_again_without_reading_the_file(self):
        scan = preflight.scan_file("photo.png", samples.image((1252, 1772), "RGB"))
        self.assertEqual(scan.findings, [], "a scan alone has no ticket's findings")
        color = preflight.apply_ticket(scan, A4)
        self.assertEqual(color.findings[0].key, "color_space_rgb")
        bw = preflight.apply_ticket(scan, preflight.PrintSpec(210, 297, color_mode="bw"))
        self.assertEqual(bw.findings[0].key, "color_space_bw")
        strict = preflight.apply_ticket(scan, preflight.PrintSpec(210, 297, min_dpi=300))
        self.assertEqual(strict.codes, ["low_resolution", "color_space"])

    def test_03_the_child_dies_with_the_process_that_started_it(self):
        """An Odoo worker killed for its time limit (SIGKILL) takes its child along."""
        code = textwrap.dedent(
            f"""
            import importlib.util, sys
            spec = importlib.util.spec_from_file_location("pcr_preflight", {CHILD_SCRIPT!r})
            preflight = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(preflight)
            data = sys.stdin.buffer.read()
            preflight.scan_file_isolated("chain.pdf", data, timeout=300, cache=False)
            """
        )
        worker = subprocess.Popen(  # a stand-in for the Odoo worker
            [sys.executable, "-c", code], stdin=subprocess.PIPE
        )
        child = None
        try:
            worker.stdin.write(samples.indexed_color_chain_pdf())
            worker.stdin.close()
            children = _wait_for(
                lambda: [
                    pid for pid, info in _preflight_children().items() if info[0] == worker.pid
                ],
                30,
            )
            self.assertTrue(children, "the worker started its child")
            child = children[0]
            worker.kill()
            worker.wait()
            self.assertTrue(
                _wait_for(lambda: child not in _preflight_children(), 10),
                "the child is killed with its worker, not left running under PID 1",
            )
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
            if child and child in _preflight_children():
                os.kill(child, signal.SIGKILL)


@tagged("post_install", "-at_install")
class TestPreflightHostilePortal(PrintPortalCommon):
    def setUp(self):
        super().setUp()
        self.hostile = samples.indexed_color_chain_pdf()
        # The fixture's files, read now (their contents were replaced after they were stored).
        (self.order.job_ids | self.other_order.job_ids)._preflight_run(background=True)
        params = self.env["ir.config_parameter"].sudo()
        # Short limits keep the test short; the hostile file needs far more than these.
        params.set_param("print_change_request.preflight_sync_timeout", "3")
        params.set_param("print_change_request.preflight_background_timeout", "6")
        self.scans = []
        real = preflight.scan_file_isolated

        def counted(name, data, *args, **kwargs):
            self.scans.append(name)
            return real(name, data, *args, **kwargs)

        patcher = patch.object(preflight, "scan_file_isolated", counted)
        patcher.start()
        self.addCleanup(patcher.stop)

    def _scan_row(self, data, name="chain.pdf"):
        return self.env["print.preflight.scan"].search(
            [
                ("checksum", "=", hashlib.sha1(data).hexdigest()),
                ("file_type", "=", preflight.file_type_key(name)),
            ]
        )

    def test_01_the_hostile_pdf_is_read_once_and_its_time_out_kept(self):
        response = self._upload(self.job_1, [("chain.pdf", self.hostile)])
        self._assert_done(response, "uploaded")
        self.assertEqual(self.scans, ["chain.pdf"], "one check for the upload and the storing")
        row = self._scan_row(self.hostile)
        self.assertRecordValues(row, [{"timed_out": True}])
        self.assertLessEqual(row.time_limit, 3)
        self.job_1.invalidate_recordset()
        self.assertEqual(self.job_1.preflight_state, "pending")
        self.assertFalse(_preflight_children(), "no child left running")
        # The same content again (another job, a color change): the kept outcome, no check.
        self.job_1.with_user(self.operator).color_mode = "bw"
        self.assertEqual(self.scans, ["chain.pdf"])

        # The next customer's file, too big for the quick check, waits behind it.
        self.env["ir.config_parameter"].sudo().set_param(
            "print_change_request.preflight_sync_max_mb", "0.001"
        )
        next_job = self.other_order.job_ids[0]
        next_job.with_user(self.operator).attachment_ids = [
            (0, 0, {"name": "leaflet.pdf", "raw": make_pdf("Next customer", pages=3)})
        ]
        self.assertEqual(next_job.preflight_state, "pending")
        self.assertEqual(self.scans, ["chain.pdf"])

        cron = self.env.ref("print_change_request.ir_cron_preflight")
        cron.method_direct_trigger()
        self.assertEqual(self.scans, ["chain.pdf", "chain.pdf", "leaflet.pdf"])
        self.assertEqual(self.job_1.preflight_state, "error", "marked, not tried forever")
        finding = self.job_1.preflight_finding_ids.filtered(
            lambda found: found.file_name == "chain.pdf"
        )
        self.assertEqual(finding.code, "damaged")
        self.assertIn("cannot be checked", finding.message)
        self.assertIn("not checked within 6 s", finding.message)
        self.assertEqual(finding.reason_id, self.env.ref("print_change_request.reason_damaged"))
        self.assertIn(next_job.preflight_state, ("ok", "warning"))
        self.assertFalse(self.env["print.job"].search([("preflight_state", "=", "pending")]))
        self.assertTrue(cron.active, "the cron is not turned off")
        self.assertFalse(_preflight_children(), "no child left running")
        # Another run reads nothing again.
        cron.method_direct_trigger()
        self.job_1.with_user(self.operator).action_preflight()
        self.assertEqual(len(self.scans), 3)
