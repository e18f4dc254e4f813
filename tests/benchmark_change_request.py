#!/usr/bin/env python3
"""Benchmark: the cost of a request for change on orders with 1, 10, 100... jobs.

Not a test: it runs against a live database with the ``print_change_request`` addon
installed, in ONE cursor that is rolled back at the end: the database is left unchanged,
except that PostgreSQL sequences (record ids, the "standard" order/request numbers) move on,
as after any rolled-back transaction.

For each size (jobs per order) it creates an order of N jobs of F files each, opens the
"Send a change request" dialog as the UI does (``order.action_request_change()``), ticks
every file with a reason (one batch write), then measures only the request:

- ``unpaid``: ``wizard.action_confirm()`` on an unpaid order;
- ``paid/manual``: on a paid order, ``action_confirm()`` opens the refund question (not
  measured), then ``action_refund_manually()`` on that dialog is measured.

A measured call starts from an empty cache and ends with the flush and the pre-commit hooks
(mail tracking) a real request would run before its commit, like Odoo's
``assertQueryCount``.  Queries are counted with the cursor's counter; times are the median of
``--repeat`` runs and compared as ratios to the smallest size.

The script exits with status 1 when, in any scenario, the query count of the largest size
exceeds the smallest size's by more than ``--max-growth`` queries.  ``--breakdown`` prints,
per scenario, the SQL queries (grouped by normalized text) whose count differs across sizes.

Example::

    python3 tests/benchmark_change_request.py --database pcr_bench --breakdown
"""

import argparse
import logging
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import odoo
from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.service import server
from odoo.tools import config

REPO_ROOT = Path(__file__).resolve().parent.parent
PDF_BYTES = b"%PDF-1.4\n% benchmark file\n%%EOF\n"
REASON_XMLID = "print_change_request.reason_missing_fonts"
OPERATOR_GROUP_XMLID = "print_change_request.group_print_operator"
SCENARIOS = ("unpaid", "paid/manual")


# ------------------------------------------------------------
# Command line
# ------------------------------------------------------------


def default_addons_path():
    """Odoo's own ``addons`` directory (next to the ``odoo`` package) and this repository."""
    odoo_addons = Path(odoo.__file__).resolve().parent.parent / "addons"
    paths = [str(odoo_addons)] if odoo_addons.is_dir() else []
    return ",".join([*paths, str(REPO_ROOT)])


def positive_ints(text):
    try:
        values = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a list of integers: {text!r}") from error
    if not values or values[0] < 1:
        raise argparse.ArgumentTypeError("sizes must be positive integers")
    return values


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", "-d", required=True, help="database to run on")
    parser.add_argument(
        "--addons-path",
        help="Odoo addons path (default: Odoo's addons directory and the repository root)",
    )
    parser.add_argument(
        "--sizes",
        type=positive_ints,
        default=[1, 10, 100],
        help="comma-separated numbers of jobs per order (default: 1,10,100)",
    )
    parser.add_argument("--files", type=int, default=5, help="files per job (default: 5)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per size; the median time is shown"
    )
    parser.add_argument(
        "--max-growth",
        type=int,
        default=5,
        help="most extra queries allowed for the largest size compared to the smallest "
        "(default: 5)",
    )
    parser.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        help=f"comma-separated scenarios to run (default: {','.join(SCENARIOS)})",
    )
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="log the SQL of one run per size and print the queries whose count grows",
    )
    parser.add_argument(
        "--breakdown-top", type=int, default=20, help="query groups shown by --breakdown"
    )
    args = parser.parse_args(argv)
    args.scenarios = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    if args.files < 1 or args.repeat < 1:
        parser.error("--files and --repeat must be positive")
    return args


# ------------------------------------------------------------
# SQL capture (the --log-sql output of odoo.sql_db, grouped)
# ------------------------------------------------------------

