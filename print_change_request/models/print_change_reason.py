from odoo import fields, models
from odoo.tools.translate import html_translate


class PrintChangeReason(models.Model):
    _name = "print.change.reason"
    _description = "Reason for a change request"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    description = fields.Text(
        translate=True,
        help="Shown to the customer: what is wrong and how to fix it.",
    )
    how_to = fields.Html(
        string="How to fix it",
        translate=html_translate,
        sanitize_style=True,
        help="Shown to the customer under the reason, on their order's page and in the "
        "request's e-mail: how to do it in the programs they use (Word, InDesign, Canva, "
        "Photoshop...), in their words.",
    )
    note_required = fields.Boolean(
        string="Note required",
        help='The operator must say in a note what is wrong (e.g. for "Other"): the '
        "customer reads it next to the file.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
