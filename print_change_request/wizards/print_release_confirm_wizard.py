from odoo import api, fields, models


class PrintReleaseConfirmWizard(models.TransientModel):
    """ "The customer's payment is only authorized...": the refund question's counterpart
    for payments captured manually.  OK releases the authorization through the provider
    (nothing was charged, nothing is refunded), Cancel leaves the release to the accountants
    (a to-do).  Closing the dialog does nothing at all."""

    _name = "print.release.confirm.wizard"
    _description = "Confirm the release of an authorized payment"

    request_wizard_id = fields.Many2one(
        comodel_name="print.change.request.wizard", required=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="request_wizard_id.currency_id")
    amount_to_release = fields.Monetary(related="request_wizard_id.amount_to_release")
    provider_names = fields.Char(compute="_compute_provider_names")

    @api.depends("request_wizard_id")
    def _compute_provider_names(self):
        for wizard in self:
            transactions = self.env["payment.transaction"].sudo()
            for order in wizard.request_wizard_id.order_ids:
                transactions |= order._get_authorized_transactions()
            wizard.provider_names = ", ".join(transactions.provider_id.mapped("name"))

    def action_release_automatically(self):
        """OK: send the request and release the authorization now."""
        self.ensure_one()
        self.request_wizard_id.check_access("write")
        return self.request_wizard_id._execute(refund_method=None, release_method="automatic")

    def action_release_manually(self):
        """Cancel: send the request; the accountants release the authorization by hand."""
        self.ensure_one()
        self.request_wizard_id.check_access("write")
        return self.request_wizard_id._execute(refund_method=None, release_method="manual")
