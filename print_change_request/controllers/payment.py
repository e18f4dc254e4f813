from odoo import Command, http
from odoo.addons.payment.controllers import portal as payment_portal
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.http import request

from .portal import PrintOrderPortal

#: What the payment form always sends to a transaction route (Odoo's _create_transaction).
REQUIRED_KWARGS = ("provider_id", "payment_method_id", "token_id", "flow", "landing_route")


class PrintOrderPaymentPortal(payment_portal.PaymentPortal):
    """Paying a print order again from its portal page, as ``sale`` does for its orders."""

    @http.route("/my/print_orders/<int:order_id>/transaction", type="json", auth="public")
    def portal_print_order_transaction(self, order_id, access_token=None, **kwargs):
        """Create a draft transaction for what the order still has to be paid, linked to the
        order, and return its processing values.

        The amount is the order's amount due, whatever the browser sends: the payment form's
        ``amount`` only has to match it.

        :raise ValidationError: when the access token is invalid or nothing is due."""
        try:
            order_sudo = self._document_check_access("print.order", order_id, access_token)
        except MissingError:
            raise
        except AccessError as error:
            raise ValidationError(request.env._("The access token is invalid.")) from error

        if order_sudo.portal_draft:
            raise ValidationError(
                request.env._(
                    "Order %(order)s is not submitted yet: submit it, then pay it.",
                    order=order_sudo.name,
                )
            )
        self._validate_transaction_kwargs(kwargs)
        missing = [key for key in REQUIRED_KWARGS if key not in kwargs]
        if missing:
            raise ValidationError(
                request.env._(
                    "The payment form sent too little: %(keys)s.", keys=", ".join(missing)
                )
            )
        amount_due = PrintOrderPortal._get_print_order_amount_due(order_sudo)
        if amount_due <= 0:
            raise ValidationError(
                request.env._("Order %(order)s has nothing left to pay.", order=order_sudo.name)
            )
        amount = self._cast_as_float(kwargs.get("amount"))
        if amount is not None and order_sudo.currency_id.compare_amounts(amount, amount_due):
            raise ValidationError(
                request.env._(
                    "The amount to pay for order %(order)s has changed: reload the page.",
                    order=order_sudo.name,
                )
            )
        logged_in = not request.env.user._is_public()
        partner_sudo = request.env.user.partner_id if logged_in else order_sudo.partner_id
        kwargs.update(
            {
                "amount": amount_due,
                "partner_id": partner_sudo.id,
                "currency_id": order_sudo.currency_id.id,
                "reference_prefix": order_sudo.name,
            }
        )
        tx_sudo = self._create_transaction(
            custom_create_values={"print_order_ids": [Command.set([order_sudo.id])]},
            **kwargs,
        )
        return tx_sudo._get_processing_values()
