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
    refund_note = fields.Char(
        compute="_compute_refund_note",
        help="What happens to the refunds of the requests not waited for.",
    )

    @api.depends("order_ids")
    def _compute_waiting_order_names(self):
        for wizard in self:
            waiting = wizard.order_ids.filtered(lambda order: order._is_waiting_on_customer())
            wizard.waiting_order_names = ", ".join(waiting.mapped("name"))

    @api.depends("order_ids")
    def _compute_refund_note(self):
        for wizard in self:
            waiting = wizard.order_ids.filtered(lambda order: order._is_waiting_on_customer())
            refunds = (
                waiting.change_request_ids.filtered(lambda request: request.state == "waiting")
                .sudo()
                .refund_ids
            )
            to_cancel, gone = self.env["print.order"]._split_refunds_going_ahead(refunds)
            notes = []
            if to_cancel:
                notes.append(
                    self.env._(
                        "The refunds not paid out yet (%(refunds)s) are canceled: the customer "
                        "keeps their payment.",
                        refunds=", ".join(to_cancel.mapped("name")),
                    )
                )
            if gone:
                notes.append(
                    self.env._(
                        "The refunds already sent or under way (%(refunds)s) stay: the customer "
                        "pays what is due again.",
                        refunds=", ".join(gone.mapped("name")),
                    )
                )
            wizard.refund_note = " ".join(notes)

    def action_continue(self):
        """OK: do not wait for the customer, then do the step (the form reloads after)."""
        self.ensure_one()
        orders = self.order_ids
        if not orders:
            raise UserError(self.env._("The order of this dialog no longer exists."))
        orders._lock_for_update()
        waiting = orders.filtered(lambda order: order._is_waiting_on_customer())
        ask = waiting._get_error_files_action("continue", continue_wizard=self)
        if ask:
            return ask
        # A double click, or a colleague, may have decided already: then only go on.
        if waiting:
            waiting.action_continue_without_customer()
        return getattr(orders, f"action_{self.next_step}")()
