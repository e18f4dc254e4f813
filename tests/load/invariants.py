"""The money invariants checked at the end of a load run, from Odoo (read over RPC as the
admin) and from Stripe (localstripe, read directly, not through the fault proxy).

1. ``stripe_equals_odoo``: for every Stripe payment intent of a done payment transaction, the
   sum of Stripe's live refunds (not failed/canceled) equals the sum of Odoo's done automatic
   refunds of that transaction; every Stripe refund is known to exactly one Odoo refund.
2. ``never_more_than_paid``: for every payment, Stripe's refunds plus Odoo's done manual
   refunds of it never exceed what was paid; per order, all money given back never exceeds
   what was received.
3. ``order_amounts``: every order's stored ``amount_paid``, ``amount_refunded`` and
   ``is_paid`` equal an independent recomputation from the records, mirroring
   ``print.order._compute_amount_paid``: received = done payment transactions (not refunds,
   amount > 0) + posted customer invoices not paid through one of those transactions (paid /
   in payment: their total, partial: total - residual); refunded = refunds in draft, pending
   or done; amount_paid = max(received - refunded, 0); is_paid = amount_paid > 0 and
   amount_paid >= amount_total.
5. ``one_refund_one_transaction``: each Stripe refund (``re_...``) of those payments is
   exactly one refund ``payment.transaction`` in Odoo (whoever recorded it: the addon's
   webhook, Odoo's own Stripe webhook, the hourly reconciliation or the refund's sender),
   and at most one outbound ``account.payment`` (not canceled).
4. ``no_request_lost``: for every order, the requests the operators were told succeeded <=
   the ``print.change.request`` records <= those plus the requests whose answer was lost
   (connection cut by a killed worker).

Issue 22's (:func:`check_issue22`):

6. ``never_captured_more_than_due``: for every order Accept was clicked on while it held
   authorizations, the payments captured (done payments of providers capturing manually)
   never exceed what was due when Accept was first clicked.
7. ``one_refund_one_refund_transaction_any_provider``: each ``print.refund`` has at most one
   refund transaction under way or done (not error/canceled), whatever the provider; a live
   refund transaction of a non-Stripe payment that no refund holds (a refund sent again,
   its first transaction forgotten) is a breach too.
8. ``no_money_kept_on_canceled_order``: a canceled order still holding money (stored
   ``amount_paid`` > 0: received more than the refunds decided) has a failed refund or an
   open to-do (on it or its refunds) saying what to do; an authorization still held on a
   canceled order is being released (release failed or left to the accountants, with a
   to-do).
9. ``no_item_read_across_companies``: what the second company's operator read of the
   request items and of the request dialog's lines holds nothing of the first company (no
   item of its requests, no line naming its jobs or files).
"""

from collections import defaultdict

EPS = 0.005
LIVE = ("succeeded", "pending", "requires_action")


def _ids(value):
    return value if isinstance(value, list) else []


def _m2o(value):
    return value[0] if isinstance(value, list) and value else None


