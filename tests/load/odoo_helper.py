"""The customer's payments during a load run.  Piped into ``odoo shell`` by run_load.py.

A customer pays online in a browser; Odoo's Stripe provider then confirms the transaction
(a webhook of Stripe we do not run).  This stands in for both: it listens on 127.0.0.1 at
``PCR_LOAD_HELPER_PORT`` and, for each line ``{"op": "pay", "order_id": N}``, pays what the
order misses (``amount_total - amount_paid``) with a real localstripe payment intent and a
done transaction linked to the order, commits, and answers one JSON line.  ``{"op":
"quit"}`` or ``PCR_LOAD_HELPER_SECONDS`` without a command ends it.
"""

import json
import os
import socket
import time

import stripe

from odoo import Command

env = globals()["env"]  # given by odoo shell
port = int(os.environ["PCR_LOAD_HELPER_PORT"])
deadline = time.monotonic() + float(os.environ.get("PCR_LOAD_HELPER_SECONDS", "3600"))
client = stripe.StripeClient(
    "sk_test_load",
    base_addresses={"api": os.environ["PCR_LOAD_STRIPE_DIRECT"]},
    max_network_retries=0,
)
method = client.v1.payment_methods.create(
    params={
        "type": "card",
        "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2035, "cvc": "123"},
    }
)
provider = env.ref("payment.payment_provider_stripe")
capture_provider = env["payment.provider"].search(
    [("code", "=", "stripe"), ("capture_manually", "=", True)], limit=1
)
card = env.ref("payment.payment_method_unknown")


def pay(order_id):
    env.invalidate_all()
    order = env["print.order"].browse(order_id)
    order._lock_for_update()
    # an authorized payment is not due again: Accept captures it
    missing = round(order.amount_total - order.amount_paid - order.amount_authorized, 2)
    if missing <= 0:
        return {"ok": True, "paid": 0}
    # orders paid with manual capture stay so: the customer authorizes again
    manual = bool(capture_provider) and capture_provider in order.transaction_ids.provider_id
    intent = client.v1.payment_intents.create(
        params={
            "amount": round(missing * 100),
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
            "amount": missing,
            "currency_id": order.currency_id.id,
            "partner_id": order.partner_id.id,
            "provider_reference": intent.id,
            "print_order_ids": [Command.link(order.id)],
        }
    )
    if manual:
        tx._set_authorized()
    else:
        tx._set_done()
    env.cr.commit()
    return {"ok": True, "paid": missing, "tx": tx.id, "intent": intent.id}


listener = socket.create_server(("127.0.0.1", port))
listener.settimeout(1.0)
running = True
while running and time.monotonic() < deadline:
    try:
        connection, _address = listener.accept()
    except TimeoutError:
        continue
    with connection, connection.makefile("rw", encoding="utf-8") as stream:
        connection.settimeout(max(deadline - time.monotonic(), 1.0))
        for line in stream:
            command = json.loads(line)
            if command.get("op") == "quit":
                running = False
                stream.write(json.dumps({"ok": True}) + "\n")
                stream.flush()
                break
            try:
                answer = pay(command["order_id"])
            except Exception as error:
                env.cr.rollback()
                env.invalidate_all()
                answer = {"ok": False, "error": f"{type(error).__name__}: {error}"}
            stream.write(json.dumps(answer) + "\n")
            stream.flush()
listener.close()
