from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    print_order_id = fields.Many2one(
        comodel_name="print.order",
        string="Print order",
        index="btree_not_null",
        copy=False,
        check_company=True,
        readonly=True,
        help="The print order this invoice or credit note belongs to.",
    )
