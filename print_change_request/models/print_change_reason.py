from odoo import fields, models


class PrintChangeReason(models.Model):
    _name = "print.change.reason"
    _description = "Reason for a change request"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    description = fields.Text(
        translate=True,
        help="Shown to the customer: what is wrong and how to fix it.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
