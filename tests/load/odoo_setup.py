"""Prepare a fresh database for the load harness.  Piped into ``odoo shell`` by run_load.py.

Reads ``PCR_LOAD_SETUP`` (JSON) from the environment; ``env`` is given by ``odoo shell``.
Points the addon at the fault proxy, configures the Stripe provider with test keys and a
webhook secret, creates operators and accountants (password = login), a customer, and paid
orders: a real localstripe payment intent each and the done payment transaction Odoo's
Stripe provider would have made of it (as tests/common.py ``_pay_with_stripe`` does); every
third order also has a posted invoice paid by that transaction.  Every third order (from
the second) is paid with a copy of the Stripe provider that captures manually: its payment
intent only requires capture, its transaction is authorized.  Prints one line
``PCR_LOAD_SETUP {json}`` with what the harness needs.
"""

import inspect
import json
import os

import stripe

from odoo import Command, fields

env = globals()["env"]  # given by odoo shell
config = json.loads(os.environ["PCR_LOAD_SETUP"])
PDF = b"%PDF-1.4\n% load harness file\n%%EOF\n"

params = env["ir.config_parameter"].sudo()
params.set_param("print_change_request.stripe_api_base", config["stripe_url"])
params.set_param("print_change_request.stripe_timeout", str(config["stripe_timeout"]))

card = env.ref("payment.payment_method_unknown")
provider = env.ref("payment.payment_provider_stripe")
provider.write(
    {
        "state": "test",
        "company_id": env.company.id,
        "stripe_secret_key": "sk_test_load",
        "stripe_publishable_key": "pk_test_load",
        "stripe_webhook_secret": config["webhook_secret"],
        "payment_method_ids": [Command.set(card.ids)],
    }
)
card.active = True
# A share of the orders is paid with "Capture Amount Manually": authorized at payment,
# captured at Accept, released at a request for change or a cancellation.
capture_provider = provider.copy({"name": "Stripe (capture manually)", "capture_manually": True})
capture_provider.write(
    {
        "state": "test",
        "stripe_secret_key": "sk_test_load",
        "stripe_publishable_key": "pk_test_load",
        "stripe_webhook_secret": config["webhook_secret"],
        "payment_method_ids": [Command.set(card.ids)],
    }
)

# The follow-up cron runs every minute on the servers' cron threads during the run.
cron = env.ref("print_change_request.ir_cron_check_refunds")
cron.write(
    {
        "active": True,
        "interval_number": 1,
        "interval_type": "minutes",
        "nextcall": fields.Datetime.now(),
    }
)


def make_user(login, group_xmlids):
    groups = [env.ref("base.group_user").id] + [env.ref(x).id for x in group_xmlids]
    return (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            {
                "name": login.replace("_", " ").title(),
                "login": login,
                "password": login,
                "email": f"{login}@example.com",
                "groups_id": [Command.set(groups)],
            }
        )
    )


operators = [
    make_user(f"load_operator_{n}", ["print_change_request.group_print_operator"])
    for n in range(config["operators"])
]
accountants = [
    make_user(f"load_accountant_{n}", ["account.group_account_invoice"])
    for n in range(config["accountants"])
]
customer = env["res.partner"].create({"name": "Load Customer", "email": "load@example.com"})
paper = env["product.product"].create({"name": "Load paper", "type": "service", "list_price": 0.5})

client = stripe.StripeClient(
    "sk_test_load", base_addresses={"api": config["stripe_direct_url"]}, max_network_retries=0
)
method = client.v1.payment_methods.create(
    params={
        "type": "card",
        "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2035, "cvc": "123"},
    }
)


def pay(order, amount, manual=False):
    """A real payment intent of ``amount`` and its done transaction for ``order``; with
    ``manual``, authorized only (captured at Accept)."""
    posted = order.invoice_ids.filtered(lambda move: move.state == "posted")
    intent = client.v1.payment_intents.create(
        params={
            "amount": round(amount * 100),
            "currency": order.currency_id.name.lower(),
            "payment_method": method.id,
            "confirm": True,
            "capture_method": "manual" if manual else "automatic",
        }
    )
    tx = env["payment.transaction"].create(
        {
            "provider_id": (capture_provider if manual else provider).id,
            "payment_method_id": card.id,
            "reference": env["payment.transaction"]._compute_reference(
                "stripe", prefix=order.name
            ),
            "amount": amount,
            "currency_id": order.currency_id.id,
            "partner_id": order.partner_id.id,
            "provider_reference": intent.id,
            "print_order_ids": [Command.link(order.id)],
            "invoice_ids": [Command.set(posted.ids)],
        }
    )
    if manual:
        tx._set_authorized()
    else:
        tx._set_done()
    return tx, intent.id


orders = env["print.order"]
for index in range(config["orders"]):
    order = env["print.order"].create({"partner_id": customer.id, "user_id": operators[0].id})
    env["print.job"].create(
        [
            {
                "order_id": order.id,
                "name": f"Job {job + 1}",
                "sequence": job,
                "product_id": paper.id,
                "price_unit": 10.0 + 2.5 * ((index + job) % 3),
                "attachment_ids": [
                    Command.create(
                        {
                            "name": f"o{index}-j{job}-f{number}.pdf",
                            "raw": PDF,
                            "mimetype": "application/pdf",
                        }
                    )
                    for number in range(1 + (index + job) % 2)
                ],
            }
            for job in range(2)
        ]
    )
    if index % 3 == 0:
        invoice = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "print_order_id": order.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": order.name,
                            "quantity": 1,
                            "price_unit": order.amount_total,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        invoice.action_post()
    pay(order, order.amount_total, manual=index % 3 == 1)
    orders |= order
env.cr.commit()

signature = inspect.signature(type(env["print.refund"]).action_mark_done)
result = {
    "order_ids": orders.ids,
    "operators": [user.login for user in operators],
    "accountants": [user.login for user in accountants],
    "cron_id": cron.id,
    "reason_id": env.ref("print_change_request.reason_missing_fonts").id,
    "mark_done_takes_reference": "reference" in signature.parameters,
    "paid": [order.is_paid for order in orders],
    "authorized": [order.is_payment_authorized for order in orders],
    "capture_provider_id": capture_provider.id,
}
print("PCR_LOAD_SETUP " + json.dumps(result))
