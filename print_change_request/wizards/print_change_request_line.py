from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .print_change_request_wizard import NOTE_MAX_LENGTH


class PrintChangeRequestLine(models.TransientModel):
    _name = "print.change.request.line"
    _inherit = ["print.batch.insert.mixin"]
    _description = "A file in the Request for change dialog"
    _order = "id"
    #: What the dialog writes in one INSERT (``print.batch.insert.mixin``).
    _BATCH_COLUMNS = (
        "wizard_id",
        "job_id",
        "attachment_id",
        "file_name",
        "to_change",
        "reason_id",
        "note",
    )

    wizard_id = fields.Many2one(
        comodel_name="print.change.request.wizard",
        required=True,
        index=True,  # every read of a dialog's lines; the table holds every open dialog's
        ondelete="cascade",
    )
    job_id = fields.Many2one(comodel_name="print.job", required=True, readonly=True)
    order_id = fields.Many2one(related="job_id.order_id")
    attachment_id = fields.Many2one(comodel_name="ir.attachment", string="File", readonly=True)
    file_name = fields.Char(readonly=True, help="The file's name when the dialog opened.")
    to_change = fields.Boolean(string="Must change")
    reason_id = fields.Many2one(comodel_name="print.change.reason")
    note_required = fields.Boolean(related="reason_id.note_required")
    note = fields.Char(help="What exactly the customer must fix, in your words.")

    @api.model
    def _insert_batch(self, vals_list):
        """The dialog's default lines in one INSERT (``print.batch.insert.mixin``); the
        notes are checked by ``_check_note_length``."""
        lines = super()._insert_batch(vals_list)
        if any(len(vals.get("note") or "") > NOTE_MAX_LENGTH for vals in vals_list):
            lines._check_note_length()  # its error names the file
        return lines

    @api.constrains("note")
    def _check_note_length(self):
        for line in self:
            if len(line.note or "") > NOTE_MAX_LENGTH:
                raise ValidationError(
                    self.env._(
                        "The note on %(file)s is too long (%(length)s characters): keep it "
                        "under %(max)s.",
                        file=line.attachment_id.name,
                        length=len(line.note),
                        max=NOTE_MAX_LENGTH,
                    )
                )
