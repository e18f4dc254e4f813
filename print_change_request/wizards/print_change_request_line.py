from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .print_change_request_wizard import NOTE_MAX_LENGTH


class PrintChangeRequestLine(models.TransientModel):
    _name = "print.change.request.line"
    _description = "A file in the Request for change dialog"
    _order = "id"
    #: Columns _insert_batch writes (plain values: no computed, translated or x2many field).
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

    @api.model
    def _insert_batch(self, vals_list):
        """Create the lines of ``vals_list`` in one INSERT and return them (a dialog of 100
        jobs x 5 files has 500 lines: through ``create()`` they took about 100 ms).  Access
        is checked as ``create()`` does; the values are plain ids and texts (see
        ``_BATCH_COLUMNS``); the notes are checked by ``_check_note_length``."""
        self.check_access("create")
        if not vals_list:
            return self.browse()
        unknown = set().union(*vals_list) - set(self._BATCH_COLUMNS)
        if unknown:
            raise ValueError(f"_insert_batch does not write {sorted(unknown)}")
        self.env["print.change.request.wizard"].flush_model()
        arrays = [
            [vals.get(column) or None for vals in vals_list]
            for column in self._BATCH_COLUMNS
            if column != "to_change"
        ]
        to_change = [bool(vals.get("to_change")) for vals in vals_list]
        uid = self.env.uid
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO print_change_request_line
                    (wizard_id, job_id, attachment_id, file_name, reason_id, note, to_change,
                     create_uid, write_uid, create_date, write_date)
                SELECT w, j, a, f, r, n, t, %s, %s,
                       now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                  FROM unnest(%s::int[], %s::int[], %s::int[], %s::varchar[], %s::int[],
                              %s::varchar[], %s::bool[]) AS t(w, j, a, f, r, n, t)
                RETURNING id
                """,
                uid,
                uid,
                *arrays,
                to_change,
            )
        )
        lines = self.browse([row[0] for row in self.env.cr.fetchall()])
        self.env["print.change.request.wizard"].invalidate_model(["line_ids"])
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