_STRING = re.compile(r"'(?:[^']|'')*'")
_SAVEPOINT = re.compile(r'((?:RELEASE |ROLLBACK TO )?SAVEPOINT) "[^"]+"')
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
_VALUES = re.compile(r"VALUES\s*(\([^()]*\))(?:\s*,\s*\([^()]*\))*")
_LIST = re.compile(r"\(\s*(?:\?|DEFAULT)(?:\s*,\s*(?:\?|DEFAULT))*\s*\)")
_ARRAY = re.compile(r"ARRAY\[[^\[\]]*\]")
_SPACES = re.compile(r"\s+")


def normalize_sql(query):
    """The query's shape: literals become ``?``, lists and VALUES rows of any length one
    ``...`` item, savepoint names ``"sp"``."""
    query = _SAVEPOINT.sub(r'\1 "sp"', query)
    query = _STRING.sub("?", query)
    query = _NUMBER.sub("?", query)
    query = _VALUES.sub(r"VALUES \1...", query)
    query = _LIST.sub("(?...)", query)
    query = _ARRAY.sub("ARRAY[...]", query)
    return _SPACES.sub(" ", query).strip()


class SqlCapture(logging.Handler):
    """Collect the queries ``odoo.sql_db`` logs at DEBUG level while active."""

    PREFIX = re.compile(r"^\[[\d.]+ ms\] query: ", re.DOTALL)

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.queries = []
        self._logger = logging.getLogger("odoo.sql_db")
        self._saved = None

    def emit(self, record):
        message = record.getMessage()
        if self.PREFIX.match(message):
            self.queries.append(self.PREFIX.sub("", message, count=1))

    def __enter__(self):
        self.queries = []
        self._saved = (self._logger.level, self._logger.propagate)
        self._logger.addHandler(self)
        self._logger.setLevel(logging.DEBUG)
        self._logger.propagate = False
        return self

    def __exit__(self, *exc):
        self._logger.removeHandler(self)
        self._logger.setLevel(self._saved[0])
        self._logger.propagate = self._saved[1]
        return False

    def groups(self):
        return Counter(normalize_sql(query) for query in self.queries)


# ------------------------------------------------------------
# The benchmark
# ------------------------------------------------------------


