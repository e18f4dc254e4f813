from odoo import fields, models


class PrintChangeRequestLine(models.TransientModel):
    _name = "print.change.request.line"
    _description = "A file in the Request for change dialog"
    _order = "id"

    wizard_id = fields.Many2one(
        comodel_name="print.change.request.wizard", required=True, ondelete="cascade"
    )
    job_id = fields.Many2one(comodel_name="print.job", required=True, readonly=True)
    order_id = fields.Many2one(related="job_id.order_id")
    attachment_id = fields.Many2one(comodel_name="ir.attachment", string="File", readonly=True)
    file_name = fields.Char(readonly=True, help="The file's name when the dialog opened.")
    to_change = fields.Boolean(string="Must change")
    reason_id = fields.Many2one(comodel_name="print.change.reason")
    note_required = fields.Boolean(related="reason_id.note_required")
    note = fields.Char(help="What exactly the customer must fix, in your words.")
