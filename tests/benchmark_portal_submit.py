#!/usr/bin/env python3
"""Benchmark: a customer submits a portal draft of 1, 10 and 50 jobs (3 files each).

Not a test.  It runs on a database of its own: when ``--database`` (default
``pcr_bench_submit``) does not exist, the script creates it and installs
``print_change_request`` without demo data (a minute or two).  Everything it then creates is
in ONE cursor rolled back at the end, so the database is left as it was (PostgreSQL
sequences move on).

For each size it prepares, as the portal routes do, a customer's draft
(``print.order._create_portal_draft``), its jobs (``_add_portal_job``) and their files
(``print.job._add_files``, with the real preflight), then measures only what
``POST /my/print_orders/<id>/submit`` runs on a draft: the order's row lock, then
``_submit_portal_draft`` acting in sudo as the portal user, and the payment-step check; then
the flush and the pre-commit hooks (mail tracking, bus) the request's commit would run, like
Odoo's ``assertQueryCount``.  Queries are counted with the cursor's counter
(``cr.sql_log_count``) from an empty cache; times are the median of ``--repeat`` runs and
shown as ratios to the smallest size (absolute times depend on the machine).

Exit status 1 when the largest size needs more than ``--max-growth`` queries more than the
smallest.  ``--breakdown`` prints the SQL query shapes whose count changes with the size.

Example::

    python3 tests/benchmark_portal_submit.py --breakdown
"""

import argparse
import statistics
import subprocess
import sys
import time

import psycopg2
from benchmark_change_request import (
    SqlCapture,
    default_addons_path,
    open_registry,
    positive_ints,
    print_breakdown,
)
from benchmark_portal import make_pdf

from odoo import SUPERUSER_ID, Command, api


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        "-d",
        default="pcr_bench_submit",
        help="database to run on, created with the addon when missing (default: pcr_bench_submit)",
    )
    parser.add_argument("--addons-path", help="Odoo addons path (default: Odoo's and this repo)")
    parser.add_argument(
        "--sizes",
        type=positive_ints,
        default=[1, 10, 50],
        help="comma-separated numbers of jobs per order (default: 1,10,50)",
    )
    parser.add_argument("--files", type=int, default=3, help="files per job (default: 3)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (median time)")
    parser.add_argument(
        "--max-growth",
        type=int,
        default=5,
        help="most extra queries allowed for the largest size compared to the smallest "
        "(default: 5)",
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
    if args.files < 1 or args.repeat < 1:
        parser.error("--files and --repeat must be positive")
    return args


def database_exists(name):
    with psycopg2.connect(dbname="postgres") as conn, conn.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        return bool(cr.fetchone())


def create_database(name, addons_path):
    print(f"creating database {name} with print_change_request (no demo data)...", flush=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "odoo",
            f"--addons-path={addons_path}",
            f"--database={name}",
            "--init=print_change_request",
            "--without-demo=all",
            "--stop-after-init",
            "--no-http",
            "--max-cron-threads=0",
            "--log-level=warn",
        ],
        check=True,
    )


class Benchmark:
    def __init__(self, env, files):
        self.env = env
        self.files = files
        company = env.company
        self.media = env["product.product"].create(
            {"name": "Benchmark silk A3", "type": "service", "list_price": 0.9}
        )
        company.print_portal_media_ids = [Command.set(self.media.ids)]
        company.print_portal_pay_on_submit = True
        self.operator = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": "Benchmark operator",
                    "login": "pcr_bench_submit_operator",
                    "email": "operator@example.com",
                    "company_id": company.id,
                    "company_ids": [Command.set(company.ids)],
                    "groups_id": [
                        Command.set(env.ref("print_change_request.group_print_operator").ids)
                    ],
                }
            )
        )
        company.print_portal_user_id = self.operator
        self.pdfs = [make_pdf(f"benchmark page {number + 1}") for number in range(files)]
        self.counter = 0

    def _settle(self):
        self.env.flush_all()
        self.env.cr.flush()

    def prepare(self, jobs):
        """A portal customer's draft of ``jobs`` jobs of ``files`` PDFs, filled as the routes
        fill it; returns the draft (superuser env) and its portal user."""
        self.counter += 1
        env = self.env
        customer = env["res.partner"].create(
            {"name": f"Benchmark customer {self.counter}", "email": "customer@example.com"}
        )
        user = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": customer.name,
                    "login": f"pcr_bench_submit_customer_{self.counter}",
                    "partner_id": customer.id,
                    "groups_id": [Command.set(env.ref("base.group_portal").ids)],
                }
            )
        )
        draft = env["print.order"].with_user(user)._create_portal_draft(customer)
        draft = draft.with_user(user).sudo()
        self._settle()
        adds = []
        for index in range(jobs):
            # What POST .../jobs then POST .../jobs/<id>/files run (each its own request).
            env.invalidate_all()
            count0 = env.cr.sql_log_count
            start = time.perf_counter()
            job = draft._add_portal_job(
                f"Job {index + 1}", {"product_id": str(self.media.id), "copies": "10"}
            )
            job._add_files(
                [
                    (f"job{index + 1}-file{number + 1}.pdf", pdf)
                    for number, pdf in enumerate(self.pdfs)
                ],
                author=customer,
            )
            self._settle()
            adds.append((env.cr.sql_log_count - count0, time.perf_counter() - start))
        self.last_adds = adds
        return draft.with_env(env), user

    def submit(self, draft, user):
        """What the submit route runs on a draft (controllers/portal.py)."""
        order_sudo = draft.with_user(user).sudo()
        order_sudo._lock_for_update()
        order_sudo.invalidate_recordset()
        order_sudo._submit_portal_draft(author=user.partner_id)
        return order_sudo._is_paid_at_portal_submission()

    def measure(self, jobs, capture=None):
        draft, user = self.prepare(jobs)
        cr = self.env.cr
        self.env.invalidate_all()
        count0 = cr.sql_log_count
        start = time.perf_counter()
        if capture is not None:
            with capture:
                pays = self.submit(draft, user)
                self._settle()
        else:
            pays = self.submit(draft, user)
            self._settle()
        elapsed = time.perf_counter() - start
        queries = cr.sql_log_count - count0
        draft.invalidate_recordset()
        if draft.portal_draft or draft.communication_state != "new" or not pays:
            raise RuntimeError(f"{draft.name} was not submitted as expected")
        if len(draft.job_ids) != jobs or len(draft.job_ids.attachment_ids) != jobs * self.files:
            raise RuntimeError(f"{draft.name} lost jobs or files")
        return queries, elapsed


