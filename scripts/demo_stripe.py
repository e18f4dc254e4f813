"""Point the demo database's Stripe provider at a local fake Stripe (localstripe).

Run by scripts/run.sh through `odoo shell` after it started localstripe: automatic refunds
then really go through the stripe library over HTTP, without a Stripe account.  The demo's
card payments get real payment intents on that server.  Demo use only: never run it on a
production database (it replaces the Stripe provider's keys with test ones).

Reads PCR_STRIPE_URL from the environment; `env` is given by `odoo shell`.
"""

import os

import stripe

url = os.environ["PCR_STRIPE_URL"]
env = globals()["env"]  # given by odoo shell
client = stripe.StripeClient("sk_test_demo", base_addresses={"api": url}, max_network_retries=0)
env["ir.config_parameter"].set_param("print_change_request.stripe_api_base", url)
provider = env.ref("payment.payment_provider_stripe")
if provider.state == "disabled" or not provider.stripe_secret_key:
    provider.write(
        {
            "state": "test",
            "stripe_secret_key": "sk_test_demo",
            "stripe_publishable_key": "pk_test_demo",
        }
    )
payments = env["payment.transaction"].search(
    [
        ("provider_id", "=", provider.id),
        ("state", "=", "done"),
        ("operation", "!=", "refund"),
        ("print_order_ids", "!=", False),
    ]
)
card = client.v1.payment_methods.create(
    params={
        "type": "card",
        "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2035, "cvc": "123"},
    }
)
for tx in payments:
    intent = client.v1.payment_intents.create(
        params={
            "amount": round(tx.amount * 10**tx.currency_id.decimal_places),
            "currency": tx.currency_id.name.lower(),
            "payment_method": card.id,
            "confirm": True,
        }
    )
    tx.provider_reference = intent.id
env.cr.commit()
print(f"Stripe provider points at {url}; {len(payments)} demo card payment(s) on it.")