def check(admin, stripe_client, order_ids, stats):
    """Return (results, facts): results maps each invariant to a list of breaches."""
    results = {
        "stripe_equals_odoo": [],
        "never_more_than_paid": [],
        "order_amounts": [],
        "no_request_lost": [],
        "one_refund_one_transaction": [],
        "captures_match_stripe": [],
    }
    txs = admin.call(
        "payment.transaction",
        "search_read",
        [("print_order_ids", "in", order_ids)],
        ["state", "operation", "amount", "provider_code", "provider_reference", "invoice_ids"],
    )
    payments = [
        tx
        for tx in txs
        if tx["state"] == "done" and tx["operation"] != "refund" and tx["amount"] > 0
    ]
    refunds = admin.call(
        "print.refund",
        "search_read",
        [("order_id", "in", order_ids)],
        [
            "name",
            "state",
            "method",
            "amount",
            "order_id",
            "source_transaction_id",
            "provider_refund_id",
            "idempotency_key",
        ],
    )
    orders = admin.call(
        "print.order",
        "search_read",
        [("id", "in", order_ids)],
        ["name", "amount_total", "amount_paid", "amount_refunded", "is_paid", "transaction_ids"],
    )
    invoices = admin.call(
        "account.move",
        "search_read",
        [("print_order_id", "in", order_ids)],
        [
            "state",
            "move_type",
            "payment_state",
            "amount_total",
            "amount_residual",
            "print_order_id",
        ],
    )
    requests = admin.call(
        "print.change.request", "search_read", [("order_id", "in", order_ids)], ["order_id"]
    )
    tx_by_id = {tx["id"]: tx for tx in txs}
    refunds_by_source = defaultdict(list)
    for refund in refunds:
        refunds_by_source[_m2o(refund["source_transaction_id"])].append(refund)

    stripe_back_by_tx = {}
    all_stripe_refunds = []
    for tx in payments:
        if tx["provider_code"] != "stripe" or not tx["provider_reference"]:
            continue
        intent = tx["provider_reference"]
        stripe_refunds = [
            r.to_dict()
            for r in stripe_client.v1.refunds.list(
                params={"payment_intent": intent, "limit": 100}
            ).data
        ]
        all_stripe_refunds += stripe_refunds
        live = [r for r in stripe_refunds if r.get("status") in LIVE]
        stripe_sum = sum(r["amount"] for r in live) / 100
        stripe_back_by_tx[tx["id"]] = stripe_sum
        odoo = refunds_by_source[tx["id"]]
        odoo_auto_done = [r for r in odoo if r["state"] == "done" and r["method"] == "automatic"]
        odoo_sum = sum(r["amount"] for r in odoo_auto_done)
        if abs(stripe_sum - odoo_sum) > EPS:
            results["stripe_equals_odoo"].append(
                f"{intent} (tx {tx['id']}, paid {tx['amount']:.2f}): Stripe refunded "
                f"{stripe_sum:.2f} in {len(live)} refund(s) "
                f"{[(r['id'], r['amount'] / 100, (r.get('metadata') or {}).get('print_refund_key', '')[-8:]) for r in live]}; "  # noqa: E501
                f"Odoo done automatic {odoo_sum:.2f}: "
                f"{[(r['name'], r['state'], r['method'], r['amount'], r['provider_refund_id'], r['idempotency_key'][-8:]) for r in odoo]}"  # noqa: E501
            )
        known = defaultdict(int)
        for refund in odoo:
            if refund["provider_refund_id"]:
                known[refund["provider_refund_id"]] += 1
        for stripe_refund in live:
            if known.get(stripe_refund["id"], 0) != 1:
                results["stripe_equals_odoo"].append(
                    f"{intent}: Stripe refund {stripe_refund['id']} of "
                    f"{stripe_refund['amount'] / 100:.2f} is known to "
                    f"{known.get(stripe_refund['id'], 0)} Odoo refund(s)"
                )
        manual_done = sum(
            r["amount"] for r in odoo if r["state"] == "done" and r["method"] == "manual"
        )
        if stripe_sum + manual_done > tx["amount"] + EPS:
            results["never_more_than_paid"].append(
                f"{intent} (tx {tx['id']}): paid {tx['amount']:.2f}, given back "
                f"{stripe_sum:.2f} through Stripe + {manual_done:.2f} by hand; Odoo: "
                f"{[(r['name'], r['state'], r['method'], r['amount']) for r in odoo]}"
            )

    results["one_refund_one_transaction"] = _one_refund_one_transaction(admin, all_stripe_refunds)

    invoices_by_order = defaultdict(list)
    for invoice in invoices:
        invoices_by_order[_m2o(invoice["print_order_id"])].append(invoice)
    refunds_by_order = defaultdict(list)
    for refund in refunds:
        refunds_by_order[_m2o(refund["order_id"])].append(refund)
    for order in orders:
        order_txs = [tx_by_id[i] for i in _ids(order["transaction_ids"]) if i in tx_by_id]
        done = [
            tx
            for tx in order_txs
            if tx["state"] == "done" and tx["operation"] != "refund" and tx["amount"] > 0
        ]
        received = sum(tx["amount"] for tx in done)
        paid_by_tx = {i for tx in done for i in _ids(tx["invoice_ids"])}
        for invoice in invoices_by_order[order["id"]]:
            if invoice["id"] in paid_by_tx:
                continue
            if invoice["state"] != "posted" or invoice["move_type"] != "out_invoice":
                continue
            if invoice["payment_state"] in ("paid", "in_payment"):
                received += invoice["amount_total"]
            elif invoice["payment_state"] == "partial":
                received += invoice["amount_total"] - invoice["amount_residual"]
        order_refunds = refunds_by_order[order["id"]]
        committed = sum(
            r["amount"] for r in order_refunds if r["state"] in ("draft", "pending", "done")
        )
        amount_paid = max(received - committed, 0.0)
        is_paid = amount_paid > EPS and amount_paid >= order["amount_total"] - EPS
        if (
            abs(amount_paid - order["amount_paid"]) > EPS
            or abs(committed - order["amount_refunded"]) > EPS
            or is_paid != order["is_paid"]
        ):
            results["order_amounts"].append(
                f"{order['name']}: stored amount_paid {order['amount_paid']:.2f} / refunded "
                f"{order['amount_refunded']:.2f} / is_paid {order['is_paid']}; from the records "
                f"{amount_paid:.2f} / {committed:.2f} / {is_paid} (received {received:.2f})"
            )
        given_back = sum(stripe_back_by_tx.get(tx["id"], 0.0) for tx in done) + sum(
            r["amount"] for r in order_refunds if r["state"] == "done" and r["method"] == "manual"
        )
        if given_back > received + EPS:
            results["never_more_than_paid"].append(
                f"{order['name']}: received {received:.2f}, given back {given_back:.2f}"
            )

    recorded = defaultdict(int)
    for request in requests:
        recorded[_m2o(request["order_id"])] += 1
    for order in orders:
        ok = stats.succeeded.get(order["id"], 0)
        lost_answers = stats.unknown.get(order["id"], 0)
        have = recorded[order["id"]]
        if not ok <= have <= ok + lost_answers:
            results["no_request_lost"].append(
                f"{order['name']}: operators were told {ok} request(s) succeeded "
                f"({lost_answers} without answer), {have} recorded"
            )
    facts = {
        "refunds_by_state_method": _count(refunds, lambda r: f"{r['state']}/{r['method']}"),
        "refund_amount_done": round(sum(r["amount"] for r in refunds if r["state"] == "done"), 2),
        "payments": len(payments),
        "stripe_refunded": round(sum(stripe_back_by_tx.values()), 2),
        "change_requests": len(requests),
        "stripe_refunds_checked": len(all_stripe_refunds),
    }
    captures, capture_facts = _captures_match_stripe(admin, stripe_client, txs)
    results["captures_match_stripe"] = captures
    facts.update(capture_facts)
    return results, facts


