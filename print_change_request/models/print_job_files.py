from odoo import api, models
from odoo.exceptions import UserError, ValidationError


class PrintJob(models.Model):
    """How many files a job holds and an upload brings (the shop's settings, *Files per
    upload* and *Files per job*): checked on every write, so over RPC too."""

    _inherit = "print.job"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------
    # CONSTRAINT METHODS
    # ------------------------------------------------------------

    @api.constrains("attachment_ids")
    def _check_file_count(self):
        for job in self:
            job._check_job_file_cap(len(job.attachment_ids), error=ValidationError)

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    def _get_file_caps(self):
        """``(files per upload, files per job)`` of the job's company."""
        company = (self[:1].company_id or self.env.company).sudo()
        return company.print_upload_max_files or 50, company.print_job_max_files or 200

    def _check_upload_file_cap(self, count):
        """Refuse an upload of ``count`` files above the shop's *Files per upload*."""
        per_upload, _per_job = self._get_file_caps()
        if count > per_upload:
            raise UserError(
                self.env._(
                    "You sent %(count)s files at once; upload at most %(max)s files at a time "
                    "(or combine pages into fewer PDF files). Nothing was stored.",
                    count=count,
                    max=per_upload,
                )
            )

    def _check_job_file_cap(self, count, error=UserError):
        """Refuse a job of ``count`` files above the shop's *Files per job*."""
        self.ensure_one()
        _per_upload, per_job = self._get_file_caps()
        if count > per_job:
            raise error(
                self.env._(
                    "Job %(job)s can hold at most %(max)s files, and would hold %(count)s. "
                    "Combine pages into fewer PDF files, or remove files the job no longer "
                    "needs. Nothing was stored.",
                    job=self.name,
                    max=per_job,
                    count=count,
                )
            )
