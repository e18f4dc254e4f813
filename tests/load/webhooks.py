"""Truthful Stripe refund webhooks: built from the refunds localstripe really holds.

An event carries a refund as Stripe holds it now, or the same refund in the ``pending``
state it had (on a real Stripe) before it succeeded, sent late: out of order.  Events are
sent once, twice (duplicates, to both servers at once) or replayed later.  Odoo's own Stripe
webhook gets ``charge.refunded`` events listing the charge's refunds the same ways.  Never a
failure of a refund that succeeded: those are simulated in the unit tests with FakeStripe.
"""

import copy
import itertools
import json
import time
import urllib.error
import urllib.request

import stripe

PATH = "/print_change_request/stripe/webhook"
#: Odoo's own Stripe webhook (payment_stripe), which a shop configures as Odoo's
#: documentation says: it hears of refunds through ``charge.refunded``.
ODOO_PATH = "/payment/stripe/webhook"
EVENT_TYPES = ("refund.updated", "charge.refund.updated", "refund.created")
_ids = itertools.count(1)


def event_for(refund, event_type, status=None):
    """A Stripe event (dict) carrying ``refund`` (a dict), with ``status`` when given."""
    obj = copy.deepcopy(refund)
    if status:
        obj["status"] = status
    return {
        "id": f"evt_load_{next(_ids)}_{int(time.time())}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }


def charge_refunded_event(reference, intent, refunds):
    """Stripe's ``charge.refunded`` event for the payment ``intent`` (whose charge carries
    the Odoo transaction's ``reference`` as its description), listing ``refunds`` (dicts)."""
    return {
        "id": f"evt_load_{next(_ids)}_{int(time.time())}",
        "object": "event",
        "type": "charge.refunded",
        "created": int(time.time()),
        "livemode": False,
        "data": {
            "object": {
                "id": f"ch_{intent}",
                "object": "charge",
                "description": reference,
                "payment_intent": intent,
                "refunded": True,
                "refunds": {
                    "object": "list",
                    "data": copy.deepcopy(list(refunds)),
                    "has_more": False,
                },
            }
        },
    }


def send(server_url, event, secret, timeout=60.0, path=PATH):
    """POST the signed event to ``path``; return the HTTP status (0 when no answer)."""
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, int(time.time()))
    request = urllib.request.Request(
        server_url + path,
        data=payload.encode(),
        headers={"Content-Type": "application/json", "Stripe-Signature": header},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0
