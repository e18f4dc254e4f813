#!/usr/bin/env python3
"""Load and fault harness: two Odoo servers with workers on one database, a fault proxy in
front of a fake Stripe, concurrent operators, accountants, cron and webhooks, killed workers;
then the money invariants.  Exits 1 on any breach.

What it starts (everything on 127.0.0.1, all stopped at exit, also on Ctrl+C):

- localstripe (its application on 127.0.0.1 only: print_change_request_stripe/tests/
  localstripe_local.py) and, in front of it, the
  fault proxy of fault_proxy.py (delays, dropped connections, 5xx, timeouts longer than the
  addon's ``print_change_request.stripe_timeout``), which Odoo's refunds go through;
- a fresh database with the addon (no demo data), prepared by odoo_setup.py in ``odoo shell``
  (users, paid orders with real payment intents, some with invoices; orders paid through
  a demo provider whose refunds stay drafts, orders holding two authorizations, orders to
  cancel, a second company with its own operator and order);
- the customer's payment helper (odoo_helper.py in ``odoo shell``);
- two Odoo servers on that database and one ``--data-dir`` (filestore), each
  ``--workers=2 --max-cron-threads=1`` on its own port.

Then for ``--seconds`` the actors of actors.py run against both servers over JSON-RPC, and a
worker is SIGKILLed every ``--kill-every`` seconds or so.  At the end: actors stopped, faults
off, a pause to settle, the refund follow-up cron triggered once more, then the invariants of
invariants.py, the servers' logs (no ERROR/CRITICAL/Traceback line, no HTTP 500), and a
summary.  The database is dropped unless ``--keep-db``.

Run it with the Python that runs Odoo, e.g.::

    ~/.local/share/print_change_request/venv/bin/python tests/load/run_load.py --seconds 120
"""

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import stripe

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from load import actors, invariants, processes
from load.fault_proxy import KINDS, FaultProxy
from load.rpc import RpcError, Session, TransportError

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
WEBHOOK_SECRET = "whsec_load_harness"
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) ")
HTTP_500 = re.compile(r'HTTP/1\.[01]" 5\d\d ')
#: (pattern, why) of server log records tolerated: none is caused by the addon.
TOLERATED = [
    (
        r"odoo\.sql_db: bad query: .*\nERROR:  ?could not serialize access due to concurrent "
        r"update",
        "Odoo's sql_db logs each serialization failure at ERROR; service.model.retrying then "
        "runs the call again (a give-up would log its own error)",
    ),
    (
        r"ir_cron: Job 'Mail: Email Queue Manager' \(\d+\) server action #\d+ failed"
        r"(?s:.*)SerializationFailure: could not serialize access due to concurrent update",
        "Odoo sends a chatter message's e-mails right after the commit (send_after_commit) "
        "while its e-mail queue cron may pick the same committed e-mail: the cron's try fails "
        "on the row the other sent, Odoo's ir_cron logs it at ERROR and the next run goes on "
        "(Odoo's own race, no e-mail lost)",
    ),
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 1)[0],
        epilog="Everything binds to 127.0.0.1; see the module's docstring for details.",
    )
    parser.add_argument("--seconds", type=float, default=90, help="how long the actors run")
    parser.add_argument("--orders", type=int, default=8, help="paid orders to fight over")
    parser.add_argument(
        "--demo-orders",
        type=int,
        default=2,
        help="more orders of the pool paid through a demo provider whose refunds stay drafts",
    )
    parser.add_argument(
        "--double-orders",
        type=int,
        default=2,
        help="orders with two authorizations of their whole total, accepted (0: none)",
    )
    parser.add_argument(
        "--cancel-orders",
        type=int,
        default=4,
        help="orders to cancel: paid (Stripe), authorized, paid (demo) in turn (0: none)",
    )
    parser.add_argument(
        "--no-second-company",
        action="store_true",
        help="no second company and its operator reading across companies",
    )
    parser.add_argument("--operators", type=int, default=4)
    parser.add_argument("--accountants", type=int, default=2)
    parser.add_argument(
        "--fault-rate", type=float, default=0.25, help="share of Stripe calls given a fault"
    )
    parser.add_argument(
        "--faults", default=",".join(KINDS), help=f"fault kinds to inject (of {', '.join(KINDS)})"
    )
    parser.add_argument("--stripe-timeout", type=float, default=2.0, help="the addon's timeout")
    parser.add_argument(
        "--kill-every", type=float, default=20.0, help="mean seconds between kills (0: none)"
    )
    parser.add_argument("--settle", type=float, default=10.0, help="pause before the checks")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: time)")
    parser.add_argument("--keep-db", action="store_true", help="keep the database and files")
    parser.add_argument("--workdir", default=str(REPO_ROOT / "var" / "load"))
    parser.add_argument("--addons-path", default=None, help="default: Odoo's and this repo")
    parser.add_argument("--db", default=None, help="database name (default: pcr_load_<time>)")
    parser.add_argument(
        "--max-iterations", type=int, default=100000, help="bound of each actor's loop"
    )
    return parser.parse_args(argv)


