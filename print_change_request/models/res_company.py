from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    print_payment_required = fields.Boolean(
        string="Print orders must be paid before acceptance",
        help="When set, an order with a price can be accepted only once it is paid.",
    )
