from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .print_change_request_wizard import NOTE_MAX_LENGTH


class PrintChangeRequestLine(models.TransientModel):
    _name = "print.change.request.line"
    _inherit = ["print.batch.insert.mixin"]
    _description = "A file in the Request for change dialog"
    _order = "id"

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

    #: The columns of a default line, as :meth:`_select_for_files` gives them.
    _FILE_LINE_COLUMNS = ("job_id", "attachment_id", "file_name", "to_change", "reason_id", "note")

    @api.model
    def _select_for_files(self, jobs, chosen, *leading):
        """The SELECT of the default lines of ``jobs``: every file of each job, in the jobs'
        order, then the files'; a file's lines are its ``chosen`` ones (values of
        ``_prepare_lines_vals``, in their order) when it has some, else one unticked line.
        Its columns are ``leading`` (SQL), then :attr:`_FILE_LINE_COLUMNS`.  The database
        reads the files and their names itself (those of jobs the user read)."""
        self.env["print.job"].flush_model(["attachment_ids"])
        self.env["ir.attachment"].flush_model(["name"])
        array_types = ("int4[]", "int4[]", "bool[]", "int4[]", "varchar[]")
        arrays = [
            SQL("%s::%s", [vals.get(name) or None for vals in chosen], SQL(array_type))
            for name, array_type in zip(
                ("job_id", "attachment_id", "to_change", "reason_id", "note"),
                array_types,
                strict=True,
            )
        ]
        return SQL(
            """
            SELECT %s rel.job_id, rel.attachment_id, attachment.name,
                   COALESCE(chosen.to_change, FALSE), chosen.reason_id, chosen.note
              FROM unnest(%s::int4[]) WITH ORDINALITY AS job(id, position)
              JOIN print_job_attachment_rel rel ON rel.job_id = job.id
              JOIN ir_attachment attachment ON attachment.id = rel.attachment_id
         LEFT JOIN unnest(%s) WITH ORDINALITY
                   AS chosen(job_id, attachment_id, to_change, reason_id, note, position)
                   ON chosen.job_id = rel.job_id AND chosen.attachment_id = rel.attachment_id
          ORDER BY job.position, attachment.id, chosen.position
            """,
            SQL("").join(SQL("%s,", column) for column in leading),
            list(jobs._ids),
            SQL(", ").join(arrays),
        )

    @api.model
    def _insert_for_files(self, wizard, jobs, chosen):
        """The default lines of ``jobs`` (:meth:`_select_for_files`) made for ``wizard`` in
        one INSERT ... SELECT: for 100 jobs of 5 files, 500 rows of values were read, sent
        back and checked one by one in Python.  The notes are checked by
        ``_check_note_length``."""
        self.check_access("create")
        uid = self.env.uid
        now = SQL("now() AT TIME ZONE 'UTC'")
        rows = self.env.execute_query(
            SQL(
                "INSERT INTO %s (wizard_id, create_uid, write_uid, create_date, write_date, %s) "
                "%s RETURNING id",
                SQL.identifier(self._table),
                SQL(", ").join(map(SQL.identifier, self._FILE_LINE_COLUMNS)),
                self._select_for_files(jobs, chosen, SQL("%s", wizard.id), uid, uid, now, now),
            )
        )
        lines = self.browse([row[0] for row in rows])
        self._invalidate_inverses()
        if any(len(vals.get("note") or "") > NOTE_MAX_LENGTH for vals in chosen):
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
