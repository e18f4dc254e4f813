"""What Odoo's payment form offers on a print order's page: one computation for the page that
shows the form and for the transaction route that accepts its answer, so that the route accepts
nothing the page did not offer."""

from odoo.addons.payment.controllers import portal as payment_portal
from odoo.http import request


def get_payment_partner(order_sudo):
    """Who pays: the logged-in user's partner, or the order's customer for a visitor who came
    with the order's access token (as ``sale`` does)."""
    if request.env.user._is_public():
        return order_sudo.partner_id
    return request.env.user.partner_id


def get_payment_options(order_sudo, amount):
    """The payment options the order's page offers for ``amount`` (sudo records).

    :return: a dict with ``partner_sudo``, ``company_mismatch`` (the partner cannot pay in the
        order's company: the page shows Odoo's warning instead of the form), ``providers_sudo``,
        ``payment_methods_sudo``, ``tokens_sudo``, ``availability_report`` and
        ``method_providers``: for each payment method id offered, the provider the form sends
        with it (Odoo's form pairs a method with its first compatible provider)."""
    partner_sudo = get_payment_partner(order_sudo)
    company = order_sudo.company_id
    currency = order_sudo.currency_id
    availability_report = {}
    providers_sudo = (
        request.env["payment.provider"]
        .sudo()
        ._get_compatible_providers(
            company.id,
            partner_sudo.id,
            amount,
            currency_id=currency.id,
            report=availability_report,
        )
    )
    payment_methods_sudo = (
        request.env["payment.method"]
        .sudo()
        ._get_compatible_payment_methods(
            providers_sudo.ids,
            partner_sudo.id,
            currency_id=currency.id,
            report=availability_report,
        )
    )
    tokens_sudo = (
        request.env["payment.token"]
        .sudo()
        ._get_available_tokens(providers_sudo.ids, partner_sudo.id)
    )
    method_providers = {}
    for method_sudo in payment_methods_sudo:
        # as the form's template: pm_sudo.provider_ids.filtered(lambda p: p in providers_sudo)[:1]
        provider_sudo = method_sudo.provider_ids.filtered(lambda p: p in providers_sudo)[:1]
        if provider_sudo:
            method_providers[method_sudo.id] = provider_sudo.id
    return {
        "partner_sudo": partner_sudo,
        "company_mismatch": not payment_portal.PaymentPortal._can_partner_pay_in_company(
            partner_sudo, company
        ),
        "providers_sudo": providers_sudo,
        "payment_methods_sudo": payment_methods_sudo,
        "tokens_sudo": tokens_sudo,
        "availability_report": availability_report,
        "method_providers": method_providers,
    }


def is_offered(options, flow, provider_id, payment_method_id, token_id):
    """Whether the payment form's answer (``flow`` and the ids it sends) is one of ``options``
    (from :func:`get_payment_options`)."""
    if options["company_mismatch"]:
        return False
    if flow in ("redirect", "direct"):
        return (
            payment_method_id is not None
            and provider_id is not None
            and options["method_providers"].get(payment_method_id) == provider_id
        )
    if flow == "token":
        token_sudo = options["tokens_sudo"].filtered(lambda token: token.id == token_id)
        return bool(token_sudo) and (
            provider_id is None or token_sudo.provider_id.id == provider_id
        )
    return False
