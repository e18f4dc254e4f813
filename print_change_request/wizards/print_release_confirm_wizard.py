from odoo import fields, models


class PrintReleaseConfirmWizard(models.TransientModel):
    """ "The customer's payment is only authorized...": the refund question's counterpart
    for payments captured manually.  OK releases the authorization through the provider
    (nothing was charged, nothing is refunded), Cancel leaves the release to the accountants
    (a to-do).  Closing the dialog does nothing at all."""

    _name = "print.release.confirm.wizard"
    _inherit = "print.money.question.mixin"
    _description = "Confirm the release of an authorized payment"

    amount_to_release = fields.Monetary(related="request_wizard_id.amount_to_release")

    def _get_question_transactions(self):
        transactions = self.env["payment.transaction"].sudo()
        for order in self.request_wizard_id.order_ids:
            transactions |= order._get_authorized_transactions()
        return transactions

    def action_release_automatically(self):
        """OK: send the request and release the authorization now."""
        return self._answer(refund_method=None, release_method="automatic")

    def action_release_manually(self):
        """Cancel: send the request; the accountants release the authorization by hand."""
        return self._answer(refund_method=None, release_method="manual")
