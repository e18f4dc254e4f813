from odoo import api, fields, models
from odoo.exceptions import UserError

NEXT_STEPS = [("accept", "Accept"), ("dispatch", "Dispatch")]


class PrintOrderContinueWizard(models.TransientModel):
    """ "The customer has not changed the order yet": asked when the operator clicks Accept
    or Dispatch on an order that waits for the customer.  OK records "I do not wait for the
    response of the customer." and goes on with the step the operator asked for."""

    _name = "print.order.continue.wizard"
    _description = "Go on without the customer's response"

    order_ids = fields.Many2many(comodel_name="print.order", string="Orders", readonly=True)
    next_step = fields.Selection(selection=NEXT_STEPS, required=True, readonly=True)
    waiting_order_names = fields.Char(compute="_compute_waiting_order_names")

    @api.depends("order_ids")
    def _compute_waiting_order_names(self):
        for wizard in self:
            waiting = wizard.order_ids.filtered(lambda order: order._is_waiting_on_customer())
            wizard.waiting_order_names = ", ".join(waiting.mapped("name"))

    def action_continue(self):
        """OK: do not wait for the customer, then do the step (the form reloads after)."""
        self.ensure_one()
        orders = self.order_ids
        if not orders:
            raise UserError(self.env._("The order of this dialog no longer exists."))
        orders._lock_for_update()
        waiting = orders.filtered(lambda order: order._is_waiting_on_customer())
        # A double click, or a colleague, may have decided already: then only go on.
        if waiting:
            waiting.action_continue_without_customer()
        return getattr(orders, f"action_{self.next_step}")()