def print_add_table(rows, files):
    print(f"\nfill the draft: add a job and its {files} files (before the submit, not in it)")
    header = f"{'jobs':>5} {'q/job mean':>11} {'q last job':>11} {'last job ms':>12} {'ratio':>7}"
    print(header)
    print("-" * len(header))
    base = rows[0]["add_last_time"]
    for row in rows:
        print(
            f"{row['jobs']:>5} {row['add_mean_queries']:>11.1f} {row['add_last_queries']:>11} "
            f"{row['add_last_time'] * 1000:>12.1f} {row['add_last_time'] / base:>6.2f}x"
        )


def print_table(rows, files):
    print(f"\nsubmit a portal draft ({files} files per job)")
    header = (
        f"{'jobs':>5} {'queries':>8} {'q/job':>7} {'median ms':>10} {'ratio':>7} "
        f"{'best ms':>8} {'ratio':>7}"
    )
    print(header)
    print("-" * len(header))
    base_median, base_best = rows[0]["median"], rows[0]["best"]
    for row in rows:
        counts = row["counts"]
        note = "" if len(set(counts)) == 1 else f"  (counts per run: {counts})"
        queries = max(counts)
        print(
            f"{row['jobs']:>5} {queries:>8} {queries / row['jobs']:>7.2f} "
            f"{row['median'] * 1000:>10.1f} {row['median'] / base_median:>6.2f}x "
            f"{row['best'] * 1000:>8.1f} {row['best'] / base_best:>6.2f}x{note}"
        )


def run(args):
    addons_path = args.addons_path or default_addons_path()
    if not database_exists(args.database):
        create_database(args.database, addons_path)
    registry = open_registry(args.database, addons_path)
    print(
        f"database {args.database}: {args.files} files per job, {args.repeat} run(s) per size; "
        "every change is rolled back"
    )
    cr = registry.cursor()
    try:
        bench = Benchmark(api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"}), args.files)
        bench.measure(args.sizes[0])  # warm the caches outside the figures
        rows, groups = [], {}
        for jobs in args.sizes:
            counts, times, adds = [], [], []
            for _run in range(args.repeat):
                queries, seconds = bench.measure(jobs)
                counts.append(queries)
                times.append(seconds)
                adds.append(bench.last_adds)
            rows.append(
                {
                    "jobs": jobs,
                    "counts": counts,
                    "median": statistics.median(times),
                    "best": min(times),
                    # Adding the draft's last job and its files: its cost should not grow
                    # with the jobs already there.
                    "add_last_queries": max(run[-1][0] for run in adds),
                    "add_mean_queries": statistics.mean(q for run in adds for q, _s in run),
                    "add_last_time": statistics.median(run[-1][1] for run in adds),
                }
            )
            if args.breakdown:
                capture = SqlCapture()
                bench.measure(jobs, capture=capture)
                groups[jobs] = capture.groups()
        print_table(rows, args.files)
        print_add_table(rows, args.files)
        if args.breakdown:
            print_breakdown("submit", args.sizes, groups, args.breakdown_top)
    finally:
        cr.rollback()
        cr.close()
    growth = max(rows[-1]["counts"]) - max(rows[0]["counts"])
    print()
    if growth > args.max_growth:
        print(
            f"FAIL submit: {growth} more queries for {args.sizes[-1]} jobs than for "
            f"{args.sizes[0]} (at most {args.max_growth} allowed)"
        )
        return 1
    print(
        f"OK: the query count grows by {growth} (at most {args.max_growth}) from the smallest size"
    )
    return 0


def main(argv=None):
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
