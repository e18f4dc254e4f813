import hashlib
import logging
from collections import Counter
from datetime import timedelta

from odoo import api, fields, models
from odoo.service.server import SLEEP_INTERVAL
from odoo.tools import SQL, config

from ..lib import preflight, preflight_queue
from .print_preflight_scan import ScanBudget

_logger = logging.getLogger(__name__)

PREFLIGHT_STATES = [
    ("ok", "Preflight OK"),
    ("warning", "Preflight warnings"),
    ("error", "Preflight errors"),
    ("pending", "Preflight pending"),
]
# Written only by the preflight itself.
PREFLIGHT_FIELDS = {
    "preflight_state",
    "preflight_page_count",
    "preflight_page_size",
    "preflight_is_color",
    "preflight_date",
}
# What the check depends on: the files and the ticket's media and colour mode.
PREFLIGHT_TRIGGERS = {"attachment_ids", "product_id", "color_mode"}

DEFAULT_SYNC_MAX_MB = 64
DEFAULT_SYNC_TIMEOUT = 10
# One file in the background, at most (and within what a cron pass surely has left).
DEFAULT_BACKGROUND_TIMEOUT = 60
DEFAULT_MEMORY_MB = 1536


class PrintJob(models.Model):
    """The automatic preflight of a job's files (``lib/preflight.py``), stored per file as
    ``print.preflight.finding`` and summed up on the job."""

    _inherit = "print.job"

    preflight_state = fields.Selection(
        selection=PREFLIGHT_STATES,
        string="Preflight",
        readonly=True,
        copy=False,
        index=True,
        help="The worst finding of the automatic check of the job's files; pending while big "
        "files are checked in the background. Empty: no file.",
    )
    preflight_finding_ids = fields.One2many(
        comodel_name="print.preflight.finding",
        inverse_name="job_id",
        string="Preflight findings",
        readonly=True,
    )
    preflight_page_count = fields.Integer(string="Pages", readonly=True, copy=False)
    preflight_page_size = fields.Char(string="Page size", readonly=True, copy=False)
    preflight_is_color = fields.Boolean(
        string="Colour content", readonly=True, copy=False, help="The files print in colour."
    )
    preflight_date = fields.Datetime(string="Preflight checked on", readonly=True, copy=False)

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        # Print files are kept as sent (see ir_attachment._postprocess_contents).
        jobs = super(PrintJob, self.with_context(image_no_postprocess=True)).create(vals_list)
        jobs = jobs.with_env(self.env)
        jobs.filtered("attachment_ids")._preflight_run()
        return jobs

    def write(self, vals):
        keep_files = (
            self.with_context(image_no_postprocess=True) if "attachment_ids" in vals else self
        )
        res = super(PrintJob, keep_files).write(vals)
        if PREFLIGHT_TRIGGERS & set(vals):
            self._preflight_run()
        return res

    @property
    def _protected_fields(self):
        return super()._protected_fields | PREFLIGHT_FIELDS

    def _get_protected_fields_message(self, names, create=False):
        if PREFLIGHT_FIELDS & names:
            return self.env._(
                "The preflight result is written by the preflight only. "
                "Click Run preflight to check the files again."
            )
        return super()._get_protected_fields_message(names, create=create)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_preflight(self):
        """Run preflight: check the files again (big ones in the background)."""
        self.check_access("write")
        self._preflight_run()
        return True

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    def _preflight_ticket(self):
        """The job ticket as the preflight reads it."""
        self.ensure_one()
        template = self.product_id.product_tmpl_id
        return preflight.PrintSpec(
            width_mm=template.print_media_width_mm or 0.0,
            height_mm=template.print_media_height_mm or 0.0,
            color_mode=self.color_mode or "color",
            min_dpi=self.company_id.print_preflight_min_dpi or 150,
        )

    def _preflight_limits(self):
        """Size and time limits (system parameters ``print_change_request.preflight_*``).

        ``sync_timeout`` (10 s): what all the quick checks of one upload or change may take
        together; files left over are checked in the background.  ``cron_budget``: what one
        cron pass may surely work, under the watchdog of Odoo's cron worker
        (``limit_time_real_cron``, else ``limit_time_real``: 120 s by default), whose idle
        wait before the pass counts (``lib/preflight_queue.worker_capacity``; at most
        ``run_seconds`` when set).  ``background_timeout`` (60 s): what one file may take
        in the background, within that budget."""
        get = self.env["ir.config_parameter"].sudo().get_param

        def number(key, default):
            try:
                return float(get(f"print_change_request.preflight_{key}", default))
            except ValueError:
                return float(default)

        cron_limit = config.get("limit_time_real_cron") or 0
        if cron_limit < 0:
            cron_limit = config.get("limit_time_real") or 0
        cron_budget = preflight_queue.worker_capacity(
            cron_limit,
            prefork=bool(config.get("workers")),
            sleep_interval=SLEEP_INTERVAL,
            run_seconds=number("run_seconds", 0),
        )
        background = number("background_timeout", DEFAULT_BACKGROUND_TIMEOUT)
        return {
            "sync_max_bytes": number("sync_max_mb", DEFAULT_SYNC_MAX_MB) * 1024 * 1024,
            "sync_timeout": number("sync_timeout", DEFAULT_SYNC_TIMEOUT),
            "background_timeout": preflight_queue.file_time_limit(cron_budget, background),
            "cron_budget": cron_budget,
            "memory_mb": int(number("memory_mb", DEFAULT_MEMORY_MB)),
        }

    def _preflight_run(self, background=False, budget=None):
        """Check the files of the jobs against their tickets and store what was found.

        Each content is read once (``print.preflight.scan``): a ticket change, a file added
        or removed judges the cached scans again and reads only the new files.  In the
        foreground (a file attached, a ticket changed, the button) files bigger than the
        ``sync_max_mb`` limit, or not checked within the ``sync_timeout`` budget, are left to
        the background: the job is ``pending`` and the preflight cron is triggered at once.
        The cron (``background=True``) checks them with the longer time limit; a file that
        runs out of that too is marked as not checkable (a ``damaged`` finding the operator
        sees) rather than tried again and again."""
        if not self:
            return
        limits = self._preflight_limits()
        if background:
            timeout = limits["background_timeout"]
            budget = budget or ScanBudget(limits["cron_budget"])
        else:
            timeout = limits["sync_timeout"]
            budget = budget or ScanBudget(timeout, shorten=True)
        jobs = self.sudo()
        attachments = jobs.attachment_ids.sorted("id")
        reports = self.env["print.preflight.scan"]._get_reports(
            [
                (att.name, att.checksum or "", att.file_size, lambda att=att: att.raw)
                for att in attachments
            ],
            timeout=timeout,
            final_limit=limits["background_timeout"],
            memory_mb=limits["memory_mb"],
            budget=budget,
            max_bytes=None if background else limits["sync_max_bytes"],
            retry_timeouts=background,
        )
        scanned = dict(zip(attachments, reports, strict=True))
        results = {}
        deferred = self.browse()
        for job in jobs:
            ticket = job._preflight_ticket()
            checked = []
            for attachment in job.attachment_ids.sorted("id"):
                report = scanned.get(attachment)
                if report is None:
                    deferred |= job
                    continue
                checked.append((attachment, preflight.apply_ticket(report, ticket)))
            results[job.id] = checked
        self._preflight_store(results, pending=deferred)
        if deferred:
            self.env.ref("print_change_request.ir_cron_preflight").sudo()._trigger()

    def _preflight_store(self, results, pending):
        """Replace the jobs' findings with ``results`` ({job id: [(attachment, report)]})
        and sum them up on the jobs; ``pending`` jobs wait for the background check."""
        finding_model = self.env["print.preflight.finding"]
        templates = finding_model._message_templates()
        reasons = {}
        vals_list = []
        for job in self.sudo():
            summary = {"severities": set(), "pages": 0, "sizes": [], "colour": False}
            for attachment, report in results.get(job.id, []):
                summary["pages"] += report.page_count
                summary["colour"] = summary["colour"] or report.is_colour
                if report.page_width_mm and report.page_height_mm:
                    size = f"{report.page_width_mm:g} x {report.page_height_mm:g} mm"
                    if size not in summary["sizes"]:
                        summary["sizes"].append(size)
                for finding in report.findings:
                    summary["severities"].add(finding.severity)
                    if finding.reason not in reasons:
                        reasons[finding.reason] = self.env.ref(
                            f"print_change_request.reason_{finding.reason}",
                            raise_if_not_found=False,
                        )
                    vals_list.append(
                        {
                            "job_id": job.id,
                            "attachment_id": attachment.id,
                            "file_name": attachment.name,
                            "severity": finding.severity,
                            "code": finding.code,
                            "message": finding_model._message_of(finding, templates),
                            "reason_id": reasons[finding.reason].id
                            if reasons[finding.reason]
                            else False,
                        }
                    )
            if job in pending:
                state = "pending"
            elif not job.attachment_ids:
                state = False
            else:
                state = preflight.verdict(summary["severities"])
            vals = {
                "preflight_state": state,
                "preflight_page_size": ", ".join(summary["sizes"]),
                "preflight_is_color": summary["colour"],
                "preflight_date": fields.Datetime.now(),
            }
            # The page count prices the job: written only when counted in full and changed, so
            # that a check again (or one still pending) does not price the job again.
            if state != "pending" and summary["pages"] != job.preflight_page_count:
                vals["preflight_page_count"] = summary["pages"]
            job.write(vals)
        self.sudo().preflight_finding_ids.unlink()
        finding_model.sudo().create(vals_list)

    def _preflight_upload(self, name, data):
        """Check a file *before* it is stored, as the portal's upload does: refuse it when
        ``blocking`` (an ``error`` finding), show the other findings and go on.

        Returns ``{"state": "ok" | "info" | "warning" | "error" | "pending", "blocking": bool,
        "findings": [{"severity", "code", "message"}]}``, messages in the user's language.
        A file too big (or too slow) to check now is ``pending``: store it, and the usual
        preflight of the job checks it in the background."""
        return self._preflight_uploads([(name, data)])[0]

    def _preflight_uploads(self, files):
        """:meth:`_preflight_upload` of each of ``files`` (``[(name, bytes)]``), all within
        one quick-check budget (``sync_timeout``); each content is read once and its outcome
        kept (``print.preflight.scan``), so storing the files checks nothing again."""
        self.ensure_one()
        limits = self._preflight_limits()
        reports = self.env["print.preflight.scan"]._get_reports(
            [
                (name, hashlib.sha1(data or b"").hexdigest(), len(data or b""), lambda d=data: d)
                for name, data in files
            ],
            timeout=limits["sync_timeout"],
            final_limit=limits["background_timeout"],
            memory_mb=limits["memory_mb"],
            budget=ScanBudget(limits["sync_timeout"], shorten=True),
            max_bytes=limits["sync_max_bytes"],
        )
        ticket = self.sudo()._preflight_ticket()
        finding_model = self.env["print.preflight.finding"]
        templates = finding_model._message_templates()
        results = []
        for scan in reports:
            if scan is None:
                results.append({"state": "pending", "blocking": False, "findings": []})
                continue
            report = preflight.apply_ticket(scan, ticket)
            results.append(
                {
                    "state": report.state,
                    "blocking": report.state == preflight.ERROR,
                    "findings": [
                        {
                            "severity": finding.severity,
                            "code": finding.code,
                            "message": finding_model._message_of(finding, templates),
                        }
                        for finding in report.findings
                    ],
                }
            )
        return results

    @api.model
    def _cron_preflight_pending(self):
        """Check the files left to the background, one customer's file after another's
        (:meth:`_preflight_queue`), each outcome committed, and end the run in the time the
        cron worker surely has left (``cron_budget``, counted from the start of the cron
        pass): a file is started only when its whole time limit fits.  The jobs whose files
        are all read are judged; Odoo is told the progress (``ir.cron._notify_progress``)
        and the cron triggered again while files wait."""
        limits = self._preflight_limits()
        cron = self.env.ref("print_change_request.ir_cron_preflight").sudo()
        elapsed = cron._get_pass_elapsed() or 0.0
        budget = ScanBudget(limits["cron_budget"] - elapsed, commit=self.env.cr.commit)
        timeout = limits["background_timeout"]
        queue, ready = self._preflight_queue(timeout)
        scan_model = self.env["print.preflight.scan"]
        # Judged from the kept scans only (nothing is read again) as soon as all their files
        # are read: a customer's job does not wait for the end of the run.
        ready._preflight_judge(budget)
        unread = Counter(job for _attachment, jobs in queue for job in jobs)
        done = 0
        for attachment, jobs in queue:
            if budget.left() < timeout:
                break  # no time for another file: the next run (triggered below) goes on
            (report,) = scan_model._get_reports(
                [
                    (
                        attachment.name,
                        attachment.checksum or "",
                        attachment.file_size,
                        lambda att=attachment: att.raw,
                    )
                ],
                timeout=timeout,
                final_limit=timeout,
                memory_mb=limits["memory_mb"],
                budget=budget,
                retry_timeouts=True,
            )
            if report is None:
                break  # out of time after all
            done += 1
            unread.subtract(jobs)
            jobs.filtered(lambda job: unread[job] <= 0)._preflight_judge(budget)
        remaining = len(queue) - done
        _logger.info(
            "Preflight run: %s files read, %s waiting; %.1f s into the cron pass "
            "(budget %.1f s, %.1f s per file)",
            done,
            remaining,
            limits["cron_budget"] - budget.left(),
            limits["cron_budget"],
            timeout,
        )
        cron._notify_progress(done=done, remaining=remaining)
        if remaining:
            # Now (Odoo wakes a worker at once) and a second later: when no file fitted,
            # Odoo drops the triggers older than the run's start.
            now = fields.Datetime.now()
            cron._trigger(at=[now, now + timedelta(seconds=1)])
        return done

    def _preflight_judge(self, budget):
        """Store the findings of jobs whose files are all read (from the kept scans), and
        keep them at once with the run's ``budget``."""
        if self:
            self._preflight_run(background=True, budget=ScanBudget(0))
            budget.save()

    def _preflight_queue(self, final_limit):
        """The files of the pending jobs still to read, in the order to read them:
        ``([(attachment, jobs)], jobs to judge)``.  One customer's file after another's
        (``lib/preflight_queue.fair_order``), oldest first within each, the customer the
        background served longest ago (:meth:`_preflight_served_on`) first, so that a
        customer's many slow files do not hold the next customer's back; and the pending
        jobs whose files are all read already."""
        jobs = self.sudo().search([("preflight_state", "=", "pending")], order="id")
        if not jobs:
            return [], jobs
        attachments = jobs.attachment_ids
        scans = {
            (scan.checksum, scan.file_type): scan
            for scan in self.env["print.preflight.scan"]
            .sudo()
            .search([("checksum", "in", list(set(attachments.mapped("checksum"))))])
        }
        jobs_of = {}
        to_read = []
        ready = self.browse()
        for job in jobs:
            customer = job.order_id.partner_id.commercial_partner_id.id
            unread = False
            for attachment in job.attachment_ids:
                scan = scans.get(
                    (attachment.checksum or "", preflight.file_type_key(attachment.name))
                )
                final = (
                    scan and scan.report and (not scan.timed_out or scan.time_limit >= final_limit)
                )
                if final:
                    continue
                unread = True
                if attachment not in jobs_of:
                    jobs_of[attachment] = job
                    to_read.append((attachment, customer))
                else:
                    jobs_of[attachment] |= job
            if not unread:
                ready |= job
        served = self._preflight_served_on({customer for _attachment, customer in to_read})
        order = preflight_queue.fair_order(
            [
                (attachment, customer, attachment.id, served.get(customer))
                for attachment, customer in to_read
            ]
        )
        return [(attachment, jobs_of[attachment]) for attachment in order], ready

    @api.model
    def _preflight_served_on(self, customer_ids, hours=24):
        """``{commercial partner id: when the background last started checking a file of
        one of their orders}`` over the last ``hours`` (customers not served are left out)."""
        if not customer_ids:
            return {}
        self.env["print.preflight.scan"].flush_model(["started_on"])
        self.env.cr.execute(
            SQL(
                """
                SELECT partner.commercial_partner_id, MAX(scan.started_on)
                  FROM print_preflight_scan scan
                  JOIN ir_attachment att ON att.checksum = scan.checksum
                  JOIN print_job_attachment_rel rel ON rel.attachment_id = att.id
                  JOIN print_job job ON job.id = rel.job_id
                  JOIN print_order o ON o.id = job.order_id
                  JOIN res_partner partner ON partner.id = o.partner_id
                 WHERE partner.commercial_partner_id IN %s
                   AND scan.started_on > (now() AT TIME ZONE 'UTC') - %s * interval '1 hour'
                 GROUP BY partner.commercial_partner_id
                """,
                tuple(customer_ids),
                hours,
            )
        )
        return dict(self.env.cr.fetchall())
