#!/usr/bin/env python3
"""Benchmark: the customer's portal order page and the submit of changes, over real HTTP, on
orders of 1, 10, 100 jobs, against Odoo's own ``/my/orders/<id>`` page of a sale order.

Not a test.  It WRITES COMMITTED DATA into the database it is given (customers, orders, a
sale order): use a throwaway database, e.g. one made with::

    odoo -d pcr_bench -i print_change_request,sale --without-demo=all --stop-after-init

For each size N (jobs per order, F files each) it prepares, in one committed transaction,
orders waiting for the customer (the request asks to change the first file of every job),
and for the submit the flagged files already replaced (as the customer does before
submitting).  It then starts an Odoo server (no workers) on a free port and measures, with
``requests``:

- ``page``: ``GET /my/print_orders/<id>?access_token=...`` (the e-mail's link: forms, files,
  history and the payment form);
- ``sale``: ``GET /my/orders/<id>?access_token=...`` for a sale order of N lines, when
  ``sale`` is installed (otherwise the table says so);
- ``submit``: ``POST /my/print_orders/<id>/submit`` (CSRF token read from the page), one
  order per run: N jobs become "Job is changed".

Query counts and server times are Odoo's own: the werkzeug line Odoo logs for each request
(``... 200 - <queries> <query time> <other time>``).  Times are medians of ``--repeat`` runs.
The database is vacuumed and analyzed once the data is committed. The table gives, for each
size, the page's time as a multiple of Odoo's sale page of as many lines, measured in the
same run (``page/sale``).

Exit status 1 when a measured query count of the largest size is more than ``--max-ratio``
times that of the smallest, or when the page of the largest size takes more than
``--max-sale-ratio`` times Odoo's sale page of as many lines.  Without ``sale`` installed the
second check cannot be made: exit status 2, unless ``--max-sale-ratio 0`` turns it off.

``--profile FILE`` also profiles (cProfile) one more render of the largest size's page, in
this process, on the same data, and writes the profile to FILE (read it with ``python -m
pstats FILE`` or snakeviz); it prints the 25 heaviest functions (cumulative time).
"""

import argparse
import cProfile
import io
import json
import pstats
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from benchmark_db import vacuum
from reportlab.pdfgen import canvas
from werkzeug.test import Client

import odoo
import odoo.http
from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.service import server
from odoo.tools import config

REPO_ROOT = Path(__file__).resolve().parent.parent
REASON_XMLID = "print_change_request.reason_missing_fonts"
LOG_LINE = re.compile(
    r'"(?P<method>GET|POST) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d+) - '
    r"(?P<queries>\d+) (?P<sql_time>[\d.]+) (?P<other_time>[\d.]+)"
)


def default_addons_path():
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
    parser.add_argument("--database", "-d", required=True, help="a THROWAWAY database")
    parser.add_argument("--addons-path", help="Odoo addons path (default: Odoo's and this repo)")
    parser.add_argument("--sizes", type=positive_ints, default=[1, 10, 100])
    parser.add_argument("--files", type=int, default=5, help="files per job (default: 5)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (median time)")
    parser.add_argument(
        "--max-ratio",
        type=float,
        default=2.0,
        help="most queries allowed for the largest size, as a multiple of the smallest's",
    )
    parser.add_argument(
        "--max-sale-ratio",
        type=float,
        default=1.5,
        help="longest time allowed for the page of the largest size, as a multiple of Odoo's "
        "/my/orders/<id> of as many lines measured in the same run (default: 1.5; 0: no check)",
    )
    parser.add_argument(
        "--data",
        metavar="FILE",
        help="keep the prepared orders' ids in FILE (JSON); when FILE exists, measure the "
        "orders it names again instead of preparing new ones (pages only: their changes are "
        "sent already)",
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="also profile one render of the largest size's page (cProfile) into FILE",
    )
    args = parser.parse_args(argv)
    if args.files < 1 or args.repeat < 1:
        parser.error("--files and --repeat must be positive")
    if args.max_sale_ratio < 0:
        parser.error("--max-sale-ratio must be 0 (no check) or more")
    return args


