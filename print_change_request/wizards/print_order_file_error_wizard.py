from odoo import Command, api, fields, models
from odoo.exceptions import UserError

STEPS = [("accept", "Accept"), ("continue", "Go on without the customer")]


class PrintOrderFileErrorWizard(models.TransientModel):
    """ "The preflight found errors in these files": asked before Accept and before going
    on without the customer when files of the order have errors no operator confirmed.  OK
    records the confirmation (on the order, in its chatter) and goes on with the step; the
    step asks again for files with errors it did not name (uploaded meanwhile)."""

    _name = "print.order.file.error.wizard"
    _description = "Go ahead with files with errors"

    order_ids = fields.Many2many(comodel_name="print.order", string="Orders", readonly=True)
    step = fields.Selection(selection=STEPS, required=True, readonly=True)
    continue_wizard_id = fields.Many2one(
        comodel_name="print.order.continue.wizard",
        string="Going on without the customer",
        readonly=True,
        ondelete="cascade",
    )
    attachment_ids = fields.Many2many(
        comodel_name="ir.attachment", string="Files with errors", readonly=True
    )
    message = fields.Text(readonly=True)

    @api.model
    def _open_for(self, orders, findings, step, continue_wizard=None):
        lines = orders._get_error_file_lines(findings)
        wizard = self.create(
            {
                "order_ids": [Command.set(orders.ids)],
                "step": step,
                "continue_wizard_id": continue_wizard.id if continue_wizard else False,
                "attachment_ids": [Command.set(findings.attachment_id.ids)],
                "message": "\n".join(lines),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": (
                self.env._("The preflight found errors in a file")
                if len(lines) == 1
                else self.env._("The preflight found errors in %s files", len(lines))
            ),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def action_confirm(self):
        """OK: go ahead with these files (written in the orders' chatter), then the step."""
        self.ensure_one()
        self.check_access("write")  # another operator's dialog is not to be run by its id
        orders = self.order_ids
        if not orders:
            raise UserError(self.env._("The order of this dialog no longer exists."))
        orders._check_operator()
        orders.check_access("write")
        orders._lock_for_update()
        orders._confirm_error_files(self.attachment_ids)
        if self.continue_wizard_id:
            return self.continue_wizard_id.action_continue()
        if self.step == "continue":
            return orders.action_continue_without_customer()
        return orders.action_accept()
