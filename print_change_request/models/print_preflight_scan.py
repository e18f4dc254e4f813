import logging
import time

from odoo import api, fields, models, modules
from odoo.tools import SQL

from ..lib import preflight
from ..lib.preflight_queue import MAX_ATTEMPTS

_logger = logging.getLogger(__name__)

#: Scans of contents no file holds any more are dropped after this many days.
UNUSED_DAYS = 30
#: A quick check is not started with less time than this left in its budget.
MIN_SCAN_SECONDS = 1.0


class PrintPreflightScan(models.Model):
    """What the preflight read in one content (``lib/preflight.scan_file``), kept by the
    content's checksum (SHA-1, as ``ir.attachment.checksum``) and the type its name claims.

    Every outcome is kept, time-outs too, with the time the check had: a content is read
    once, however often it is uploaded, stored, re-checked for another ticket (color mode,
    media: :func:`~..lib.preflight.apply_ticket` judges a scan again without reading the
    file) or by the background; a content that ran out of time is read again only with
    more time than it had.  Written in sudo by the preflight only."""

    _name = "print.preflight.scan"
    _description = "Preflight scan of a file content"
    _log_access = False

    checksum = fields.Char(required=True, index=True, readonly=True)
    file_type = fields.Char(
        required=True, readonly=True, help="The extension of the file's name (the type it claims)."
    )
    report = fields.Json(readonly=True)
    timed_out = fields.Boolean(readonly=True)
    time_limit = fields.Float(
        readonly=True, help="Seconds the check had (a time-out is read again with more time)."
    )
    scanned_on = fields.Datetime(readonly=True)
    started_on = fields.Datetime(
        readonly=True,
        help="When the background last started checking this content (later than "
        "Scanned on: the check is running, or its run was killed). The background takes "
        "the customers in turn by it.",
    )
    attempts = fields.Integer(
        readonly=True,
        help="Checks the background started on this content. After 3 starts without an "
        "outcome the content is marked as not checkable.",
    )

    _sql_constraints = [
        (
            "checksum_type_uniq",
            "unique(checksum, file_type)",
            "A content is scanned once per file type.",
        )
    ]

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    @api.model
    def _get_reports(
        self,
        files,
        timeout,
        final_limit,
        memory_mb,
        budget=None,
        max_bytes=None,
        retry_timeouts=False,
    ):
        """The scans of ``files`` (``[(name, checksum, size, read)]``, ``read()`` giving the
        bytes), from the cache or read now in the isolated child process with ``timeout``
        seconds.  Returns one entry per file: a :class:`~..lib.preflight.Report`, or None for
        a file not checked (yet): bigger than ``max_bytes``, out of the ``budget``, or out of
        time with less than ``final_limit`` seconds (the background's limit).  A time-out with
        ``final_limit`` or more is final: its report says the file could not be checked; a
        shorter one is read again only with ``retry_timeouts`` (the background) and more time.

        ``budget`` (a :class:`ScanBudget`) bounds the time of all the scans of one upload or
        one cron run, and commits each outcome when the caller wants it.  In the background
        (``retry_timeouts``) each check is noted as started (committed with the budget)
        before it runs: a content whose check was started :data:`MAX_ATTEMPTS` times without
        an outcome (its run killed each time) is marked as not checkable, not started again."""
        keys = [(checksum, preflight.file_type_key(name)) for name, checksum, _s, _r in files]
        cached = {}
        if keys:
            for scan in self.sudo().search([("checksum", "in", list({k[0] for k in keys}))]):
                cached[(scan.checksum, scan.file_type)] = scan
        reports = []
        for (name, _checksum, size, read), key in zip(files, keys, strict=True):
            scan = cached.get(key)
            if scan and not scan.report:
                scan = None  # started, never finished: no outcome yet
            if scan and (not scan.timed_out or scan.time_limit >= final_limit):
                reports.append(preflight.Report.from_dict(scan.report))
                continue
            if scan and (not retry_timeouts or scan.time_limit >= timeout):
                reports.append(None)  # out of time already: left to the background
                continue
            if max_bytes is not None and size > max_bytes:
                reports.append(None)
                continue
            seconds = budget.allow(timeout) if budget else timeout
            if not seconds:
                reports.append(None)
                continue
            if retry_timeouts and self._start(key, budget) > MAX_ATTEMPTS:
                report = preflight.Report(timed_out=True)
                report.add(
                    preflight.DAMAGED,
                    "damaged_limits",
                    detail=f"its check was stopped {MAX_ATTEMPTS} times before the end",
                )
                seconds = max(seconds, final_limit)
            else:
                report = preflight.scan_file_isolated(
                    name, read() or b"", timeout=seconds, memory_mb=memory_mb, cache=False
                )
            cached[key] = self._store(key, report, seconds)
            if budget:
                budget.spent(report)
            timed_out_short = report.timed_out and seconds < final_limit
            reports.append(None if timed_out_short else report)
        return reports

    @api.model
    def _start(self, key, budget=None):
        """Note that the background starts checking a content (kept at once, with the
        budget's commit, so that a run killed meanwhile leaves its trace); returns how many
        checks of it were started, this one included."""
        checksum, file_type = key
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO print_preflight_scan (checksum, file_type, attempts, started_on)
                VALUES (%s, %s, 1, clock_timestamp() AT TIME ZONE 'UTC')
                ON CONFLICT (checksum, file_type) DO UPDATE
                   SET attempts = COALESCE(print_preflight_scan.attempts, 0) + 1,
                       started_on = EXCLUDED.started_on
                RETURNING attempts
                """,
                checksum,
                file_type,
            )
        )
        attempts = self.env.cr.fetchone()[0]
        self.invalidate_model(["attempts", "started_on"])
        if budget:
            budget.save()
        return attempts

    @api.model
    def _store(self, key, report, seconds):
        """Keep the outcome of one scan (an upsert: two workers may scan the same content)."""
        checksum, file_type = key
        values = report.to_dict()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO print_preflight_scan
                    (checksum, file_type, report, timed_out, time_limit, scanned_on)
                VALUES (%s, %s, %s, %s, %s, now() AT TIME ZONE 'UTC')
                ON CONFLICT (checksum, file_type) DO UPDATE
                   SET report = EXCLUDED.report, timed_out = EXCLUDED.timed_out,
                       time_limit = EXCLUDED.time_limit, scanned_on = EXCLUDED.scanned_on
                RETURNING id
                """,
                checksum,
                file_type,
                fields.Json().convert_to_column(values, self),
                report.timed_out,
                seconds,
            )
        )
        scan = self.browse(self.env.cr.fetchone()[0])
        scan.invalidate_recordset()
        return scan.sudo()

    @api.autovacuum
    def _gc_unused_scans(self):
        """Drop the scans of contents no file holds any more (refused uploads, removed files)."""
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM print_preflight_scan scan
                 WHERE scan.scanned_on < (now() AT TIME ZONE 'UTC') - %s * interval '1 day'
                   AND NOT EXISTS (
                       SELECT 1 FROM ir_attachment att WHERE att.checksum = scan.checksum
                   )
                """,
                UNUSED_DAYS,
            )
        )


class ScanBudget:
    """The time the scans of one upload or one cron run may take together.

    ``deadline``: ``time.monotonic()`` value after which no scan starts.  In the foreground
    (``shorten``) a scan gets what is left (at least :data:`MIN_SCAN_SECONDS`); in the
    background a scan starts only when its whole limit fits (the run then ends in time and
    the next one goes on).  ``commit``: commit after each scan, so that a run killed later
    keeps what it learned (never in tests)."""

    def __init__(self, seconds, shorten=False, commit=None):
        self.deadline = time.monotonic() + seconds
        self.shorten = shorten
        self.commit = commit
        self.scans = 0

    def left(self):
        return self.deadline - time.monotonic()

    def allow(self, timeout):
        """The seconds the next scan may take (0: none)."""
        left = self.left()
        if self.shorten:
            return min(timeout, left) if left >= MIN_SCAN_SECONDS else 0
        return timeout if left >= timeout else 0

    def spent(self, report):
        self.scans += 1
        self.save()

    def save(self):
        """Commit what was learned so far, when the caller asked for it (never in tests)."""
        if self.commit is not None and not modules.module.current_test:
            self.commit()