def odoo_addons_path():
    import odoo  # noqa: PLC0415 - only needed here

    odoo_addons = Path(odoo.__file__).resolve().parent.parent / "addons"
    return f"{odoo_addons},{REPO_ROOT}"


class Context:
    """What the actors share."""

    def __init__(self, args, db, server_urls, setup, masters, helper, stripe_client):
        self.db = db
        self.server_urls = server_urls
        self.order_ids = setup["order_ids"]
        self.demo_order_ids = set(setup.get("demo_order_ids") or [])
        self.double_order_ids = setup.get("double_order_ids") or []
        self.cancel_order_ids = setup.get("cancel_order_ids") or []
        self.cancel_kinds = {int(k): v for k, v in (setup.get("cancel_kinds") or {}).items()}
        self.all_order_ids = self.order_ids + self.double_order_ids + self.cancel_order_ids
        self.other_order_id = setup.get("other_order_id")
        self.other_company_id = setup.get("other_company_id")
        self.foreign_files = []  # (job id, file id) of the first company
        self.due_at_accept = {}  # order id -> what was due when Accept was first clicked
        self.company_reads = []  # (kind, what the second company's operator read)
        self.wizard_buttons = {}
        self.reason_id = setup["reason_id"]
        self.cron_id = setup["cron_id"]
        self.mark_done_takes_reference = setup["mark_done_takes_reference"]
        self.masters = masters
        self.helper = helper
        self.stripe = stripe_client
        self.webhook_secret = WEBHOOK_SECRET
        self.rpc_timeout = 90.0
        self.max_iterations = args.max_iterations
        self.stop = threading.Event()
        self.deadline = time.monotonic() + args.seconds
        self.stats = actors.Stats()
        self.admin = Session(server_urls[0], db, "admin", "admin", timeout=self.rpc_timeout)
        self.job_order = {}
        self._intents = []
        self._references = {}
        self._intents_at = 0.0
        self._lock = threading.Lock()
        self.transport_notes = []

    def helper_call(self, command):
        return self.helper.call(command)

    def known_intents(self):
        with self._lock:
            if time.monotonic() - self._intents_at > 5:
                txs = self.admin.call(
                    "payment.transaction",
                    "search_read",
                    [
                        ("print_order_ids", "in", self.order_ids),
                        ("provider_code", "=", "stripe"),  # not the demo provider's
                        ("state", "=", "done"),
                        ("operation", "!=", "refund"),
                        ("provider_reference", "!=", False),
                    ],
                    ["provider_reference", "reference"],
                )
                self._intents = [tx["provider_reference"] for tx in txs]
                self._references = {tx["provider_reference"]: tx["reference"] for tx in txs}
                self._intents_at = time.monotonic()
            return list(self._intents)

    def reference_of(self, intent):
        """The Odoo transaction reference of a payment intent (the charge's description)."""
        with self._lock:
            return self._references.get(intent)

    def record_due(self, order_id, due):
        with self._lock:
            self.due_at_accept.setdefault(order_id, due)

    def record_company_read(self, kind, what):
        with self._lock:
            if len(self.company_reads) < 500:
                self.company_reads.append((kind, what))

    def note_transport(self, actor, error):
        with self._lock:
            if len(self.transport_notes) < 100:
                self.transport_notes.append(f"{actor}: {error}")


