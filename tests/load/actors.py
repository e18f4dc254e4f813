"""The concurrent users of a load run, each a thread with a bounded loop.

- operators request changes on overlapping paid orders (one or two orders per request,
  automatic or manual refund), through the dialogs' RPC calls as the web client makes them;
- the customer side marks orders changed (as an operator would for a customer answering by
  mail) and pays what an order misses again (through the odoo shell helper);
- accountants retry failed automatic refunds, turn them into manual ones, mark manual ones
  done with a reference, or cancel;
- an admin triggers the refund follow-up cron;
- a webhook sender replays, duplicates and reorders truthful Stripe refund events, to the
  addon's webhook and to Odoo's own Stripe webhook (``charge.refunded``);
- a "dashboard" user refunds small amounts directly on Stripe now and then, and Stripe tells
  both webhooks at once or one after the other, in either order;
- a killer SIGKILLs an Odoo worker now and then (the prefork master respawns it);
- (issue 22) a double acceptor accepts orders holding two authorizations of their whole
  total, often from two operators at once; a canceller cancels paid and authorized orders
  (one or two operators at once), answering whatever dialog Cancel opens, one way or the
  other; accountants click *Send* on refunds left in draft (the demo provider's), sometimes
  twice at once; a second company's operator reads the request items and dialog lines.
"""

import json
import os
import random
import re
import signal
import socket
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict

from . import processes, webhooks
from .rpc import RpcError, Session, TransportError

WIZARD = "print.change.request.wizard"
CONFIRM = "print.refund.confirm.wizard"
RELEASE = "print.release.confirm.wizard"
REFUND = "print.refund"


