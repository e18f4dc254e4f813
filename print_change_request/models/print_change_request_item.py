from odoo import api, fields, models

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