def _records(handle):
    """(line number, text) of each log record, continuation lines (tracebacks) included;
    lines before any record (a crashed subprocess' stderr) come as their own records."""
    number, record = 0, []
    for index, line in enumerate(handle, 1):
        if LOG_LINE.match(line) or not record:
            if record:
                yield number, "".join(record)
            number, record = index, [line]
        else:
            record.append(line)
    if record:
        yield number, "".join(record)


def scan_logs(paths):
    """Server log records at ERROR/CRITICAL, stray tracebacks and HTTP 5xx answers, less
    the tolerated ones; plus the warnings that carry a traceback (reported, not a breach)."""
    problems, tolerated, warnings = [], Counter(), []
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for number, record in _records(handle):
                match = LOG_LINE.match(record)
                level = match["level"] if match else None
                bad = (
                    level in ("ERROR", "CRITICAL")
                    # a traceback outside an error or warning: a crashed (sub)process' stderr
                    or (level not in ("WARNING",) and "Traceback" in record)
                    or HTTP_500.search(record.splitlines()[0])
                )
                if not bad:
                    if level == "WARNING" and "Traceback" in record and len(warnings) < 50:
                        warnings.append(f"{path.name}:{number}: {record[:1500]}")
                    continue
                why = next((why for pattern, why in TOLERATED if re.search(pattern, record)), None)
                if why:
                    tolerated[why] += 1
                else:
                    problems.append(f"{path.name}:{number}: {record.rstrip()[:1500]}")
    return problems, dict(tolerated), warnings


def odoo_launcher(python):
    """How to start Odoo.  Not ``python -m odoo``: a prefork master re-runs its own script
    (``sys.argv[0]``) for the gevent process, which fails for ``odoo/__main__.py``."""
    import odoo  # noqa: PLC0415 - only needed here

    for script in (
        Path(python).parent / "odoo",
        Path(odoo.__file__).resolve().parent.parent / "odoo-bin",
    ):
        if script.is_file():
            return [python, str(script)]
    return [python, "-m", "odoo"]


def odoo_command(python, addons, db, data_dir, port, gevent_port):
    return [
        *odoo_launcher(python),
        f"--addons-path={addons}",
        f"--database={db}",
        f"--db-filter=^{db}$",
        f"--data-dir={data_dir}",
        "--workers=2",
        "--max-cron-threads=1",
        "--http-interface=127.0.0.1",
        f"--http-port={port}",
        f"--gevent-port={gevent_port}",
        "--log-level=info",
        "--limit-time-real=300",
        "--limit-time-cpu=120",
        "--without-demo=all",
    ]


def shell_command(python, addons, db, data_dir):
    return [
        *odoo_launcher(python),
        "shell",
        f"--addons-path={addons}",
        f"--database={db}",
        f"--data-dir={data_dir}",
        "--log-level=warn",
        "--no-http",
    ]


def say(*parts):
    print("load:", *parts, file=sys.stderr, flush=True)


