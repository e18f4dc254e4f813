from odoo import api, fields, models

CHANGE_KINDS = [
    ("file_added", "File added"),
    ("file_replaced", "File replaced"),
    ("file_removed", "File removed"),
    ("ticket", "Job ticket changed"),
]


class PrintJobChange(models.Model):
    """One change the customer (or an operator on the customer's behalf) made to a job: a file
    added, replaced or removed, or a job-ticket field changed.  The history of a request for
    change's answer: old files stay here (never deleted), so the operator can compare and an
    accountant can audit.  Records are created by the addon's methods only (in sudo)."""

    _name = "print.job.change"
    _description = "Change made to a print job"
    _order = "date desc, id desc"

    job_id = fields.Many2one(
        comodel_name="print.job", required=True, readonly=True, index=True, ondelete="cascade"
    )
    order_id = fields.Many2one(
        related="job_id.order_id", store=True, index=True, string="Order", precompute=True
    )
    company_id = fields.Many2one(related="job_id.company_id", store=True, precompute=True)
    request_id = fields.Many2one(
        comodel_name="print.change.request",
        string="Request for change",
        readonly=True,
        index=True,
        ondelete="set null",
        help="The request this change answers, when one was waiting for the customer.",
    )
    kind = fields.Selection(selection=CHANGE_KINDS, required=True, readonly=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    author_id = fields.Many2one(
        comodel_name="res.partner",
        string="Changed by",
        readonly=True,
        help="The customer (or the operator's contact) who made the change.",
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        readonly=True,
        help="The logged-in user who made the change; empty when the customer used the "
        "e-mail's link.",
    )
    old_attachment_id = fields.Many2one(
        comodel_name="ir.attachment", string="Old file", readonly=True, ondelete="restrict"
    )
    new_attachment_id = fields.Many2one(
        comodel_name="ir.attachment", string="New file", readonly=True, ondelete="restrict"
    )
    old_name = fields.Char(string="Old file name", readonly=True)
    new_name = fields.Char(string="New file name", readonly=True)
    field_name = fields.Char(string="Ticket field (technical)", readonly=True)
    field_label = fields.Char(string="Ticket field", readonly=True)
    old_value = fields.Char(string="Before", readonly=True)
    new_value = fields.Char(string="After", readonly=True)
    description = fields.Char(compute="_compute_description")

    @api.depends("kind", "old_name", "new_name", "field_label", "old_value", "new_value")
    def _compute_description(self):
        for change in self:
            change.description = change._describe()

    def _describe(self):
        """One line for the chatter and the pages: "old.pdf → new.pdf", "Copies: 30 → 40"."""
        self.ensure_one()
        if self.kind == "file_replaced":
            return f"{self.old_name} → {self.new_name}"
        if self.kind == "file_added":
            return self.env._("%(name)s added", name=self.new_name)
        if self.kind == "file_removed":
            return self.env._("%(name)s removed", name=self.old_name)
        return f"{self.field_label}: {self.old_value or '-'} → {self.new_value or '-'}"