def _captures_match_stripe(admin, stripe_client, txs):
    """Breaches of the manual-capture promises, for every payment of a provider capturing
    manually: Odoo's state is Stripe's (captured = done, released or expired = canceled,
    authorized = authorized), nothing captured twice (one done payment per PaymentIntent, the
    captured amount Odoo's), no uncaptured payment refunded (no Stripe refund, no print refund
    of it)."""
    providers = admin.call(
        "payment.provider", "search", [("code", "=", "stripe"), ("capture_manually", "=", True)]
    )
    manual = admin.call(
        "payment.transaction",
        "search_read",
        [
            ("id", "in", [tx["id"] for tx in txs]),
            ("provider_id", "in", providers),
            ("operation", "not in", ("refund", "validation")),
        ],
        ["reference", "state", "amount", "provider_reference"],
    )
    refunded_sources = {
        _m2o(refund["source_transaction_id"])
        for refund in admin.call(
            "print.refund",
            "search_read",
            [("source_transaction_id", "in", [tx["id"] for tx in manual] or [0])],
            ["source_transaction_id", "state"],
        )
    }
    expected = {"succeeded": "done", "canceled": "cancel", "requires_capture": "authorized"}
    breaches = []
    done_by_intent = defaultdict(list)
    captured = odoo_captured = 0.0
    for tx in manual:
        intent = stripe_client.v1.payment_intents.retrieve(tx["provider_reference"]).to_dict()
        status = intent["status"]
        if expected.get(status) != tx["state"]:
            breaches.append(
                f"{tx['reference']}: Stripe holds {intent['id']} as {status}, "
                f"Odoo as {tx['state']}"
            )
        if tx["state"] == "done":
            done_by_intent[intent["id"]].append(tx["reference"])
            odoo_captured += tx["amount"]
        if status == "succeeded":
            received = intent.get("amount_received")
            captured += (received if isinstance(received, int) else intent["amount"]) / 100
        else:
            stripe_refunds = stripe_client.v1.refunds.list(
                params={"payment_intent": intent["id"]}
            ).data
            if stripe_refunds or tx["id"] in refunded_sources:
                breaches.append(
                    f"{tx['reference']} was never captured ({status}) but has refunds: "
                    f"{len(stripe_refunds)} on Stripe, "
                    f"{'one' if tx['id'] in refunded_sources else 'none'} in Odoo"
                )
    for intent, references in done_by_intent.items():
        if len(references) > 1:
            breaches.append(f"{intent} captured in Odoo {len(references)} times: {references}")
    if round(captured, 2) != round(odoo_captured, 2):
        breaches.append(
            f"Stripe captured {captured:.2f} of manual-capture payments, Odoo {odoo_captured:.2f}"
        )
    facts = {
        "manual_capture_payments": len(manual),
        "manual_captured": round(odoo_captured, 2),
        "manual_states": _count(manual, lambda tx: tx["state"]),
    }
    return breaches, facts


