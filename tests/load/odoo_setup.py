"""Prepare a fresh database for the load harness.  Piped into ``odoo shell`` by run_load.py.

Reads ``PCR_LOAD_SETUP`` (JSON) from the environment; ``env`` is given by ``odoo shell``.
Points the addon at the fault proxy, configures the Stripe provider with test keys and a
webhook secret, creates operators and accountants (password = login), a customer, and paid
orders: a real localstripe payment intent each and the done payment transaction Odoo's
Stripe provider would have made of it (as tests/common.py ``_pay_with_stripe`` does); every
third order also has a posted invoice paid by that transaction.  Every third order (from
the second) is paid with a copy of the Stripe provider that captures manually: its payment
intent only requires capture, its transaction is authorized.

Besides (issue 22): ``demo_orders`` more orders of the pool paid with a copy of the demo
provider set to capture manually, whose refund transactions Odoo leaves "authorized" (as
Adyen leaves its own in draft until its webhook): the addon's refund stays a draft;
``double_orders`` orders each with two authorized Stripe payments of its whole total (two
tabs), to be accepted; ``cancel_orders`` orders to cancel, paid (Stripe or demo) or
authorized; a second company with its own operator and an order of its own.  Prints one line
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

# A provider whose refunds stay drafts: Odoo's demo provider settles a refund by a simulated
# notification "done", which a provider capturing manually takes as "authorized" only.
demo_method = env.ref("payment_demo.payment_method_demo", raise_if_not_found=False)
demo_provider = env["payment.provider"]
if demo_method and config.get("demo_orders", 0) + config.get("cancel_orders", 0):
    demo_provider = env.ref("payment.payment_provider_demo").copy(
        {"name": "Demo (refund stays draft)", "capture_manually": True}
    )
    demo_provider.write(
        {
            "state": "test",
            "company_id": env.company.id,
            "payment_method_ids": [Command.set(demo_method.ids)],
        }
    )
    demo_method.active = True

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


def pay_demo(order, amount):
    """A done payment of ``amount`` for ``order`` through the demo provider whose refunds
    stay drafts."""
    tx = env["payment.transaction"].create(
        {
            "provider_id": demo_provider.id,
            "payment_method_id": demo_method.id,
            "reference": env["payment.transaction"]._compute_reference("demo", prefix=order.name),
            "amount": amount,
            "currency_id": order.currency_id.id,
            "partner_id": order.partner_id.id,
            "provider_reference": f"demo-load-{order.name}",
            "print_order_ids": [Command.link(order.id)],
        }
    )
    tx._set_done()
    return tx


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


def make_order(index, company=None, user=None):
    Order = env["print.order"].with_company(company) if company else env["print.order"]
    order = Order.create(
        {"partner_id": customer.id, "user_id": (user or operators[0]).id}
        | ({"company_id": company.id} if company else {})
    )
    Order.env["print.job"].create(
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
    return order


orders = env["print.order"]
for index in range(config["orders"]):
    order = make_order(index)
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
demo_orders = env["print.order"]
for index in range(config.get("demo_orders", 0) if demo_provider else 0):
    order = make_order(config["orders"] + index)
    pay_demo(order, order.amount_total)
    demo_orders |= order
orders |= demo_orders
# Two tabs authorized the whole total each (issue 22 #2): Accept must capture one.
double_orders = env["print.order"]
for index in range(config.get("double_orders", 0)):
    order = make_order(100 + index)
    pay(order, order.amount_total, manual=True)
    pay(order, order.amount_total, manual=True)
    double_orders |= order
# Orders to cancel: paid through Stripe, authorized, paid through the demo provider.
cancel_orders = env["print.order"]
cancel_kinds = {}
for index in range(config.get("cancel_orders", 0)):
    order = make_order(200 + index)
    kind = ("paid", "authorized", "demo")[index % 3 if demo_provider else index % 2]
    if kind == "demo":
        pay_demo(order, order.amount_total)
    else:
        pay(order, order.amount_total, manual=kind == "authorized")
    cancel_orders |= order
    cancel_kinds[order.id] = kind
# A second company, its operator and an order of its own (issue 22 #7).
other_operator = other_order = None
if config.get("second_company"):
    other_company = env["res.company"].create({"name": "Load Company 2"})
    other_operator = make_user("load_operator_c2", ["print_change_request.group_print_operator"])
    other_operator.write(
        {"company_ids": [Command.set(other_company.ids)], "company_id": other_company.id}
    )
    other_order = make_order(300, company=other_company, user=other_operator)
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
    "demo_provider_id": demo_provider.id,
    "demo_order_ids": demo_orders.ids,
    "double_order_ids": double_orders.ids,
    "cancel_kinds": cancel_kinds,
    "double_authorized": [len(o._get_authorized_transactions()) for o in double_orders],
    "cancel_order_ids": cancel_orders.ids,
    "other_operator": other_operator.login if other_operator else None,
    "other_order_id": other_order.id if other_order else None,
    "other_company_id": other_order.company_id.id if other_order else None,
}
print("PCR_LOAD_SETUP " + json.dumps(result))
