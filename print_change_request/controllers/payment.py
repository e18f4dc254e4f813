from odoo import Command, http
from odoo.addons.payment.controllers import portal as payment_portal
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.http import request

from . import payment_options

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

        Only what the page's payment form offers for this order and partner is accepted (the
        same providers, payment methods and tokens, computed by ``payment_options``); anything
        else is refused before anything is created.

        :raise ValidationError: when the access token is invalid, nothing is due, a payment
            of the order is under way already, or the payment option is not one the page
            offers."""
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
        # One payment at a time: a second tab's request waits for the first, then is played
        # again by Odoo on what the first committed (the row is touched), and finds its
        # payment under way; the reference is computed under the lock, so never twice.
        order_sudo._wait_to_lock_for_update()
        if order_sudo._get_payments_under_way():
            raise ValidationError(order_sudo._get_payment_under_way_message())
        amount_due = order_sudo._get_amount_due()
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
        options = payment_options.get_payment_options(order_sudo, amount_due)
        self._check_payment_offered(order_sudo, options, kwargs)
        partner_sudo = options["partner_sudo"]
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

    @staticmethod
    def _check_payment_offered(order_sudo, options, kwargs):
        """Refuse a provider, payment method or token the order's page does not offer (a
        disabled or unpublished provider, one of another company, another partner's token, a
        validation instead of a payment...).

        :raise ValidationError: with what to do."""

        def as_id(key):
            value = kwargs.get(key)
            if value in (None, "", False):
                return None
            try:
                return int(value)
            except (TypeError, ValueError):
                return -1  # offered by no form

        offered = not kwargs.get("is_validation") and payment_options.is_offered(
            options,
            kwargs.get("flow"),
            as_id("provider_id"),
            as_id("payment_method_id"),
            as_id("token_id"),
        )
        if not offered:
            raise ValidationError(
                request.env._(
                    "This payment option is not offered for order %(order)s. Reload the page "
                    "and pay with one of the payment methods it shows.",
                    order=order_sudo.name,
                )
            )
