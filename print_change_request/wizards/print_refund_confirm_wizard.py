from odoo import fields, models


class PrintRefundConfirmWizard(models.TransientModel):
    """ "The customer has already paid the order...": OK refunds automatically, Cancel
    leaves the refund to the accountants.  Closing the dialog does nothing at all."""

    _name = "print.refund.confirm.wizard"
    _inherit = "print.money.question.mixin"
    _description = "Confirm the refund of a paid order"

    amount_to_refund = fields.Monetary(related="request_wizard_id.amount_to_refund")

    def _get_question_transactions(self):
        keys = [
            source.key
            for order in self.request_wizard_id.order_ids
            for source in order._get_refund_sources()
        ]
        return self.env["payment.transaction"].sudo().browse(keys)

    def action_refund_automatically(self):
        """OK: refund the payment automatically (by hand where that is not possible)."""
        return self._answer(refund_method="automatic")

    def action_refund_manually(self):
        """Cancel: send the request; the customer is refunded by hand."""
        return self._answer(refund_method="manual")
