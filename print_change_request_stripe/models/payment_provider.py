from odoo import fields, models


class PaymentProvider(models.Model):
    _inherit = "payment.provider"

    print_refund_webhook_secret = fields.Char(
        string="Refund webhook signing secret",
        groups="base.group_system",
        help="Signing secret of the Stripe webhook endpoint pointing to "
        "/print_change_request/stripe/webhook (refund events). Leave empty when that "
        "endpoint shares the provider's webhook secret.",
    )

    def _print_webhook_secrets(self):
        """The secrets a Stripe refund event may be signed with."""
        return [
            secret
            for provider in self.sudo()
            for secret in (provider.print_refund_webhook_secret, provider.stripe_webhook_secret)
            if secret
        ]