def _one_refund_one_transaction(admin, stripe_refunds):
    """Breaches of "each Stripe refund is exactly one refund transaction and at most one
    outbound payment".  Refund transactions are searched by their Stripe id among all of
    them, linked to a print order or not (Odoo's own webhook does not link them)."""
    refund_ids = [r["id"] for r in stripe_refunds]
    if not refund_ids:
        return []
    txs = admin.call(
        "payment.transaction",
        "search_read",
        [("operation", "=", "refund"), ("provider_reference", "in", refund_ids)],
        ["provider_reference", "reference", "state", "amount"],
    )
    payments = admin.call(
        "account.payment",
        "search_read",
        [("payment_transaction_id", "in", [tx["id"] for tx in txs] or [0])],
        ["payment_transaction_id", "payment_type", "state", "amount"],
    )
    txs_by_refund = defaultdict(list)
    for tx in txs:
        txs_by_refund[tx["provider_reference"]].append(tx)
    payments_by_tx = defaultdict(list)
    for payment in payments:
        if payment["state"] != "canceled" and payment["payment_type"] == "outbound":
            payments_by_tx[_m2o(payment["payment_transaction_id"])].append(payment)
    breaches = []
    for refund in stripe_refunds:
        found = txs_by_refund.get(refund["id"], [])
        live = refund.get("status") in LIVE
        if (live and len(found) != 1) or len(found) > 1:
            breaches.append(
                f"Stripe refund {refund['id']} ({refund.get('status')}, "
                f"{refund['amount'] / 100:.2f}) is {len(found)} refund transaction(s): "
                f"{[(tx['reference'], tx['state'], tx['amount']) for tx in found]}"
            )
        outbound = [p for tx in found for p in payments_by_tx.get(tx["id"], [])]
        if len(outbound) > 1:
            breaches.append(
                f"Stripe refund {refund['id']} is {len(outbound)} outbound payments: "
                f"{[(p['id'], p['state'], p['amount']) for p in outbound]}"
            )
    return breaches