class Stats:
    """What the actors did and saw, shared between threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = Counter()
        self.latencies = []
        self.succeeded = Counter()  # order id -> requests the operators were told succeeded
        self.unknown = Counter()  # order id -> requests whose answer was lost
        self.unexpected = []  # (actor, error) of server errors not meant for users
        self.kill_times = []
        self.refusals = Counter()

    def add(self, key, number=1):
        with self.lock:
            self.counts[key] += number

    def refused(self, role, message):
        """Count a user error by its message, numbers and names left out."""
        text = re.sub(r"[A-Z]+/\d+/\d+|\d+(\.\d+)?", "#", message.split("\n")[0])[:90]
        with self.lock:
            self.refusals[f"{role}: {text}"] += 1

    def error(self, actor, error):
        with self.lock:
            self.counts["unexpected_errors"] += 1
            if len(self.unexpected) < 200:
                self.unexpected.append((actor, str(error)[:2000]))


class Actor(threading.Thread):
    """A bounded loop: runs until ``stop`` is set or ``deadline`` passes."""

    pause = (0.2, 1.0)

    def __init__(self, name, ctx, seed):
        super().__init__(name=name, daemon=True)
        self.ctx = ctx
        self.random = random.Random(seed)
        self.iterations = 0

    def sessions(self, login, password=None):
        return [
            Session(url, self.ctx.db, login, password or login, timeout=self.ctx.rpc_timeout)
            for url in self.ctx.server_urls
        ]

    def run(self):
        max_iterations = self.ctx.max_iterations
        while (
            not self.ctx.stop.is_set()
            and time.monotonic() < self.ctx.deadline
            and self.iterations < max_iterations
        ):
            self.iterations += 1
            self.guarded(self.step)
            self.ctx.stop.wait(self.random.uniform(*self.pause))

    def guarded(self, function, *args):
        """Call ``function``; count what it raises (a user error, a lost answer, a bug)."""
        try:
            return function(*args)
        except TransportError as error:
            self.ctx.stats.add(f"{self.name.split('-')[0]}_transport_errors")
            self.ctx.note_transport(self.name, error)
        except RpcError as error:
            if error.user_error:
                self.ctx.stats.add(f"{self.name.split('-')[0]}_refused")
                self.ctx.stats.refused(self.name.split("-")[0], error.message)
            else:
                self.ctx.stats.error(self.name, f"{error}\n{error.debug[-1500:]}")
        except Exception as error:
            self.ctx.stats.error(self.name, f"harness: {type(error).__name__}: {error}")
        return None

    def at_once(self, calls):
        """Run each ``(function, *args)`` of ``calls`` in its own thread at the same moment
        (two operators clicking together), each guarded; return their results."""
        results = [None] * len(calls)
        barrier = threading.Barrier(len(calls))

        def run(index, function, *args):
            try:
                barrier.wait(timeout=10)
            except threading.BrokenBarrierError:
                pass
            results[index] = self.guarded(function, *args)

        threads = [
            threading.Thread(target=run, args=(index, *call), daemon=True)
            for index, call in enumerate(calls)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=self.ctx.rpc_timeout + 10)
        return results

    def step(self):
        raise NotImplementedError


class Operator(Actor):
    pause = (0.1, 0.6)

    def __init__(self, name, ctx, seed, login):
        super().__init__(name, ctx, seed)
        self.servers = self.sessions(login)

    def step(self):
        stats = self.ctx.stats
        session = self.random.choice(self.servers)
        count = 2 if self.random.random() < 0.2 else 1
        pool = self.ctx.order_ids
        if self.random.random() < 0.15 and self.accept_authorized(session):
            return
        if self.random.random() < 0.7:  # mostly paid orders: the refunds are what we test
            paid = session.call(
                "print.order",
                "search",
                [
                    ("id", "in", pool),
                    "|",
                    ("is_paid", "=", True),
                    ("is_payment_authorized", "=", True),
                ],
            )
            pool = paid if len(paid) >= count else pool
        order_ids = self.random.sample(pool, count)
        # the demo provider's orders mostly automatically: its refunds stay unsettled
        demo = any(order_id in self.ctx.demo_order_ids for order_id in order_ids)
        automatic = self.random.random() < (0.9 if demo else 0.7)
        context = {"active_model": "print.order", "active_ids": order_ids}
        start = time.monotonic()
        fields = ["order_ids", "line_ids", "ticket_job_ids", "ticket_note", "message"]
        values = session.call(WIZARD, "default_get", fields, context=context)
        lines = [command[2] for command in values.get("line_ids") or []]
        if not lines:
            stats.add("operator_no_line")
            return
        chosen = self.random.sample(range(len(lines)), self.random.randint(1, len(lines)))
        for line in lines:  # the dialog pre-ticks files the preflight found problems in
            line["to_change"] = False
        for index in chosen:
            lines[index].update(
                to_change=True, reason_id=self.ctx.reason_id, note="Embed the fonts (load)"
            )
        values["line_ids"] = [[0, 0, line] for line in lines]
        values["message"] = f"Load run: please change {len(chosen)} file(s)."
        job_ids = {lines[index]["job_id"] for index in chosen}
        request_orders = {self.ctx.job_order[job] for job in job_ids}
        answered = False
        try:
            wizard_id = session.call(WIZARD, "create", values, context=context)
            result = session.call(WIZARD, "action_confirm", [wizard_id], context=context)
            kind = "unpaid"
            if isinstance(result, dict) and result.get("res_model") == CONFIRM:
                confirm_context = result.get("context") or {}
                confirm_id = session.call(CONFIRM, "create", {}, context=confirm_context)
                method = "action_refund_automatically" if automatic else "action_refund_manually"
                kind = "automatic" if automatic else "manual"
                session.call(CONFIRM, method, [confirm_id], context=confirm_context)
            elif isinstance(result, dict) and result.get("res_model") == RELEASE:
                confirm_context = result.get("context") or {}
                confirm_id = session.call(RELEASE, "create", {}, context=confirm_context)
                method = "action_release_automatically" if automatic else "action_release_manually"
                kind = "release_automatic" if automatic else "release_manual"
                session.call(RELEASE, method, [confirm_id], context=confirm_context)
            answered = True
        except TransportError:
            with stats.lock:
                for order_id in request_orders:
                    stats.unknown[order_id] += 1
            raise
        finally:
            if not answered:
                stats.add("requests_not_done")
        elapsed = time.monotonic() - start
        with stats.lock:
            stats.counts["requests_ok"] += 1
            stats.counts[f"requests_ok_{kind}"] += 1
            stats.latencies.append(elapsed)
            for order_id in request_orders:
                stats.succeeded[order_id] += 1

    def accept_authorized(self, session):
        """Accept an order whose payment is only authorized: Accept captures it (a click
        that may meet another operator's, a killed worker, a flaky Stripe)."""
        authorized = session.call(
            "print.order",
            "search",
            [
                ("id", "in", self.ctx.order_ids),
                ("is_payment_authorized", "=", True),
                ("communication_state", "in", ("new", "changed")),
            ],
        )
        if not authorized:
            return False
        order_id = self.random.choice(authorized)
        result = session.call("print.order", "action_accept", [order_id])
        self.ctx.stats.add("accept_captured" if result is True else "accept_not_captured")
        return True


class Customer(Actor):
    """The customer's side: changes the files (marked by an operator) and pays again."""

    pause = (0.3, 1.2)

    def __init__(self, name, ctx, seed, login):
        super().__init__(name, ctx, seed)
        self.servers = self.sessions(login)

    def step(self):
        session = self.random.choice(self.servers)
        orders = session.call(
            "print.order",
            "search_read",
            [("id", "in", self.ctx.order_ids)],
            ["communication_state", "is_paid", "amount_total"],
        )
        waiting = [o["id"] for o in orders if o["communication_state"] == "change_requested"]
        unpaid = [
            o["id"]
            for o in orders
            if not o["is_paid"]
            and o["amount_total"] > 0
            and o["communication_state"] in ("new", "changed")
        ]
        if waiting and self.random.random() < 0.6:
            order_id = self.random.choice(waiting)
            session.call("print.order", "action_customer_changed", [order_id])
            self.ctx.stats.add("customer_changed")
        elif unpaid:
            answer = self.ctx.helper_call({"op": "pay", "order_id": self.random.choice(unpaid)})
            if answer.get("ok") and answer.get("paid"):
                self.ctx.stats.add("customer_paid")
            elif not answer.get("ok"):
                self.ctx.stats.add("customer_pay_refused")


class Accountant(Actor):
    pause = (0.3, 1.5)

    def __init__(self, name, ctx, seed, login):
        super().__init__(name, ctx, seed)
        self.servers = self.sessions(login)
        self.count = 0

    def step(self):
        stats = self.ctx.stats
        session = self.random.choice(self.servers)
        if self.random.random() < 0.35 and self.send_unsettled():
            return
        refunds = session.call(
            REFUND,
            "search_read",
            [("state", "in", ("failed", "pending")), ("method", "in", ("automatic", "manual"))],
            ["state", "method"],
            limit=50,
        )
        todo = [r for r in refunds if (r["state"], r["method"]) != ("pending", "automatic")]
        if not todo:
            stats.add("accountant_idle")
            return
        refund = self.random.choice(todo)
        key = (refund["state"], refund["method"])
        roll = self.random.random()
        if key == ("failed", "automatic"):
            if roll < 0.6:
                action = "retry"
            elif roll < 0.8:
                action = "refund_manually"
            else:
                action = "cancel"
        else:  # a refund to make by hand
            action = "mark_done" if roll < 0.85 else "cancel"
        try:
            if action == "mark_done":
                self.mark_done(session, refund["id"])
            else:
                session.call(REFUND, f"action_{action}", [refund["id"]])
        except RpcError as error:
            if error.user_error:
                stats.add(f"accountant_{action}_refused")
            raise
        stats.add(f"accountant_{action}")

    def send_unsettled(self):
        """*Send* an automatic refund not settled yet: a draft (one whose provider left its
        refund transaction neither done nor pending, as the demo provider's, or an
        overpayment held back) or one pending at its provider (over RPC, as an attacker
        would: the form hides the button); sometimes two accountants (two servers) click at
        once.  A refund transaction under way is to be followed, never sent again."""
        refunds = self.servers[0].call(
            REFUND,
            "search_read",
            [("state", "in", ("draft", "pending")), ("method", "=", "automatic")],
            ["order_id", "state", "refund_transaction_id"],
            limit=50,
        )
        if not refunds:
            return False
        refund = self.random.choice(refunds)
        demo = refund["order_id"] and refund["order_id"][0] in self.ctx.demo_order_ids
        stats = self.ctx.stats
        stats.add(f"accountant_send_{refund['state']}_{'demo' if demo else 'other'}")
        if refund["refund_transaction_id"]:
            stats.add("accountant_send_under_way")
        calls = [(server.call, REFUND, "action_send", [refund["id"]]) for server in self.servers]
        if self.random.random() < 0.4:
            stats.add("accountant_send_at_once")
            self.at_once(calls)
        else:
            self.guarded(*self.random.choice(calls))
        return True

    def mark_done(self, session, refund_id):
        self.count += 1
        reference = f"LOAD-{self.name}-{self.count}"
        if self.ctx.mark_done_takes_reference:
            session.call(REFUND, "action_mark_done", [refund_id], reference=reference)
            return
        try:
            session.call(REFUND, "write", [refund_id], {"manual_reference": reference})
        except RpcError as error:
            if error.user_error:  # expected once refund fields are read-only over RPC
                self.ctx.stats.add("accountant_reference_write_refused")
            raise
        session.call(REFUND, "action_mark_done", [refund_id])


class CronTrigger(Actor):
    pause = (8.0, 15.0)

    def __init__(self, name, ctx, seed):
        super().__init__(name, ctx, seed)
        self.servers = self.sessions("admin", "admin")

    def step(self):
        session = self.random.choice(self.servers)
        session.call("ir.cron", "method_direct_trigger", [self.ctx.cron_id])
        self.ctx.stats.add("cron_triggered")


class WebhookSender(Actor):
    pause = (0.3, 1.0)

    def __init__(self, name, ctx, seed):
        super().__init__(name, ctx, seed)
        self.replay = []  # events sent once, to send again later

    def step(self):
        ctx = self.ctx
        intents = ctx.known_intents()
        if not intents:
            return
        intent = self.random.choice(intents)
        refunds = ctx.stripe.v1.refunds.list(params={"payment_intent": intent}).data
        events = []
        reference = ctx.reference_of(intent)
        if refunds and reference and self.random.random() < 0.5:
            # Odoo's own webhook hears of the charge's refunds through charge.refunded
            odoo_event = webhooks.charge_refunded_event(
                reference, intent, [refund.to_dict() for refund in refunds]
            )
            roll = self.random.random()
            if roll < 0.5:
                events.append(("odoo_current", odoo_event))
            elif roll < 0.8:
                events.append(("odoo_duplicate", odoo_event))
                events.append(("odoo_duplicate", odoo_event))
            else:
                self.replay.append(odoo_event)
        for refund in refunds:
            raw = refund.to_dict()
            kind = self.random.choice(webhooks.EVENT_TYPES)
            current = webhooks.event_for(raw, kind)
            roll = self.random.random()
            if roll < 0.4:
                events.append(("current", current))
            elif roll < 0.6:
                events.append(("duplicate", current))
                events.append(("duplicate", current))
            elif roll < 0.8 and raw.get("status") == "succeeded":
                # The pending event of the same refund, arriving after the outcome.
                events.append(("current", current))
                events.append(("late_pending", webhooks.event_for(raw, kind, "pending")))
            else:
                self.replay.append(current)
        if self.replay and self.random.random() < 0.3:
            events.append(("replayed", self.replay.pop(self.random.randrange(len(self.replay)))))
        self.replay = self.replay[-50:]
        threads = []
        for label, event in events:
            url = self.random.choice(ctx.server_urls)
            thread = threading.Thread(target=self._send, args=(label, url, event), daemon=True)
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join(timeout=ctx.rpc_timeout + 5)

    def _send(self, label, url, event):
        send_event(self.ctx, label, url, event, self.name)


def send_event(ctx, label, url, event, actor):
    """Send ``event`` to the webhook it is for (Odoo's for ``charge.refunded``, the addon's
    for the others) and count the answer."""
    odoo = event["type"] == "charge.refunded"
    path = webhooks.ODOO_PATH if odoo else webhooks.PATH
    status = webhooks.send(url, event, ctx.webhook_secret, timeout=ctx.rpc_timeout, path=path)
    if odoo and not label.startswith("odoo_"):
        label = f"odoo_{label}"
    ctx.stats.add(f"webhook_{label}")
    ctx.stats.add(f"webhook_{'odoo_' if odoo else ''}http_{status}")
    # 0: no answer (a killed worker); Stripe sends the event again later
    if status >= 500 or (odoo and status not in (0, 200)):
        ctx.stats.error(actor, f"webhook {path} answered {status} to {label} event {event['id']}")


class DashboardRefunder(Actor):
    """Someone refunds 0.50 of a payment in Stripe's dashboard now and then; Stripe then
    tells Odoo's webhook (charge.refunded) and the addon's (refund.created), one first and
    the other after, or both at once, sometimes twice.  Only payments with money left on
    them and no refund under way in Odoo are touched, so that no one gives the same money
    back twice (which the addon flags, but the invariants would count)."""

    pause = (4.0, 9.0)
    amount = 50  # cents

    def __init__(self, name, ctx, seed):
        super().__init__(name, ctx, seed)
        self.admin = Session(ctx.server_urls[0], ctx.db, "admin", "admin", timeout=ctx.rpc_timeout)

    def step(self):
        ctx = self.ctx
        intents = ctx.known_intents()
        if not intents:
            return
        intent = self.random.choice(intents)
        reference = ctx.reference_of(intent)
        txs = self.admin.call(
            "payment.transaction",
            "search_read",
            [("provider_reference", "=", intent), ("operation", "!=", "refund")],
            ["amount", "print_order_ids", "state"],
        )
        if len(txs) != 1 or txs[0]["state"] != "done" or not reference:
            return
        tx = txs[0]
        refunds = self.admin.call(
            "print.refund",
            "search_read",
            [
                "|",
                ("order_id", "in", tx["print_order_ids"]),
                ("source_transaction_id", "=", tx["id"]),
            ],
            ["state", "amount", "source_transaction_id", "provider_refund_id"],
        )
        orders = self.admin.call(
            "print.order", "search_read", [("id", "in", tx["print_order_ids"])], ["amount_paid"]
        )
        on_stripe = [
            r.to_dict() for r in ctx.stripe.v1.refunds.list(params={"payment_intent": intent}).data
        ]
        known = {r["provider_refund_id"] for r in refunds if r["provider_refund_id"]}
        committed_here = sum(
            r["amount"]
            for r in refunds
            if r["state"] in ("draft", "pending", "done")
            and r["source_transaction_id"]
            and r["source_transaction_id"][0] == tx["id"]
        )
        unknown_on_stripe = sum(
            r["amount"] / 100
            for r in on_stripe
            if r["id"] not in known and r.get("status") in ("succeeded", "pending")
        )
        left = tx["amount"] - committed_here - unknown_on_stripe
        busy = any(r["state"] in ("draft", "pending") for r in refunds)
        if busy or left < 2.0 or any(order["amount_paid"] < 2.0 for order in orders):
            ctx.stats.add("dashboard_skipped")
            return
        refund = ctx.stripe.v1.refunds.create(
            params={"payment_intent": intent, "amount": self.amount}
        ).to_dict()
        ctx.stats.add("dashboard_refunds")
        all_refunds = [
            r.to_dict() for r in ctx.stripe.v1.refunds.list(params={"payment_intent": intent}).data
        ]
        odoo_event = webhooks.charge_refunded_event(reference, intent, all_refunds)
        ours = webhooks.event_for(refund, self.random.choice(webhooks.EVENT_TYPES))
        roll = self.random.random()
        if roll < 0.35:
            order = [[("odoo_first", odoo_event)], [("dashboard_after", ours)]]
        elif roll < 0.7:
            order = [[("dashboard_first", ours)], [("odoo_after", odoo_event)]]
        else:  # at once, each maybe twice (Stripe's retries)
            both = [("odoo_at_once", odoo_event), ("dashboard_at_once", ours)]
            if self.random.random() < 0.5:
                both += [("odoo_at_once", odoo_event), ("dashboard_at_once", ours)]
            order = [both]
        for group in order:
            threads = []
            for label, event in group:
                url = self.random.choice(ctx.server_urls)
                thread = threading.Thread(
                    target=send_event, args=(ctx, label, url, event, self.name), daemon=True
                )
                thread.start()
                threads.append(thread)
            for thread in threads:
                thread.join(timeout=ctx.rpc_timeout + 5)


def wizard_buttons(ctx, session, action):
    """The ``type="object"`` buttons of the form a window action opens (its wizard's
    answers), read from the form view as the web client would; cached per model."""
    model = action["res_model"]
    with ctx._lock:
        if model in ctx.wizard_buttons:
            return ctx.wizard_buttons[model]
    view_id = action.get("view_id")
    view_id = view_id[0] if isinstance(view_id, list) else view_id
    for view in action.get("views") or []:
        if view[1] == "form" and view[0]:
            view_id = view[0]
    views = session.call(model, "get_views", [[view_id or False, "form"]])
    arch = views["views"]["form"]["arch"]
    names = []
    for button in ET.fromstring(arch).iter("button"):
        name = button.get("name")
        if button.get("type") == "object" and name and name not in names:
            names.append(name)
    with ctx._lock:
        ctx.wizard_buttons[model] = names
    return names


def answer_dialog(actor, session, result, prefix, skip=(), close_rate=0.0, prefer=None):
    """If ``result`` opens a dialog (a window action on a wizard), answer it as the user
    would: create the wizard with the action's context (or take the one it opened) and
    click one of its buttons, chosen at random (e.g. the refund question answered both
    ways), or, at ``close_rate``, close it; a button whose name holds ``prefer`` is clicked
    when there is one.  Returns ``(model, button)``, or None when
    ``result`` is no dialog, one of the ``skip`` models, or closed."""
    if not (
        isinstance(result, dict)
        and result.get("type") == "ir.actions.act_window"
        and result.get("res_model")
        and result.get("res_model") not in skip
    ):
        return None
    model = result["res_model"]
    context = result.get("context") or {}
    if isinstance(context, str):  # a context given as text: left to the web client
        actor.ctx.stats.add(f"{prefix}_dialog_context_text")
        context = {}
    buttons = wizard_buttons(actor.ctx, session, result)
    if not buttons:
        actor.ctx.stats.add(f"{prefix}_dialog_without_button_{model}")
        return None
    if actor.random.random() < close_rate:
        actor.ctx.stats.add(f"{prefix}_dialog_closed_{model}")
        return None
    preferred = [name for name in buttons if prefer and prefer in name]
    button = actor.random.choice(preferred or buttons)
    wizard_id = result.get("res_id") or session.call(model, "create", {}, context=context)
    actor.ctx.stats.add(f"{prefix}_dialog_{model}.{button}")
    session.call(model, button, [wizard_id], context=context)
    return model, button


class DoubleAcceptor(Actor):
    """Accepts orders holding two authorizations of their whole total (two tabs paid),
    mostly two operators at the same moment.  Accept must capture what is due, once."""

    pause = (1.0, 3.0)

    def __init__(self, name, ctx, seed, logins):
        super().__init__(name, ctx, seed)
        self.operators = [self.sessions(login) for login in logins]

    def step(self):
        ctx = self.ctx
        first = self.operators[0][0]
        orders = first.call(
            "print.order",
            "search_read",
            [
                ("id", "in", ctx.double_order_ids),
                ("is_payment_authorized", "=", True),
                ("communication_state", "in", ("new", "changed")),
            ],
            ["amount_total", "amount_paid"],
        )
        if not orders:
            ctx.stats.add("double_idle")
            return
        order = self.random.choice(orders)
        ctx.record_due(order["id"], order["amount_total"] - order["amount_paid"])
        sessions = [self.random.choice(servers) for servers in self.operators]
        if len(sessions) > 1 and self.random.random() < 0.7:
            # two operators, on the two servers, at once
            sessions = [ops[index % 2] for index, ops in enumerate(self.operators[:2])]
            ctx.stats.add("double_accept_at_once")
            results = self.at_once([(self.accept, session, order["id"]) for session in sessions])
        else:
            ctx.stats.add("double_accept_alone")
            results = [self.guarded(self.accept, sessions[0], order["id"])]
        for result in results:
            if result is True:
                ctx.stats.add("double_accept_true")
            elif isinstance(result, dict):
                ctx.stats.add(
                    f"double_accept_action_{result.get('res_model') or result.get('tag')}"
                )

    def accept(self, session, order_id):
        """Accept; a dialog Accept opens first (e.g. files with errors) is confirmed, the
        unpaid dialog (a capture that failed) is left as it is."""
        result = session.call("print.order", "action_accept", [order_id])
        answer_dialog(self, session, result, "double", skip=("print.order.unpaid.wizard",))
        return result


class Canceller(Actor):
    """Cancels orders that hold money: paid (Stripe or the demo provider) or authorized;
    sometimes two operators at once.  Cancel may ask what to do with the money: the
    dialog it opens is answered one way or the other (see :func:`answer_dialog`)."""

    pause = (0.5, 1.5)

    def __init__(self, name, ctx, seed, logins):
        super().__init__(name, ctx, seed)
        self.operators = [self.sessions(login) for login in logins]
        self.tried = Counter()

    def step(self):
        ctx = self.ctx
        first = self.operators[0][0]
        orders = first.call(
            "print.order",
            "search_read",
            [("id", "in", ctx.cancel_order_ids), ("communication_state", "!=", "canceled")],
            ["is_paid", "is_payment_authorized", "amount_paid"],
        )
        if not orders:
            ctx.stats.add("cancel_idle")
            return
        # the kind tried least first: a short run cancels paid and authorized orders alike
        self.random.shuffle(orders)
        order = min(orders, key=lambda o: self.tried[ctx.cancel_kinds.get(o["id"], "other")])
        kind = ctx.cancel_kinds.get(order["id"], "other")
        self.tried[kind] += 1
        if not (order["is_paid"] or order["is_payment_authorized"]):
            kind = f"{kind}_no_money_left"
        ctx.stats.add(f"cancel_{kind}")
        if len(self.operators) > 1 and self.random.random() < 0.4:
            ctx.stats.add("cancel_at_once")
            sessions = [ops[index % 2] for index, ops in enumerate(self.operators[:2])]
            self.at_once([(self.cancel, session, order["id"], kind) for session in sessions])
        else:
            self.cancel(self.random.choice(self.random.choice(self.operators)), order["id"], kind)

    def cancel(self, session, order_id, kind):
        result = session.call("print.order", "action_cancel", [order_id])
        self.ctx.stats.add(
            f"cancel_returned_{'true' if result is True else type(result).__name__}"
        )
        # the demo-paid order is refunded automatically: every run has a refund its
        # provider leaves unsettled (the other paid orders get both answers)
        prefer = "automatic" if kind.startswith("demo") else None
        answer_dialog(self, session, result, "cancel", close_rate=0.1, prefer=prefer)


class OtherCompanyOperator(Actor):
    """The second company's operator: reads the request items and the request dialog's
    lines, and makes a dialog line of a first-company job and file (issue 22 #7).  What came
    back is kept for the invariant "no item read across companies"."""

    pause = (1.0, 3.0)

    def __init__(self, name, ctx, seed, login):
        super().__init__(name, ctx, seed)
        self.servers = self.sessions(login)

    def step(self):
        ctx = self.ctx
        session = self.random.choice(self.servers)
        items = session.call(
            "print.change.request.item",
            "search_read",
            [],
            ["request_id", "job_id", "file_name", "note"],
            limit=500,
        )
        ctx.stats.add("company_item_reads")
        ctx.record_company_read("item", [item["id"] for item in items])
        if self.random.random() < 0.5 and ctx.foreign_files:
            self.guarded(self.foreign_line, session)

    def foreign_line(self, session):
        ctx = self.ctx
        context = {"active_model": "print.order", "active_ids": [ctx.other_order_id]}
        fields = ["order_ids", "line_ids", "ticket_job_ids", "ticket_note", "message"]
        values = session.call(WIZARD, "default_get", fields, context=context)
        lines = [command[2] for command in values.get("line_ids") or []]
        job_id, attachment_id = self.random.choice(ctx.foreign_files)
        lines.append({"job_id": job_id, "attachment_id": attachment_id, "to_change": False})
        values["line_ids"] = [[0, 0, line] for line in lines]
        ctx.stats.add("company_foreign_line_tries")
        try:
            wizard_id = session.call(WIZARD, "create", values, context=context)
        except RpcError as error:
            if error.user_error:
                ctx.stats.add("company_foreign_line_refused")
                return
            raise
        read = session.call(
            "print.change.request.line",
            "search_read",
            [("wizard_id", "=", wizard_id)],
            ["job_id", "attachment_id", "file_name"],
        )
        ctx.stats.add("company_line_reads")
        ctx.record_company_read("line", read)


class Killer(Actor):
    def __init__(self, name, ctx, seed, every):
        super().__init__(name, ctx, seed)
        self.pause = (every * 0.5, every * 1.5)

    def run(self):
        # The first kill comes after one pause, not at once.
        if self.ctx.stop.wait(self.random.uniform(*self.pause)):
            return
        super().run()

    def step(self):
        index = self.random.randrange(len(self.ctx.masters))
        workers = processes.worker_children(self.ctx.masters[index].pid)
        if not workers:
            self.ctx.stats.add("kill_no_worker_found")
            return
        pid = self.random.choice(workers)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        with self.ctx.stats.lock:
            self.ctx.stats.counts["worker_kills"] += 1
            self.ctx.stats.kill_times.append(time.monotonic())


class HelperClient:
    """One connection to the odoo shell helper (tests/load/odoo_helper.py), serialized."""

    def __init__(self, port, timeout=60.0):
        self.port = port
        self.timeout = timeout
        self.lock = threading.Lock()
        self.stream = None
        self.sock = None

    def call(self, command):
        with self.lock:
            if self.stream is None:
                address = ("127.0.0.1", self.port)
                self.sock = socket.create_connection(address, timeout=self.timeout)
                self.stream = self.sock.makefile("rw", encoding="utf-8")
            self.stream.write(json.dumps(command) + "\n")
            self.stream.flush()
            line = self.stream.readline()
            if not line:
                raise TransportError("the payment helper closed the connection")
            return json.loads(line)

    def close(self):
        with self.lock:
            if self.stream is not None:
                try:
                    self.stream.write(json.dumps({"op": "quit"}) + "\n")
                    self.stream.flush()
                    self.stream.readline()
                except OSError:
                    pass
                self.stream.close()
                self.sock.close()
                self.stream = None


def group_latencies(values):
    """p50 and p95 (seconds) of ``values``, or None."""
    if not values:
        return None, None
    ordered = sorted(values)

    def pick(fraction):
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]

    return pick(0.50), pick(0.95)


def by_prefix(counts, prefix):
    result = defaultdict(int)
    for key, value in counts.items():
        if key.startswith(prefix):
            result[key[len(prefix) :]] += value
    return dict(result)
