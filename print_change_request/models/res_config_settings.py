from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    print_payment_required = fields.Boolean(
        related="company_id.print_payment_required", readonly=False
    )
