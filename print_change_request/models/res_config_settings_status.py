from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    print_status_mail = fields.Boolean(related="company_id.print_status_mail", readonly=False)