class Benchmark:
    def __init__(self, env, files):
        self.files = files
        self.su_env = env
        self.reason = env.ref(REASON_XMLID)
        company = env.company
        self.operator = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": "Benchmark Operator",
                    "login": "pcr_benchmark_operator",
                    "email": "pcr.benchmark.operator@example.com",
                    "company_id": company.id,
                    "company_ids": [Command.set(company.ids)],
                    "groups_id": [Command.set(env.ref(OPERATOR_GROUP_XMLID).ids)],
                }
            )
        )
        self.env = env(user=self.operator.id, context=dict(self.operator.context_get()), su=False)
        payment_method = env.ref("payment.payment_method_unknown")
        self.provider = env["payment.provider"].create(
            {
                "name": "Benchmark provider",
                "code": "none",
                "state": "test",
                "company_id": company.id,
                "payment_method_ids": [Command.set(payment_method.ids)],
            }
        )
        payment_method.active = True
        self.payment_method = payment_method
        self._settle()

    def _settle(self):
        """Run what a commit would run (flush, mail tracking) so that it is not measured."""
        self.env.flush_all()
        self.env.cr.flush()

    # -- set-up, not measured ------------------------------------------------------------

    def create_order(self, jobs, tag):
        """A customer (created as superuser: operators may not create contacts) and, as the
        operator, an order of ``jobs`` jobs of ``files`` PDFs."""
        env = self.env
        partner = self.su_env["res.partner"].create(
            {"name": f"Benchmark customer {tag}", "email": f"customer.{tag}@example.com"}
        )
        order = env["print.order"].create({"partner_id": partner.id})
        env["print.job"].create(
            [
                {
                    "order_id": order.id,
                    "name": f"Job {index + 1}",
                    "sequence": index,
                    "price_unit": 10.0,
                    "attachment_ids": [
                        Command.create(
                            {
                                "name": f"job{index + 1}-file{number + 1}.pdf",
                                "raw": PDF_BYTES,
                                "mimetype": "application/pdf",
                            }
                        )
                        for number in range(self.files)
                    ],
                }
                for index in range(jobs)
            ]
        )
        self._settle()
        return order

    def pay(self, order):
        """A done transaction of the order's total on the 'none' provider (as superuser)."""
        order = order.with_env(self.su_env)
        tx = self.su_env["payment.transaction"].create(
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.payment_method.id,
                "reference": self.su_env["payment.transaction"]._compute_reference(
                    self.provider.code, prefix=order.name
                ),
                "amount": order.amount_total,
                "currency_id": order.currency_id.id,
                "partner_id": order.partner_id.id,
                "print_order_ids": [Command.link(order.id)],
            }
        )
        tx._set_done()
        self._settle()
        if not order.is_paid:
            raise RuntimeError(f"order {order.name} should be paid")

    def open_wizard(self, order):
        """The dialog as the UI opens it, every file ticked with a reason in one write."""
        action = order.action_request_change()
        wizard = self.env[action["res_model"]].with_context(**action["context"]).create({})
        expected = len(order.job_ids) * self.files
        if len(wizard.line_ids) != expected:
            raise RuntimeError(f"the dialog lists {len(wizard.line_ids)} files, not {expected}")
        wizard.line_ids.write(
            {"to_change": True, "reason_id": self.reason.id, "note": "Embed the fonts"}
        )
        self._settle()
        return wizard

    def prepare(self, scenario, jobs, tag):
        """Return the call to measure for ``scenario`` on a fresh order of ``jobs`` jobs."""
        order = self.create_order(jobs, tag)
        if scenario == "unpaid":
            wizard = self.open_wizard(order)
            return order, wizard.action_confirm
        self.pay(order)
        wizard = self.open_wizard(order)
        action = wizard.action_confirm()
        if action.get("res_model") != "print.refund.confirm.wizard":
            raise RuntimeError(f"a paid order should ask about the refund, got {action!r}")
        confirm = self.env[action["res_model"]].with_context(**action["context"]).create({})
        self._settle()
        return order, confirm.action_refund_manually

    # -- measured ------------------------------------------------------------------------

    def measure(self, scenario, jobs, tag, capture=None):
        """(queries, seconds) of one request; ``capture`` collects its SQL."""
        order, call = self.prepare(scenario, jobs, tag)
        env = self.env
        cr = env.cr
        env.invalidate_all()
        count0 = cr.sql_log_count
        start = time.perf_counter()
        if capture is not None:
            with capture:
                self._run(call)
        else:
            self._run(call)
        elapsed = time.perf_counter() - start
        queries = cr.sql_log_count - count0
        self._check_done(order, scenario)
        return queries, elapsed

    def _run(self, call):
        result = call()
        # What the request's commit would run: deferred writes, then mail tracking.
        self.env.flush_all()
        self.env.cr.flush()
        return result

    def _check_done(self, order, scenario):
        order = order.with_env(self.su_env)
        order.invalidate_recordset()
        if order.communication_state != "change_requested":
            raise RuntimeError(f"{order.name} is {order.communication_state} after the request")
        if scenario == "paid/manual" and not order.refund_ids:
            raise RuntimeError(f"{order.name} has no refund after the paid request")


# ------------------------------------------------------------
# Report
# ------------------------------------------------------------