def check_issue22(ctx):
    """Issue 22's invariants (6 to 9 above) from the run's context ``ctx``; returns
    (results, facts)."""
    admin = ctx.admin
    results = {}
    facts = {}
    orders = admin.call(
        "print.order",
        "search_read",
        [("id", "in", ctx.all_order_ids)],
        ["name", "amount_paid", "communication_state", "transaction_ids"],
    )
    order_by_id = {order["id"]: order for order in orders}
    txs = admin.call(
        "payment.transaction",
        "search_read",
        [("print_order_ids", "in", ctx.all_order_ids)],
        ["state", "operation", "amount", "provider_id", "print_order_ids", "print_release_state"],
    )
    manual_providers = set(
        admin.call("payment.provider", "search", [("capture_manually", "=", True)])
    )

    # 6. never captured more than due
    breaches, captured_vs_due = [], {}
    for order_id, due in sorted(ctx.due_at_accept.items()):
        captured = sum(
            tx["amount"]
            for tx in txs
            if order_id in tx["print_order_ids"]
            and tx["state"] == "done"
            and tx["operation"] not in ("refund", "validation")
            and tx["amount"] > 0
            and _m2o(tx["provider_id"]) in manual_providers
        )
        name = order_by_id[order_id]["name"]
        captured_vs_due[name] = [round(captured, 2), round(due, 2)]
        if captured > due + EPS:
            breaches.append(
                f"{name}: captured {captured:.2f}, due {due:.2f} when Accept was first clicked"
            )
    results["never_captured_more_than_due"] = breaches
    facts["double_captured_vs_due"] = captured_vs_due

    # 7. one refund, one refund transaction, any provider
    refunds = admin.call(
        "print.refund",
        "search_read",
        [("order_id", "in", ctx.all_order_ids)],
        [
            "name",
            "state",
            "order_id",
            "refund_transaction_id",
            "provider_refund_id",
            "source_transaction_id",
        ],
    )
    payment_ids = [tx["id"] for tx in txs if tx["operation"] != "refund"]
    refund_txs = admin.call(
        "payment.transaction",
        "search_read",
        [("operation", "=", "refund"), ("source_transaction_id", "in", payment_ids or [0])],
        ["reference", "state", "amount", "provider_code", "provider_reference"],
    )
    holders = defaultdict(list)  # refund transaction id -> refunds holding it
    for refund in refunds:
        for tx in refund_txs:
            if tx["id"] == _m2o(refund["refund_transaction_id"]) or (
                refund["provider_refund_id"]
                and tx["provider_reference"] == refund["provider_refund_id"]
            ):
                holders[tx["id"]].append(refund)
    breaches = []
    live = [tx for tx in refund_txs if tx["state"] not in ("error", "cancel")]
    by_refund = defaultdict(list)
    for tx in live:
        for refund in holders.get(tx["id"], []):
            by_refund[refund["name"]].append(tx)
        if not holders.get(tx["id"]) and tx["provider_code"] != "stripe":
            breaches.append(
                f"refund transaction {tx['reference']} ({tx['provider_code']}, {tx['state']}, "
                f"{tx['amount']:.2f}) is held by no refund: a refund was sent again"
            )
    for name, found in sorted(by_refund.items()):
        if len(found) > 1:
            breaches.append(
                f"{name} has {len(found)} refund transactions under way or done: "
                f"{[(tx['reference'], tx['provider_code'], tx['state']) for tx in found]}"
            )
    results["one_refund_one_refund_transaction_any_provider"] = breaches
    facts["refund_transactions_by_provider"] = _count(
        refund_txs, lambda tx: f"{tx['provider_code']}/{tx['state']}"
    )

    # 8. no money kept on a canceled order without a refund or a to-do
    canceled = [order for order in orders if order["communication_state"] == "canceled"]
    canceled_ids = [order["id"] for order in canceled]
    refunds_of = defaultdict(list)
    for refund in refunds:
        refunds_of[_m2o(refund["order_id"])].append(refund)
    activities = admin.call(
        "mail.activity",
        "search_read",
        [
            "|",
            "&",
            ("res_model", "=", "print.order"),
            ("res_id", "in", canceled_ids or [0]),
            "&",
            ("res_model", "=", "print.refund"),
            ("res_id", "in", [r["id"] for r in refunds] or [0]),
        ],
        ["res_model", "res_id", "summary"],
    )
    todo_orders = set()
    for activity in activities:
        if activity["res_model"] == "print.order":
            todo_orders.add(activity["res_id"])
        else:
            todo_orders.update(
                _m2o(r["order_id"]) for r in refunds if r["id"] == activity["res_id"]
            )
    breaches = []
    for order in canceled:
        failed = [r["name"] for r in refunds_of[order["id"]] if r["state"] == "failed"]
        if order["amount_paid"] > EPS and not failed and order["id"] not in todo_orders:
            breaches.append(
                f"{order['name']} is canceled and keeps {order['amount_paid']:.2f} of the "
                f"customer's money: no refund for it, no to-do; refunds "
                f"{[(r['name'], r['state']) for r in refunds_of[order['id']]]}"
            )
        held = [
            tx
            for tx in txs
            if order["id"] in tx["print_order_ids"]
            and tx["state"] == "authorized"
            and tx["operation"] not in ("refund", "validation")
        ]
        for tx in held:
            if tx["print_release_state"] not in ("failed", "manual") or (
                order["id"] not in todo_orders
            ):
                breaches.append(
                    f"{order['name']} is canceled and still holds the authorization "
                    f"{tx['id']} ({tx['amount']:.2f}, release {tx['print_release_state']}) "
                    f"without a to-do"
                )
    results["no_money_kept_on_canceled_order"] = breaches
    facts["canceled_orders"] = {
        "canceled": len(canceled),
        "of_which_cancel_pool": len(set(canceled_ids) & set(ctx.cancel_order_ids)),
        "keeping_money": sum(1 for order in canceled if order["amount_paid"] > EPS),
    }

    # 9. no item read across companies
    breaches = []
    first_items = admin.call(
        "print.change.request.item",
        "search",
        [("request_id.company_id", "!=", ctx.other_company_id or 0)],
    )
    facts["items_first_company"] = len(first_items)
    first_items = set(first_items)
    foreign_jobs = {job for job, _file in ctx.foreign_files}
    foreign_files = {file_id for _job, file_id in ctx.foreign_files}
    seen_items, seen_lines = set(), []
    for kind, what in ctx.company_reads:
        if kind == "item":
            seen_items.update(set(what) & first_items)
        else:
            seen_lines += [
                line
                for line in what
                if _m2o(line["job_id"]) in foreign_jobs
                or _m2o(line["attachment_id"]) in foreign_files
            ]
    if seen_items:
        breaches.append(
            f"the second company's operator read {len(seen_items)} request item(s) of the "
            f"first company: {sorted(seen_items)[:10]}"
        )
    if seen_lines:
        breaches.append(
            f"the second company's operator read {len(seen_lines)} dialog line(s) naming the "
            f"first company's jobs or files: "
            f"{[(line['job_id'], line['attachment_id'], line['file_name']) for line in seen_lines[:3]]}"  # noqa: E501
        )
    results["no_item_read_across_companies"] = breaches
    return results, facts


def _count(records, key):
    counts = defaultdict(int)
    for record in records:
        counts[key(record)] += 1
    return dict(sorted(counts.items()))