def run(args):
    seed = args.seed if args.seed is not None else int(time.time())
    python = sys.executable
    addons = args.addons_path or odoo_addons_path()
    db = args.db or f"pcr_load_{time.strftime('%Y%m%d_%H%M%S')}_{os.getpid()}"
    workdir = Path(args.workdir) / db
    data_dir = workdir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    say(f"database {db}, files and logs in {workdir}, seed {seed}")
    started = time.monotonic()

    stripe_port = processes.free_port()
    localstripe = processes.start(
        [
            python,
            str(REPO_ROOT / "print_change_request_stripe" / "tests" / "localstripe_local.py"),
            str(stripe_port),
        ],
        workdir / "localstripe.log",
    )
    if not processes.wait_port(stripe_port, 30, localstripe):
        raise RuntimeError("localstripe did not start; see localstripe.log")
    stripe_url = f"http://127.0.0.1:{stripe_port}"
    stripe_client = stripe.StripeClient(
        "sk_test_load",
        base_addresses={"api": stripe_url},
        http_client=stripe.RequestsClient(timeout=30),
        max_network_retries=0,
    )
    proxy = FaultProxy(
        stripe_port,
        rate=args.fault_rate,
        stall=args.stripe_timeout + 1.5,
        seed=seed,
        kinds=[kind for kind in args.faults.split(",") if kind],
    ).start()
    proxy.enabled = False  # no faults while setting up

    say("installing the addon in a fresh database...")
    init_cmd = [
        *odoo_command(python, addons, db, data_dir, processes.free_port(), processes.free_port()),
        "--workers=0",
        "--max-cron-threads=0",
        # payment_demo: the provider whose refunds stay drafts (orders paid through it)
        "--init=print_change_request,print_change_request_stripe,payment_demo",
        "--stop-after-init",
        "--log-level=warn",
    ]
    if processes.run(init_cmd, workdir / "init.log") != 0:
        raise RuntimeError("installing the addon failed; see init.log")
    setup_env = {
        "PCR_LOAD_SETUP": json.dumps(
            {
                "stripe_url": proxy.url,
                "stripe_direct_url": stripe_url,
                "stripe_timeout": args.stripe_timeout,
                "webhook_secret": WEBHOOK_SECRET,
                "operators": args.operators,
                "accountants": args.accountants,
                "orders": args.orders,
                "demo_orders": args.demo_orders,
                "double_orders": args.double_orders,
                "cancel_orders": args.cancel_orders,
                "second_company": not args.no_second_company,
            }
        )
    }
    setup_log = workdir / "setup.log"
    code = processes.run(
        shell_command(python, addons, db, data_dir),
        setup_log,
        env=setup_env,
        input_text=(HERE / "odoo_setup.py").read_text(),
    )
    setup = None
    for line in setup_log.read_text(errors="replace").splitlines():
        if line.startswith("PCR_LOAD_SETUP "):
            setup = json.loads(line.split(" ", 1)[1])
    if code != 0 or setup is None:
        raise RuntimeError("preparing the data failed; see setup.log")
    # paid, or authorized (the orders paid with manual capture)
    prepared = [
        paid or authorized
        for paid, authorized in zip(setup["paid"], setup["authorized"], strict=True)
    ]
    if not all(prepared):
        raise RuntimeError(
            f"the prepared orders are not all paid or authorized: {setup['paid']}, "
            f"{setup['authorized']}"
        )

    helper_port = processes.free_port()
    helper_process = processes.start(
        shell_command(python, addons, db, data_dir),
        workdir / "helper.log",
        env={
            "PCR_LOAD_HELPER_PORT": str(helper_port),
            "PCR_LOAD_STRIPE_DIRECT": stripe_url,
            "PCR_LOAD_HELPER_SECONDS": str(args.seconds + 600),
        },
        stdin=subprocess.PIPE,
    )
    helper_process.stdin.write((HERE / "odoo_helper.py").read_bytes())
    helper_process.stdin.close()

    say("starting two Odoo servers (2 workers and a cron worker each)...")
    server_urls, masters, server_logs = [], [], []
    for index in range(2):
        port = processes.free_port()
        log = workdir / f"server{index + 1}.log"
        master = processes.start(
            odoo_command(python, addons, db, data_dir, port, processes.free_port()), log
        )
        server_urls.append(f"http://127.0.0.1:{port}")
        masters.append(master)
        server_logs.append(log)
    for url, master in zip(server_urls, masters, strict=True):
        if not processes.wait_http(f"{url}/web/health", 120, master):
            raise RuntimeError(f"the Odoo server at {url} did not start")
    if not processes.wait_port(helper_port, 120, helper_process):
        raise RuntimeError("the payment helper did not start; see helper.log")

    helper = actors.HelperClient(helper_port)
    ctx = Context(args, db, server_urls, setup, masters, helper, stripe_client)
    jobs = ctx.admin.call(
        "print.job", "search_read", [("order_id", "in", ctx.order_ids)], ["order_id"]
    )
    ctx.job_order = {job["id"]: job["order_id"][0] for job in jobs}
    files = ctx.admin.call(
        "print.job", "search_read", [("order_id", "in", ctx.order_ids)], ["attachment_ids"]
    )
    ctx.foreign_files = [
        (job["id"], file_id) for job in files for file_id in job["attachment_ids"]
    ]
    say(f"ready after {time.monotonic() - started:.0f} s; running the actors {args.seconds:.0f} s")

    proxy.enabled = True
    ctx.deadline = time.monotonic() + args.seconds
    run_started = time.monotonic()
    threads = [
        actors.Operator(f"operator-{n}", ctx, seed + n, login)
        for n, login in enumerate(setup["operators"])
    ]
    threads += [
        actors.Accountant(f"accountant-{n}", ctx, seed + 100 + n, login)
        for n, login in enumerate(setup["accountants"])
    ]
    threads += [
        actors.Customer("customer-0", ctx, seed + 200, setup["operators"][0]),
        actors.CronTrigger("cron-0", ctx, seed + 300),
        actors.WebhookSender("webhook-0", ctx, seed + 400),
        actors.DashboardRefunder("dashboard-0", ctx, seed + 600),
    ]
    logins = setup["operators"][:2]
    if ctx.double_order_ids:
        threads.append(actors.DoubleAcceptor("double-0", ctx, seed + 700, logins))
    if ctx.cancel_order_ids:
        threads.append(actors.Canceller("cancel-0", ctx, seed + 800, logins))
    if setup.get("other_operator"):
        threads.append(
            actors.OtherCompanyOperator("company-0", ctx, seed + 900, setup["other_operator"])
        )
    if args.kill_every > 0:
        threads.append(actors.Killer("killer-0", ctx, seed + 500, args.kill_every))
    for thread in threads:
        thread.start()
    try:
        while time.monotonic() < ctx.deadline and any(t.is_alive() for t in threads):
            time.sleep(1)
    finally:
        ctx.stop.set()
        for thread in threads:
            thread.join(timeout=ctx.rpc_timeout + 10)
    run_seconds = time.monotonic() - run_started
    proxy.enabled = False

    say(f"actors stopped; settling {args.settle:.0f} s, then the follow-up cron once more")
    time.sleep(args.settle)
    final_cron = "ok"
    for attempt in range(10):
        try:
            ctx.admin.call("ir.cron", "method_direct_trigger", [ctx.cron_id])
            break
        except (RpcError, TransportError) as error:  # the cron worker may hold it right now
            final_cron = f"attempt {attempt + 1}: {error}"
            time.sleep(3)
    else:
        final_cron = f"failed: {final_cron}"
    time.sleep(2)
    results, facts = invariants.check(ctx.admin, stripe_client, ctx.all_order_ids, ctx.stats)
    new_results, new_facts = invariants.check_issue22(ctx)
    results.update(new_results)
    facts.update(new_facts)
    log_problems, log_tolerated, log_warnings = scan_logs(server_logs)
    results["server_logs_clean"] = log_problems
    results["no_unexpected_rpc_error"] = [
        f"{actor}: {error}" for actor, error in ctx.stats.unexpected
    ]
    helper.close()

    counts = ctx.stats.counts
    p50, p95 = actors.group_latencies(ctx.stats.latencies)
    summary = {
        "database": db,
        "seed": seed,
        "seconds": round(run_seconds, 1),
        "requests_ok": counts["requests_ok"],
        "requests_ok_by_refund": {
            kind: counts[f"requests_ok_{kind}"]
            for kind in ("automatic", "manual", "unpaid", "release_automatic", "release_manual")
        },
        "manual_capture": {
            "payments": facts["manual_capture_payments"],
            "captured_total": facts["manual_captured"],
            "states": facts["manual_states"],
            "accepts": actors.by_prefix(counts, "accept_"),
        },
        "requests_refused": counts["operator_refused"],
        "refusals_by_message": dict(ctx.stats.refusals.most_common(12)),
        "requests_without_answer": sum(ctx.stats.unknown.values()),
        "throughput_requests_per_minute": round(counts["requests_ok"] * 60 / run_seconds, 1),
        "request_latency_p50_s": round(p50, 2) if p50 is not None else None,
        "request_latency_p95_s": round(p95, 2) if p95 is not None else None,
        "refunds": facts["refunds_by_state_method"],
        "refunded_done_total": facts["refund_amount_done"],
        "stripe_refunded_total": facts["stripe_refunded"],
        "payments": facts["payments"],
        "change_requests_recorded": facts["change_requests"],
        "accountants": actors.by_prefix(counts, "accountant_"),
        "customer": actors.by_prefix(counts, "customer_"),
        "webhooks": actors.by_prefix(counts, "webhook_"),
        "dashboard": actors.by_prefix(counts, "dashboard_"),
        "stripe_refunds_checked": facts["stripe_refunds_checked"],
        "cron_triggered": counts["cron_triggered"],
        "final_cron": final_cron,
        "faults": proxy.summary(),
        "worker_kills": counts["worker_kills"],
        "kills_without_worker_found": counts["kill_no_worker_found"],
        "transport_errors": {
            key: value for key, value in counts.items() if key.endswith("_transport_errors")
        },
        "double_authorizations": {
            "orders": len(ctx.double_order_ids),
            "authorizations_at_setup": setup.get("double_authorized"),
            "accepts": actors.by_prefix(counts, "double_"),
            "captured_vs_due": facts["double_captured_vs_due"],
        },
        "cancels": {
            "orders": len(ctx.cancel_order_ids),
            "clicks": actors.by_prefix(counts, "cancel_"),
            "canceled_orders": facts["canceled_orders"],
        },
        "unsettled_refunds_sent": {
            key: value for key, value in counts.items() if key.startswith("accountant_send_")
        },
        "refund_transactions_by_provider": facts["refund_transactions_by_provider"],
        "second_company": {
            "reads": actors.by_prefix(counts, "company_"),
            "items_in_first_company": facts["items_first_company"],
        },
        "log_records_tolerated": log_tolerated,
        "log_warnings_with_traceback": log_warnings[:5],
        "mark_done_takes_reference": ctx.mark_done_takes_reference,
    }
    return summary, results, workdir


