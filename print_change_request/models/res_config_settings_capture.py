from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    print_capture_before_expiry = fields.Boolean(
        related="company_id.print_capture_before_expiry", readonly=False
    )
