from odoo import fields, models


class ProductTemplate(models.Model):
    """Print media (paper, card...) know their finished size, for the preflight's page-size
    and resolution checks."""

    _inherit = "product.template"

    print_media_width_mm = fields.Float(
        string="Media width (mm)",
        digits=(16, 1),
        help="Finished width of this print medium, e.g. 210 for A4. 0: no page-size check.",
    )
    print_media_height_mm = fields.Float(
        string="Media height (mm)",
        digits=(16, 1),
        help="Finished height of this print medium, e.g. 297 for A4.",
    )

    def write(self, vals):
        res = super().write(vals)
        if {"print_media_width_mm", "print_media_height_mm"} & set(vals):
            self._preflight_open_jobs_again()
        return res

    def _preflight_open_jobs_again(self):
        """The size changed: open jobs printed on it are checked again, in the background."""
        jobs = (
            self.env["print.job"]
            .sudo()
            .search(
                [
                    ("product_id.product_tmpl_id", "in", self.ids),
                    ("communication_state", "in", ("new", "change_requested", "changed")),
                    ("attachment_ids", "!=", False),
                ]
            )
        )
        if jobs:
            jobs.write({"preflight_state": "pending"})
            self.env.ref("print_change_request.ir_cron_preflight").sudo()._trigger()