def report(summary, results):
    print("== load harness summary ==")
    for key, value in summary.items():
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        print(f"{key}: {text}")
    print("== invariants ==")
    breached = False
    for name, breaches in results.items():
        print(f"{name}: {'ok' if not breaches else f'BREACHED ({len(breaches)})'}")
        for breach in breaches[:15]:
            print(f"  - {breach}")
        breached = breached or bool(breaches)
    return breached


def main(argv=None):
    args = parse_args(argv)
    db = args.db or f"pcr_load_{time.strftime('%Y%m%d_%H%M%S')}_{os.getpid()}"
    args.db = db

    def interrupted(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)
    workdir = Path(args.workdir) / db
    status = 1
    try:
        summary, results, workdir = run(args)
        breached = report(summary, results)
        status = 1 if breached else 0
        print(f"load harness: {'FAILED' if breached else 'passed'} (files in {workdir})")
    except KeyboardInterrupt:
        say("interrupted")
        status = 130
    except Exception as error:
        say(f"error: {type(error).__name__}: {error}")
        status = 1
    finally:
        processes.stop_all()
        if not args.keep_db:
            subprocess.run(
                ["dropdb", "--if-exists", db],
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=120,
            )
            if status == 0:
                with contextlib.suppress(OSError):
                    shutil.rmtree(workdir / "data")
    return status


if __name__ == "__main__":
    sys.exit(main())
