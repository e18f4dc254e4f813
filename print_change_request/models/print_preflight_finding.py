from odoo import api, fields, models

from ..lib import preflight

SEVERITIES = [
    (preflight.ERROR, "Error"),
    (preflight.WARNING, "Warning"),
    (preflight.INFO, "Info"),
]
CODES = [
    (preflight.ENCRYPTED, "Encrypted PDF"),
    (preflight.DAMAGED, "Damaged file"),
    (preflight.FONTS_NOT_EMBEDDED, "Fonts not embedded"),
    (preflight.PAGE_SIZE, "Page size"),
    (preflight.LOW_RESOLUTION, "Low resolution"),
    (preflight.COLOR_SPACE, "Color space"),
]


class PrintPreflightFinding(models.Model):
    """What the automatic preflight found in one file of a job.  Written only by the job's
    preflight (``print.job._preflight_run``); users read them."""

    _name = "print.preflight.finding"
    _description = "Preflight finding"
    _order = "job_id, attachment_id, severity_rank desc, id"

    job_id = fields.Many2one(
        comodel_name="print.job", required=True, index=True, ondelete="cascade", readonly=True
    )
    order_id = fields.Many2one(related="job_id.order_id")
    company_id = fields.Many2one(related="job_id.company_id", store=True, index=True)
    attachment_id = fields.Many2one(
        comodel_name="ir.attachment", string="File", index=True, ondelete="cascade", readonly=True
    )
    file_name = fields.Char(readonly=True)
    severity = fields.Selection(selection=SEVERITIES, required=True, readonly=True)
    severity_rank = fields.Integer(compute="_compute_severity_rank", store=True)
    code = fields.Selection(selection=CODES, required=True, readonly=True)
    message = fields.Text(required=True, readonly=True)
    reason_id = fields.Many2one(
        comodel_name="print.change.reason", ondelete="set null", readonly=True
    )

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends("severity")
    def _compute_severity_rank(self):
        for finding in self:
            finding.severity_rank = preflight.SEVERITY_RANK.get(finding.severity, 0)

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    @api.model
    def _message_templates(self):
        """The lib's messages (``preflight.MESSAGES``), in the user's language."""
        return {
            "encrypted_password": self.env._(
                "The PDF is protected by a password, so we cannot open it. "
                "Please export it again without a password."
            ),
            "encrypted_no_print": self.env._(
                "The PDF is encrypted and does not allow printing. "
                "Please export it again without protection."
            ),
            "damaged_unreadable": self.env._(
                "The file cannot be read: it is damaged or incomplete (%(detail)s). "
                "Please export it again and upload the new file."
            ),
            "damaged_truncated": self.env._(
                "The file is incomplete: it was cut off before its end. "
                "Please export it again and upload the new file."
            ),
            "damaged_type": self.env._(
                "The file is not what its name says: %(name)s is not a %(expected)s file. "
                "Please export it again and upload the new file."
            ),
            "damaged_limits": self.env._(
                "The file cannot be checked: it expands to more than we can process "
                "(%(detail)s). Please export it again, simplified, and upload the new file."
            ),
            "fonts_not_embedded": self.env._(
                "Fonts not embedded: %(fonts)s. Please embed all fonts (or convert "
                "the text to outlines) and export again."
            ),
            "page_size": self.env._(
                "The page size is %(found)s, the ordered format is %(expected)s "
                "(with up to %(bleed)s mm bleed on each side). Please set the ordered format."
            ),
            "page_size_mixed": self.env._(
                "The pages have different sizes: %(found)s. "
                "Please give all pages the ordered format."
            ),
            "low_resolution_image": self.env._(
                "The image has only %(dpi)s dpi at print size (%(size)s); "
                "at least %(min_dpi)s dpi are needed. Please use a higher-resolution image."
            ),
            "low_resolution_pdf": self.env._(
                "Images on page(s) %(pages)s have only %(dpi)s dpi at print size; "
                "at least %(min_dpi)s dpi are needed. Please use higher-resolution images."
            ),
            "color_space_rgb": self.env._(
                "The file uses RGB colors; printed in CMYK the colors may change. "
                "Please convert the file to CMYK."
            ),
            "color_space_bw": self.env._(
                "The file has colors but the job is printed in black & white: "
                "the colors will print as shades of grey."
            ),
        }

    @api.model
    def _message_of(self, finding, templates=None):
        """The customer's message for a lib :class:`~..lib.preflight.Finding`, translated."""
        templates = templates or self._message_templates()
        template = templates.get(finding.key)
        if template is None:
            return finding.message
        try:
            return template % finding.params
        except (KeyError, TypeError, ValueError):
            return finding.message  # a translation that lost a placeholder
