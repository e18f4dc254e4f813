import base64
import binascii

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib import communication_state as cs


class PrintJobUploadWizard(models.TransientModel):
    """An operator uploads a file on the customer's behalf (the customer sent it by e-mail),
    with the same checks as the portal, optionally replacing one of the job's files.  The old
    file stays in the job's change history, on the request waiting for the customer if any."""

    _name = "print.job.upload.wizard"
    _description = "Upload a file for the customer"

    job_id = fields.Many2one(comodel_name="print.job", required=True, readonly=True)
    replaces_id = fields.Many2one(
        comodel_name="ir.attachment",
        domain="[('id', 'in', job_attachment_ids)]",
        help="The job's file the new one replaces. Leave empty to add a file.",
    )
    job_attachment_ids = fields.Many2many(related="job_id.attachment_ids")
    file = fields.Binary(required=True)
    filename = fields.Char()

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "print.job" and "job_id" in fields_list:
            values.setdefault("job_id", self.env.context.get("active_id"))
        return values

    def action_upload(self):
        self.ensure_one()
        job = self.job_id
        if job.communication_state not in cs.CHANGE_REQUESTABLE:
            raise UserError(
                self.env._(
                    "Job %(job)s can no longer change: its files stay as they are.", job=job.name
                )
            )
        try:
            data = base64.b64decode(self.file or b"", validate=True)
        except (binascii.Error, ValueError) as error:
            raise UserError(self.env._("The file could not be read: upload it again.")) from error
        order = job.order_id
        order._lock_for_update()
        request = order.change_request_ids.filtered(
            lambda request: request.state == "waiting" and job in request.job_ids
        )[:1]
        job._add_files(
            [(self.filename or "file", data)],
            replaces=self.replaces_id or None,
            request=request or None,
            author=self.env.user.partner_id,
        )
        return {"type": "ir.actions.act_window_close"}
