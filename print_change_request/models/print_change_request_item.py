from odoo import fields, models

ITEM_KINDS = [("file", "File"), ("ticket", "Job ticket")]


class PrintChangeRequestItem(models.Model):
    _name = "print.change.request.item"
    _inherit = ["print.batch.insert.mixin"]
    _description = "What a request for change asks the customer to change"
    _order = "request_id, job_id, kind, id"
    #: What a request writes in one INSERT (``print.batch.insert.mixin``).
    _BATCH_COLUMNS = (
        "request_id",
        "job_id",
        "kind",
        "attachment_id",
        "file_name",
        "reason_id",
        "note",
    )

    request_id = fields.Many2one(
        comodel_name="print.change.request", required=True, index=True, ondelete="cascade"
    )
    job_id = fields.Many2one(comodel_name="print.job", required=True, ondelete="cascade")
    kind = fields.Selection(selection=ITEM_KINDS, required=True, default="file")
    attachment_id = fields.Many2one(
        comodel_name="ir.attachment", string="File", ondelete="set null"
    )
    file_name = fields.Char(help="The file's name when the request was sent.")
    reason_id = fields.Many2one(comodel_name="print.change.reason", ondelete="restrict")
    note = fields.Text()