def make_pdf(text):
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(100, 750, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


# ------------------------------------------------------------
# Data (committed)
# ------------------------------------------------------------


def prepare(env, sizes, files, repeat):
    """Create the orders and sale orders to measure; return their ids and tokens by size."""
    stamp = int(time.time())
    pdf = make_pdf("benchmark")
    fixed = make_pdf("benchmark, fonts embedded")
    customer = env["res.partner"].create(
        {"name": f"Benchmark customer {stamp}", "email": "bench@example.com"}
    )
    operator = (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            {
                "name": f"Benchmark operator {stamp}",
                "login": f"pcr_bench_portal_{stamp}",
                "email": "pcr.bench.operator@example.com",
                "groups_id": [
                    Command.link(env.ref("print_change_request.group_print_operator").id)
                ],
            }
        )
    )
    paper = env["product.product"].create(
        {"name": "Benchmark paper", "type": "service", "list_price": 1.0}
    )
    reason = env.ref(REASON_XMLID)
    has_sale = "sale.order" in env
    data = {}
    for jobs in sizes:
        entry = {"page": [], "submit": [], "warmup": [], "sale": None}
        purposes = ["page"] + ["submit"] * repeat
        if jobs == min(sizes):
            purposes.append("warmup")  # one submit to warm the server's caches
        for purpose in purposes:
            order = env["print.order"].create({"partner_id": customer.id})
            env["print.job"].create(
                [
                    {
                        "order_id": order.id,
                        "name": f"Job {index + 1}",
                        "product_id": paper.id,
                        "attachment_ids": [
                            Command.create(
                                {"name": f"job{index + 1}-file{number + 1}.pdf", "raw": pdf}
                            )
                            for number in range(files)
                        ],
                    }
                    for index in range(jobs)
                ]
            )
            action = order.with_user(operator).action_request_change()
            wizard = (
                env[action["res_model"]].with_user(operator).with_context(**action["context"])
            ).create({})
            first_files = wizard.line_ids.filtered(
                lambda line: line.attachment_id in line.job_id.attachment_ids.sorted("id")[:1]
            )
            first_files.write({"to_change": True, "reason_id": reason.id})
            wizard.action_confirm()
            order._portal_ensure_token()
            if purpose in ("submit", "warmup"):
                request = order.change_request_ids
                for item in request.file_item_ids:
                    item.job_id._add_files(
                        [("fixed.pdf", fixed)],
                        replaces=item.attachment_id,
                        request=request,
                        author=customer,
                    )
            entry[purpose].append((order.id, order.access_token))
        if has_sale:
            sale = env["sale.order"].create(
                {
                    "partner_id": customer.id,
                    "order_line": [
                        Command.create({"product_id": paper.id, "name": f"Line {index + 1}"})
                        for index in range(jobs)
                    ],
                }
            )
            sale.action_confirm()
            entry["sale"] = (sale.id, sale._portal_ensure_token())
        data[jobs] = entry
    return data, has_sale


# ------------------------------------------------------------
# The server and its log
# ------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OdooServer:
    """An Odoo server (threaded, no workers) whose log we read for each request's figures."""

    def __init__(self, database, addons_path):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
        self.command = [
            sys.executable,
            "-m",
            "odoo",
            f"--addons-path={addons_path}",
            f"--database={database}",
            f"--db-filter=^{database}$",
            "--http-interface=127.0.0.1",
            f"--http-port={self.port}",
            "--workers=0",
            "--max-cron-threads=0",
            "--log-level=info",
        ]
        self.process = None
        self.offset = 0

    def __enter__(self):
        self.process = subprocess.Popen(self.command, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                # The first request builds the assets: slow on a busy machine.
                requests.get(f"{self.url}/web/login", timeout=60)
                return self
            except requests.RequestException:
                time.sleep(0.5)
        self.__exit__(None, None, None)  # not left running behind us
        raise RuntimeError(f"Odoo did not start; see {self.log.name}")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)
        return False

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def figures(self, method, path):
        """(queries, server seconds) of the last logged request ``method path``."""
        deadline = time.time() + 10
        while time.time() < deadline:
            self.log.flush()
            with open(self.log.name, encoding="utf-8", errors="replace") as log:
                log.seek(self.offset)
                text = log.read()
            for match in LOG_LINE.finditer(text):
                if match["method"] == method and match["path"].split("?")[0] == path:
                    self.offset += match.end()
                    return (
                        int(match["queries"]),
                        float(match["sql_time"]) + float(match["other_time"]),
                    )
            time.sleep(0.05)
        raise RuntimeError(f"no log line for {method} {path}; see {self.log.name}")


