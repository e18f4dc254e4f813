import threading
import time
import weakref

from odoo import models


class IrCron(models.Model):
    """Notes on the cron thread when its pass over the ready jobs started, so that a job can
    tell how much of the cron worker's time limit the jobs before it used
    (:meth:`_get_pass_elapsed`)."""

    _inherit = "ir.cron"

    @classmethod
    def _process_job(cls, db, cron_cr, job):
        # Every job of one pass is run with the pass's cursor (ir.cron._process_jobs): the
        # first job that sees a new cursor starts the pass.
        thread = threading.current_thread()
        mark = getattr(thread, "print_cron_pass", None)
        if mark is None or mark[0]() is not cron_cr:
            thread.print_cron_pass = (weakref.ref(cron_cr), time.monotonic())
        return super()._process_job(db, cron_cr, job)

    def _get_pass_elapsed(self):
        """Seconds since the running cron pass started, or None outside of a cron pass (a
        method called directly, e.g. *Run manually*)."""
        if not self.env.context.get("cron_id"):
            return None
        mark = getattr(threading.current_thread(), "print_cron_pass", None)
        cursor = mark and mark[0]()
        if cursor is None or getattr(cursor, "closed", False):  # that pass is over
            return None
        return time.monotonic() - mark[1]
