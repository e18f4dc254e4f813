from odoo import api, fields, models
from odoo.tools import SQL

ITEM_KINDS = [("file", "File"), ("ticket", "Job ticket")]


class PrintChangeRequestItem(models.Model):
    _name = "print.change.request.item"
    _inherit = ["print.batch.insert.mixin"]
    _description = "What a request for change asks the customer to change"
    _order = "request_id, job_id, kind, id"
    _check_company_auto = True
    #: What a request writes in one INSERT (``print.batch.insert.mixin``).
    _BATCH_COLUMNS = (
        "request_id",
        "company_id",
        "job_id",
        "kind",
        "attachment_id",
        "file_name",
        "reason_id",
        "note",
    )

    request_id = fields.Many2one(
        comodel_name="print.change.request",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    # The request's: what the items say (jobs, files, notes) stays in its company.
    company_id = fields.Many2one(related="request_id.company_id", store=True, index=True)
    job_id = fields.Many2one(
        comodel_name="print.job", required=True, ondelete="cascade", check_company=True
    )
    kind = fields.Selection(selection=ITEM_KINDS, required=True, default="file")
    attachment_id = fields.Many2one(
        comodel_name="ir.attachment", string="File", ondelete="set null"
    )
    file_name = fields.Char(help="The file's name when the request was sent.")
    reason_id = fields.Many2one(comodel_name="print.change.reason", ondelete="restrict")
    note = fields.Text()

    @api.model
    def _insert_batch(self, vals_list):
        """Each item takes its request's company (the INSERT computes no field)."""
        self.check_access("create")
        requests = self.env["print.change.request"].browse(
            {vals["request_id"] for vals in vals_list if vals.get("request_id")}
        )
        company_of = {request.id: request.company_id.id for request in requests}
        return super()._insert_batch(
            [{**vals, "company_id": company_of.get(vals.get("request_id"))} for vals in vals_list]
        )

    @api.model
    def _insert_from_dialog_lines(self, request_of_job, line_ids):
        """The file items of the dialog's lines ``line_ids``, checked and ticked, in one
        INSERT ... SELECT in the lines' order; ``request_of_job`` ({job id: request id})
        says which request each line's job is on.  A line saved without its file's name
        takes the file's name now.  For 100 jobs of 5 files, 500 rows of values were read
        from the lines, then sent back to the database."""
        self.check_access("create")
        if not line_ids:
            return self.browse()
        Line = self.env["print.change.request.line"]
        Line.flush_model(["job_id", "attachment_id", "file_name", "reason_id", "note"])
        self.env["ir.attachment"].flush_model(["name"])
        self.env["print.change.request"].flush_model(["company_id"])
        uid = self.env.uid
        rows = self.env.execute_query(
            SQL(
                """
                INSERT INTO %s (request_id, company_id, job_id, kind, attachment_id, file_name,
                                reason_id, note, create_uid, write_uid, create_date, write_date)
                SELECT request.id, request.company_id, line.job_id, 'file', line.attachment_id,
                       COALESCE(NULLIF(line.file_name, ''), attachment.name), line.reason_id,
                       line.note, %s, %s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                  FROM %s line
                  JOIN unnest(%s::int4[], %s::int4[]) AS asked(job_id, request_id)
                       ON asked.job_id = line.job_id
                  JOIN print_change_request request ON request.id = asked.request_id
             LEFT JOIN ir_attachment attachment ON attachment.id = line.attachment_id
                 WHERE line.id = ANY(%s)
              ORDER BY line.id
             RETURNING id
                """,
                SQL.identifier(self._table),
                uid,
                uid,
                SQL.identifier(Line._table),
                list(request_of_job),
                list(request_of_job.values()),
                list(line_ids),
            )
        )
        self._invalidate_inverses()
        items = self.browse([row[0] for row in rows])
        items.attachment_id.check_access("read")
        items._after_sql_insert(self._BATCH_COLUMNS)
        return items