def print_table(scenario, files, rows):
    print(f"\n{scenario}: request for change ({files} files per job)")
    header = f"{'size (jobs x files)':>20} {'queries':>8} {'median ms':>10} {'time ratio':>11}"
    print(header)
    print("-" * len(header))
    base_time = rows[0]["median"]
    for row in rows:
        ratio = row["median"] / base_time if base_time else float("nan")
        counts = row["counts"]
        note = "" if len(set(counts)) == 1 else f"  (counts per run: {counts})"
        print(
            f"{row['jobs']:>11} x {files:<6} {max(counts):>8} {row['median'] * 1000:>10.1f} "
            f"{ratio:>10.2f}x{note}"
        )


def print_breakdown(scenario, sizes, groups, top):
    """The query shapes whose count differs between sizes, most grown first."""
    first, last = sizes[0], sizes[-1]
    keys = set().union(*(groups[size] for size in sizes))
    grown = sorted(
        (key for key in keys if len({groups[size][key] for size in sizes}) > 1),
        key=lambda key: (groups[first][key] - groups[last][key], key),
    )
    print(f"\n{scenario}: queries whose count changes with the size")
    totals = "  ".join(f"{size}j={sum(groups[size].values())}" for size in sizes)
    print(f"  total queries logged: {totals}")
    if not grown:
        print("  none: every query shape runs the same number of times")
        return
    print("  " + "  ".join(f"{f'{size} jobs':>8}" for size in sizes) + "  query")
    for key in grown[:top]:
        counts = "  ".join(f"{groups[size][key]:>8}" for size in sizes)
        text = key if len(key) <= 220 else key[:217] + "..."
        print(f"  {counts}  {text}")
    if len(grown) > top:
        print(f"  ... {len(grown) - top} more")


# ------------------------------------------------------------
# Main
# ------------------------------------------------------------


def open_registry(database, addons_path):
    config.parse_config(
        [
            f"--addons-path={addons_path}",
            f"--database={database}",
            "--log-level=warn",
            "--max-cron-threads=0",
            "--no-http",
        ]
    )
    server.load_server_wide_modules()
    return Registry(database)


def bench_scenario(bench, scenario, args):
    """Measure ``scenario`` for every size; return the table rows and the SQL groups."""
    sizes = args.sizes
    # Warm the registry's caches (ormcache, xmlids, templates) outside the figures.
    bench.measure(scenario, sizes[0], f"{scenario}-warmup")
    rows, groups = [], {}
    for jobs in sizes:
        counts, times = [], []
        for run_index in range(args.repeat):
            queries, seconds = bench.measure(scenario, jobs, f"{scenario}-{jobs}-{run_index}")
            counts.append(queries)
            times.append(seconds)
        rows.append({"jobs": jobs, "counts": counts, "median": statistics.median(times)})
        if args.breakdown:
            capture = SqlCapture()
            bench.measure(scenario, jobs, f"{scenario}-{jobs}-sql", capture=capture)
            groups[jobs] = capture.groups()
    return rows, groups


def run(args):
    registry = open_registry(args.database, args.addons_path or default_addons_path())
    print(
        f"database {args.database}: {args.files} files per job, {args.repeat} run(s) per size "
        f"(median time); every change is rolled back"
    )
    failed = []
    cr = registry.cursor()
    try:
        bench = Benchmark(api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"}), args.files)
        for scenario in args.scenarios:
            rows, groups = bench_scenario(bench, scenario, args)
            print_table(scenario, args.files, rows)
            if args.breakdown:
                print_breakdown(scenario, args.sizes, groups, args.breakdown_top)
            growth = max(rows[-1]["counts"]) - max(rows[0]["counts"])
            if growth > args.max_growth:
                failed.append((scenario, growth))
    finally:
        cr.rollback()
        cr.close()
    print()
    for scenario, growth in failed:
        print(
            f"FAIL {scenario}: {growth} more queries for {args.sizes[-1]} jobs than for "
            f"{args.sizes[0]} (at most {args.max_growth} allowed)"
        )
    if failed:
        return 1
    print(f"OK: the query count grows by at most {args.max_growth} from the smallest size")
    return 0


def main(argv=None):
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