# ------------------------------------------------------------
# Measures
# ------------------------------------------------------------


def get(srv, session, path, token):
    response = session.get(f"{srv.url}{path}", params={"access_token": token}, timeout=120)
    response.raise_for_status()
    return response, srv.figures("GET", path)


def submit(srv, session, order_id, token):
    """Send the (prepared) changes of an order as the customer does; return its figures."""
    response, _figures = get(srv, session, f"/my/print_orders/{order_id}", token)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', response.text).group(1)
    path = f"/my/print_orders/{order_id}/submit"
    response = session.post(
        f"{srv.url}{path}",
        params={"access_token": token},
        data={"csrf_token": csrf, "message": "benchmark"},
        allow_redirects=False,
        timeout=300,
    )
    if response.status_code != 303:
        raise RuntimeError(f"submit refused ({response.status_code}) for order {order_id}")
    return srv.figures("POST", path)


def measure(srv, data, has_sale, repeat):
    rows = []
    session = requests.Session()
    # Warm the server's caches (templates, assets, ormcache) outside the figures.
    first = data[min(data)]
    get(srv, session, f"/my/print_orders/{first['page'][0][0]}", first["page"][0][1])
    if has_sale:
        get(srv, session, f"/my/orders/{first['sale'][0]}", first["sale"][1])
    if first["warmup"]:
        submit(srv, session, *first["warmup"][0])
    for jobs, entry in data.items():
        row = {"jobs": jobs}
        order_id, token = entry["page"][0]
        runs = [get(srv, session, f"/my/print_orders/{order_id}", token)[1] for _ in range(repeat)]
        row["page_queries"] = max(queries for queries, _seconds in runs)
        row["page_time"] = statistics.median(seconds for _queries, seconds in runs)
        if has_sale:
            sale_id, sale_token = entry["sale"]
            runs = [
                get(srv, session, f"/my/orders/{sale_id}", sale_token)[1] for _ in range(repeat)
            ]
            row["sale_queries"] = max(queries for queries, _seconds in runs)
            row["sale_time"] = statistics.median(seconds for _queries, seconds in runs)
        runs = [submit(srv, session, order_id, token) for order_id, token in entry["submit"]]
        row["submit_queries"] = max((queries for queries, _seconds in runs), default=0)
        row["submit_time"] = statistics.median([seconds for _queries, seconds in runs] or [0])
        rows.append(row)
    return rows


def sale_ratio(row):
    """The page's time as a multiple of Odoo's sale page of as many lines."""
    return row["page_time"] / row["sale_time"] if row["sale_time"] else float("inf")


def print_table(rows, files, has_sale):
    print(f"\nportal order page and submit, {files} files per job (times: median, server side)")
    header = f"{'jobs':>5} | {'page q':>6} {'page ms':>8}"
    if has_sale:
        header += f" | {'sale q':>6} {'sale ms':>8} {'page/sale':>9}"
    header += f" | {'submit q':>8} {'submit ms':>9}"
    print(header)
    for row in rows:
        line = f"{row['jobs']:>5} | {row['page_queries']:>6} {row['page_time'] * 1000:>8.1f}"
        if has_sale:
            line += (
                f" | {row['sale_queries']:>6} {row['sale_time'] * 1000:>8.1f}"
                f" {sale_ratio(row):>8.2f}x"
            )
        line += f" | {row['submit_queries']:>8} {row['submit_time'] * 1000:>9.1f}"
        print(line)
    if not has_sale:
        print("(sale is not installed in this database: no comparison with /my/orders/<id>)")


