from odoo import api, fields, models


class PrintRefundConfirmWizard(models.TransientModel):
    """ "The customer has already paid the order...": OK refunds automatically, Cancel
    leaves the refund to the accountants.  Closing the dialog does nothing at all."""

    _name = "print.refund.confirm.wizard"
    _description = "Confirm the refund of a paid order"

    request_wizard_id = fields.Many2one(
        comodel_name="print.change.request.wizard", required=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="request_wizard_id.currency_id")
    amount_to_refund = fields.Monetary(related="request_wizard_id.amount_to_refund")
    provider_names = fields.Char(compute="_compute_provider_names")

    @api.depends("request_wizard_id")
    def _compute_provider_names(self):
        for wizard in self:
            sources = [
                source
                for order in wizard.request_wizard_id.order_ids
                for source in order._get_refund_sources()
            ]
            transactions = (
                self.env["payment.transaction"].sudo().browse([source.key for source in sources])
            )
            wizard.provider_names = ", ".join(transactions.provider_id.mapped("name"))

    def action_refund_automatically(self):
        """OK: refund the payment automatically (by hand where that is not possible)."""
        self.ensure_one()
        self.request_wizard_id.check_access("write")
        return self.request_wizard_id._execute(refund_method="automatic")

    def action_refund_manually(self):
        """Cancel: send the request; the customer is refunded by hand."""
        self.ensure_one()
        self.request_wizard_id.check_access("write")
        return self.request_wizard_id._execute(refund_method="manual")
