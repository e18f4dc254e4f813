from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib import refund_planning


class PrintOrderCancelWizard(models.TransientModel):
    """ "The customer has already paid the order...", asked when an operator cancels a paid
    order: OK cancels and refunds the payment automatically through the payment provider,
    Cancel cancels and leaves the refund to the accountants (a to-do).  Closing the dialog
    does nothing at all: the order is not canceled."""

    _name = "print.order.cancel.wizard"
    _description = "Cancel a paid order"

    order_ids = fields.Many2many(comodel_name="print.order", string="Orders", readonly=True)
    currency_id = fields.Many2one(comodel_name="res.currency", compute="_compute_amounts")
    amount_to_refund = fields.Monetary(compute="_compute_amounts")
    amount_to_release = fields.Monetary(compute="_compute_amounts")
    provider_names = fields.Char(compute="_compute_amounts")

    @api.depends("order_ids")
    def _compute_amounts(self):
        for wizard in self:
            orders = wizard.order_ids
            transactions = self.env["payment.transaction"].sudo()
            for order in orders:
                transactions |= transactions.browse(
                    [source.key for source in order._get_refund_sources()]
                )
                transactions |= order._get_authorized_transactions()
            wizard.currency_id = orders[:1].currency_id
            wizard.amount_to_refund = sum(orders.mapped("amount_paid"))
            wizard.amount_to_release = sum(orders.mapped("amount_authorized"))
            wizard.provider_names = ", ".join(transactions.provider_id.mapped("name"))

    @api.model
    def _open_for(self, orders):
        wizard = self.create({"order_ids": [fields.Command.set(orders.ids)]})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("The customer has already paid the order"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def _cancel(self, refund_method):
        self.ensure_one()
        self.check_access("write")  # another operator's dialog is not to be run by its id
        orders = self.order_ids
        if not orders:
            raise UserError(self.env._("The order of this dialog no longer exists."))
        orders.check_access("write")
        return orders._print_cancel_with_refunds(refund_method)

    def action_refund_automatically(self):
        """OK: cancel the order and refund the payment now (by hand where the provider
        cannot)."""
        return self._cancel(refund_planning.AUTOMATIC)

    def action_refund_manually(self):
        """Cancel: cancel the order; the accountants refund the customer by hand."""
        return self._cancel(refund_planning.MANUAL)
