from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

from .print_change_request_wizard import NOTE_MAX_LENGTH


class PrintChangeRequestLine(models.TransientModel):
    _name = "print.change.request.line"
    _inherit = ["print.batch.insert.mixin"]
    _description = "A file in the Request for change dialog"
    _order = "id"
    _check_company_auto = True

    wizard_id = fields.Many2one(
        comodel_name="print.change.request.wizard",
        required=True,
        index=True,  # every read of a dialog's lines; the table holds every open dialog's
        ondelete="cascade",
    )
    job_id = fields.Many2one(
        comodel_name="print.job", required=True, readonly=True, check_company=True
    )
    company_id = fields.Many2one(related="job_id.company_id", store=True)
    order_id = fields.Many2one(related="job_id.order_id")
    attachment_id = fields.Many2one(comodel_name="ir.attachment", string="File", readonly=True)
    file_name = fields.Char(readonly=True, help="The file's name when the dialog opened.")
    to_change = fields.Boolean(string="Must change")
    reason_id = fields.Many2one(comodel_name="print.change.reason")
    note_required = fields.Boolean(related="reason_id.note_required")
    note = fields.Text(help="What exactly the customer must fix, in your words.")

    #: The columns of a default line, as :meth:`_select_for_files` gives them.
    _FILE_LINE_COLUMNS = ("job_id", "attachment_id", "file_name", "to_change", "reason_id", "note")

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self._check_jobs_and_files(
                [(vals.get("job_id"), vals.get("attachment_id")) for vals in vals_list]
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and "wizard_id" in vals:
            self._check_stays_in_dialog(vals["wizard_id"])
        if not self.env.su and {"job_id", "attachment_id"} & set(vals):
            self._check_jobs_and_files(
                [
                    (
                        vals.get("job_id", line.job_id.id),
                        vals.get("attachment_id", line.attachment_id.id),
                    )
                    for line in self
                ]
            )
        return super().write(vals)

    def _check_stays_in_dialog(self, wizard_id):
        """A line is made for its dialog: it is not moved to another one."""
        if self.filtered(lambda line: line.wizard_id.id != wizard_id):
            raise AccessError(self.env._("A line of the Request for change dialog stays in it."))

    @api.model
    def _check_jobs_and_files(self, pairs):
        """Refuse lines of ``pairs`` ((job id, attachment id or False)) whose job, or whose
        file's job, the user cannot open (another company's, or none): the refusal names
        nothing, the names being what the user may not read.  A file of another job the
        user can open is refused by OK, which names it (``_check_request``)."""
        job_ids = {job_id for job_id, _attachment_id in pairs if job_id}
        attachment_ids = {attachment_id for _job_id, attachment_id in pairs if attachment_id}
        if not job_ids and not attachment_ids:
            return
        self.env["print.job"].flush_model(["attachment_ids"])
        self.env["ir.attachment"].flush_model(["res_model", "res_id"])
        # each file's jobs: those it is on, and the one it was uploaded to
        file_jobs = self.env.execute_query(
            SQL(
                """
                SELECT attachment_id, job_id FROM print_job_attachment_rel
                 WHERE attachment_id = ANY(%s)
                 UNION
                SELECT id, res_id FROM ir_attachment
                 WHERE id = ANY(%s) AND res_model = 'print.job' AND res_id IS NOT NULL
                """,
                list(attachment_ids),
                list(attachment_ids),
            )
        )
        asked = job_ids | {job_id for _attachment_id, job_id in file_jobs}
        reachable = set(self.env["print.job"].search([("id", "in", list(asked))])._ids)
        if job_ids - reachable:
            raise AccessError(
                self.env._(
                    "The Request for change dialog lists only jobs you can open: a line names "
                    "a job of another company, or one that does not exist."
                )
            )
        if attachment_ids - {
            attachment_id for attachment_id, job_id in file_jobs if job_id in reachable
        }:
            raise AccessError(
                self.env._(
                    "The Request for change dialog lists only files of jobs you can open: a "
                    "line names a file of another company, or one that is no job's file."
                )
            )

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

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
        one INSERT ... SELECT: the database reads the jobs' files and their names itself.
        What ``create()`` guarantees is checked after (``_after_sql_insert``: the notes'
        length, the rules, the companies)."""
        self.check_access("create")
        self.env["print.job"].flush_model(["company_id"])
        uid = self.env.uid
        now = SQL("now() AT TIME ZONE 'UTC'")
        # the line's company is its job's (``rel`` is the job's file in the SELECT)
        company = SQL("(SELECT company_id FROM print_job WHERE id = rel.job_id)")
        rows = self.env.execute_query(
            SQL(
                "INSERT INTO %s (wizard_id, create_uid, write_uid, create_date, write_date, "
                "company_id, %s) %s RETURNING id",
                SQL.identifier(self._table),
                SQL(", ").join(map(SQL.identifier, self._FILE_LINE_COLUMNS)),
                self._select_for_files(
                    jobs, chosen, SQL("%s", wizard.id), uid, uid, now, now, company
                ),
            )
        )
        lines = self.browse([row[0] for row in rows])
        self._invalidate_inverses()
        # the database read the files' names: files the user may read, as the ORM would
        lines.attachment_id.check_access("read")
        lines._after_sql_insert(("wizard_id", "company_id", *self._FILE_LINE_COLUMNS))
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
