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
Exit status 1 when a measured query count of the largest size is more than ``--max-ratio``
times that of the smallest.
"""

import argparse
import io
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from reportlab.pdfgen import canvas

import odoo
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
    args = parser.parse_args(argv)
    if args.files < 1 or args.repeat < 1:
        parser.error("--files and --repeat must be positive")
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
                requests.get(f"{self.url}/web/login", timeout=5)
                return self
            except requests.ConnectionError:
                time.sleep(0.5)
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
        row["submit_queries"] = max(queries for queries, _seconds in runs)
        row["submit_time"] = statistics.median(seconds for _queries, seconds in runs)
        rows.append(row)
    return rows


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
            ratio = row["page_time"] / row["sale_time"] if row["sale_time"] else float("nan")
            line += f" | {row['sale_queries']:>6} {row['sale_time'] * 1000:>8.1f} {ratio:>8.2f}x"
        line += f" | {row['submit_queries']:>8} {row['submit_time'] * 1000:>9.1f}"
        print(line)
    if not has_sale:
        print("(sale is not installed in this database: no comparison with /my/orders/<id>)")


def run(args):
    addons_path = args.addons_path or default_addons_path()
    config.parse_config(
        [f"--addons-path={addons_path}", f"--database={args.database}", "--log-level=warn"]
    )
    server.load_server_wide_modules()
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"})
        data, has_sale = prepare(env, args.sizes, args.files, args.repeat)
        cr.commit()
    print(f"database {args.database}: data prepared and committed; starting Odoo")
    with OdooServer(args.database, addons_path) as srv:
        rows = measure(srv, data, has_sale, args.repeat)
    print_table(rows, args.files, has_sale)
    failed = []
    for key in ("page_queries", "submit_queries"):
        smallest, largest = rows[0][key], rows[-1][key]
        if largest > args.max_ratio * smallest:
            failed.append(
                f"{key}: {largest} for {rows[-1]['jobs']} jobs > {args.max_ratio} x {smallest}"
            )
    for line in failed:
        print(f"FAIL {line}")
    if failed:
        return 1
    print(
        f"OK: queries at {args.sizes[-1]} jobs are at most {args.max_ratio}x "
        f"those at {args.sizes[0]}"
    )
    return 0


def main(argv=None):
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