def profile_page(order_id, token, path):
    """Render the order page once more in this process (Odoo's WSGI application, no server)
    under cProfile; write the profile to ``path`` and print its heaviest functions."""
    client = Client(odoo.http.root)
    url = f"/my/print_orders/{order_id}"
    for _warm in range(2):  # templates, assets, ormcache
        response = client.get(url, query_string={"access_token": token})
        if response.status_code != 200:
            raise RuntimeError(f"profile: GET {url} answered {response.status_code}")
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url, query_string={"access_token": token})
    profiler.disable()
    profiler.dump_stats(path)
    print(f"\nprofile of one render of {url} written to {path}; heaviest (cumulative):")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(25)


def load_data(path, sizes):
    """The orders a former run prepared (``--data``), for their pages only."""
    saved = json.loads(Path(path).read_text(encoding="utf-8"))
    data = {}
    for jobs in sizes:
        entry = saved["sizes"].get(str(jobs))
        if entry is None:
            raise SystemExit(f"{path} has no orders of {jobs} jobs: prepare them anew")
        data[jobs] = {**entry, "submit": [], "warmup": []}
    return data, saved["has_sale"]


def run(args):
    addons_path = args.addons_path or default_addons_path()
    config.parse_config(
        [
            f"--addons-path={addons_path}",
            f"--database={args.database}",
            f"--db-filter=^{args.database}$",
            "--log-level=warn",
        ]
    )
    server.load_server_wide_modules()
    if args.data and Path(args.data).exists():
        data, has_sale = load_data(args.data, args.sizes)
        print(f"database {args.database}: measuring the orders of {args.data} again")
    else:
        registry = Registry(args.database)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"})
            data, has_sale = prepare(env, args.sizes, args.files, args.repeat)
            cr.commit()
        vacuum(args.database)
        if args.data:
            Path(args.data).write_text(
                json.dumps({"has_sale": has_sale, "sizes": data}), encoding="utf-8"
            )
        print(f"database {args.database}: data prepared and committed; starting Odoo")
    with OdooServer(args.database, addons_path) as srv:
        rows = measure(srv, data, has_sale, args.repeat)
    print_table(rows, args.files, has_sale)
    if args.profile:
        profile_page(*data[args.sizes[-1]]["page"][0], args.profile)
    failed = []
    for key in ("page_queries", "submit_queries"):
        smallest, largest = rows[0][key], rows[-1][key]
        if not smallest:
            continue  # not measured (--data)
        if largest > args.max_ratio * smallest:
            failed.append(
                f"{key}: {largest} for {rows[-1]['jobs']} jobs > {args.max_ratio} x {smallest}"
            )
    largest = rows[-1]
    if args.max_sale_ratio and has_sale and sale_ratio(largest) > args.max_sale_ratio:
        failed.append(
            f"page/sale: the page of {largest['jobs']} jobs takes {sale_ratio(largest):.2f}x "
            f"Odoo's sale page of {largest['jobs']} lines > {args.max_sale_ratio}x"
        )
    for line in failed:
        print(f"FAIL {line}")
    if failed:
        return 1
    print(
        f"OK: queries at {args.sizes[-1]} jobs are at most {args.max_ratio}x "
        f"those at {args.sizes[0]}"
    )
    if not args.max_sale_ratio:
        return 0
    if not has_sale:
        print(
            "NOT CHECKED: page/sale needs sale installed in the database "
            "(or --max-sale-ratio 0 to skip the check)"
        )
        return 2
    print(
        f"OK: the page of {largest['jobs']} jobs takes {sale_ratio(largest):.2f}x Odoo's sale "
        f"page of as many lines (at most {args.max_sale_ratio}x)"
    )
    return 0


def main(argv=None):
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
