#!/usr/bin/env python3
"""Benchmark: while one customer's hostile PDFs wait for the background preflight, how long
until the next customer's honest file is checked, with the cron run as Odoo runs it (a
prefork server, its cron worker and its watchdog), and whether any run overran.

Not a test.  It WRITES COMMITTED DATA into the database it is given (customers, orders,
jobs, files): use a throwaway database with the addon installed, e.g.::

    createdb -T pcr_tpl pcr_flood   # or: odoo -d pcr_flood -i print_change_request
    python3 tests/benchmark_preflight_flood.py -d pcr_flood --hostile 12 --runs 3

Each run, with fresh customers and contents nobody checked yet:

1. customer A's ``--hostile`` distinct hostile PDFs (``indexed_color_chain_pdf``: about 64 KB,
   millions of color operators; each takes longer than the background allows) are stored
   in three jobs (three uploads), left to the background as big files are;
2. an Odoo server starts with ``--workers=2 --max-cron-threads=1`` and the watchdog's
   ``--limit-time-real`` (120 s), and the preflight cron is triggered;
3. once the cron works on A's files, customer B's honest file (a PDF of ``--honest-pages``
   pages) is stored: the figure is the time until B's job is checked (not pending);
4. the server runs ``--observe`` seconds more; its log tells whether Odoo's watchdog killed
   the cron worker (``WorkerCron (...) timeout``) and how far into its cron pass each
   preflight run ended (the addon's ``Preflight run: ...`` line) against its budget.

The server's log of each run is kept (its path is printed).  Times are medians over the
runs.  Exit status 1 when a cron worker was killed, a run ended past its budget, or B waited
more than ``--max-wait`` seconds.
"""

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmark_db import vacuum
from benchmark_portal import default_addons_path, free_port

from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.service import server
from odoo.tools import config

REPO_ROOT = Path(__file__).resolve().parent.parent
ADDON = REPO_ROOT / "print_change_request"
RUN_LINE = re.compile(
    r"Preflight run: (?P<done>\d+) files read, (?P<waiting>\d+) waiting; "
    r"(?P<used>[\d.]+) s into the cron pass \(budget (?P<budget>[\d.]+) s"
)
KILL_LINE = re.compile(r"WorkerCron \(\d+\) timeout after")
CRON_XMLID = "print_change_request.ir_cron_preflight"
PARAM = "print_change_request.preflight_"


def load_samples():
    import importlib.util  # noqa: PLC0415

    spec = importlib.util.spec_from_file_location(
        "pcr_preflight_samples", ADDON / "tests" / "preflight_samples.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", "-d", required=True, help="a THROWAWAY database")
    parser.add_argument("--addons-path", help="Odoo addons path (default: Odoo's and this repo)")
    parser.add_argument("--hostile", type=int, default=12, help="A's hostile PDFs (12)")
    parser.add_argument("--honest-pages", type=int, default=50, help="pages of B's PDF (50)")
    parser.add_argument("--runs", type=int, default=3, help="runs (median; 3)")
    parser.add_argument("--limit-time-real", type=int, default=120, help="watchdog (120 s)")
    parser.add_argument("--observe", type=float, default=120, help="seconds after B (120)")
    parser.add_argument("--max-wait", type=float, default=90, help="B's wait allowed (90 s)")
    return parser.parse_args(argv)


def env_of(cr):
    return api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"})


def prepare(registry, samples, run, hostile):
    """Customer A's flood, committed and left to the background; returns A's and B's
    partner ids and B's PDF maker."""
    with registry.cursor() as cr:
        env = env_of(cr)
        params = env["ir.config_parameter"]
        # Stored as big files are: nothing read at upload (the foreground is not measured).
        params.set_param(PARAM + "sync_max_mb", "0.001")
        paper = env["product.product"].search([("print_media_width_mm", ">", 0)], limit=1)
        stamp = f"{run}-{time.time():.0f}"
        flood = env["res.partner"].create({"name": f"Flood customer {stamp}"})
        honest = env["res.partner"].create({"name": f"Honest customer {stamp}"})
        order = env["print.order"].create({"partner_id": flood.id})
        per_upload = -(-hostile // 3)
        hostile_pdf = samples.indexed_color_chain_pdf()
        for upload in range(3):
            numbers = range(upload * per_upload, min(hostile, (upload + 1) * per_upload))
            env["print.job"].create(
                {
                    "order_id": order.id,
                    "name": f"Flood {upload + 1}",
                    "product_id": paper.id or False,
                    "attachment_ids": [
                        Command.create(
                            {
                                "name": f"chain-{number}.pdf",
                                # A comment after the end makes each content distinct.
                                "raw": hostile_pdf
                                + f"\n% run {run} file {number} {stamp}\n".encode(),
                            }
                        )
                        for number in numbers
                    ],
                }
            )
        params.set_param(PARAM + "sync_max_mb", "64")
        env["ir.cron.trigger"].search([("cron_id", "=", env.ref(CRON_XMLID).id)]).unlink()
        cr.commit()
        return flood.id, honest.id, paper.id


def clean_up(registry, partner_ids):
    """Take the run's jobs off the queue (its flood does not wait in the next run)."""
    with registry.cursor() as cr:
        cr.execute(
            """
            UPDATE print_job SET preflight_state = NULL
             WHERE preflight_state = 'pending'
               AND order_id IN (SELECT id FROM print_order WHERE partner_id = ANY(%s))
            """,
            [partner_ids],
        )


class OdooWorkers:
    """An Odoo prefork server: 2 HTTP workers, 1 cron worker, the given watchdog."""

    def __init__(self, database, addons_path, limit):
        self.log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
        self.command = [
            sys.executable,
            "-m",
            "odoo",
            f"--addons-path={addons_path}",
            f"--database={database}",
            f"--db-filter=^{database}$",
            "--http-interface=127.0.0.1",
            f"--http-port={free_port()}",
            f"--gevent-port={free_port()}",
            "--workers=2",
            "--max-cron-threads=1",
            f"--limit-time-real={limit}",
            "--limit-time-cpu=600",
            "--log-level=info",
        ]
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(self.command, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while time.time() < deadline:
            if "WorkerCron" in self.text():
                return self
            time.sleep(0.5)
        self.__exit__()
        raise RuntimeError(f"Odoo's cron worker did not start; see {self.log.name}")

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return False

    def text(self):
        self.log.flush()
        return Path(self.log.name).read_text(encoding="utf-8", errors="replace")


def trigger(registry):
    with registry.cursor() as cr:
        env_of(cr).ref(CRON_XMLID)._trigger()  # commits and wakes the cron worker


def flood_started(registry, flood_id):
    with registry.cursor() as cr:
        cr.execute(
            """
            SELECT 1 FROM print_preflight_scan scan
              JOIN ir_attachment att ON att.checksum = scan.checksum
              JOIN print_job_attachment_rel rel ON rel.attachment_id = att.id
              JOIN print_job job ON job.id = rel.job_id
              JOIN print_order o ON o.id = job.order_id
             WHERE o.partner_id = %s AND scan.started_on IS NOT NULL
             LIMIT 1
            """,
            [flood_id],
        )
        return bool(cr.fetchone())


def add_honest_file(registry, samples, honest_id, paper_id, pages):
    with registry.cursor() as cr:
        env = env_of(cr)
        params = env["ir.config_parameter"]
        params.set_param(PARAM + "sync_max_mb", "0.001")  # to the background, as a big file
        order = env["print.order"].create({"partner_id": honest_id})
        job = env["print.job"].create(
            {
                "order_id": order.id,
                "name": "Brochure",
                "product_id": paper_id or False,
                "attachment_ids": [
                    Command.create({"name": "brochure.pdf", "raw": samples.many_pages_pdf(pages)})
                ],
            }
        )
        params.set_param(PARAM + "sync_max_mb", "64")
        state = job.preflight_state
        cr.commit()  # the job's trigger wakes the cron worker
        return job.id, state


def job_state(registry, job_id):
    with registry.cursor() as cr:
        cr.execute("SELECT preflight_state FROM print_job WHERE id = %s", [job_id])
        return cr.fetchone()[0]


def one_run(args, registry, samples, addons_path, run):
    flood_id, honest_id, paper_id = prepare(registry, samples, run, args.hostile)
    vacuum(args.database)
    with OdooWorkers(args.database, addons_path, args.limit_time_real) as srv:
        trigger(registry)
        deadline = time.time() + 180
        while not flood_started(registry, flood_id):
            if time.time() > deadline:
                raise RuntimeError(f"the cron did not start on the flood; see {srv.log.name}")
            time.sleep(0.5)
        time.sleep(2)  # well into A's first hostile file
        started = time.monotonic()
        job_id, state = add_honest_file(registry, samples, honest_id, paper_id, args.honest_pages)
        if state != "pending":
            raise RuntimeError(f"B's file was checked at once ({state}): not a background case")
        wait = None
        deadline = started + max(args.max_wait * 3, 300)
        while time.monotonic() < deadline:
            if job_state(registry, job_id) != "pending":
                wait = time.monotonic() - started
                break
            time.sleep(0.25)
        time.sleep(args.observe)
        text = srv.text()
    clean_up(registry, [flood_id, honest_id])
    runs = [match.groupdict() for match in RUN_LINE.finditer(text)]
    return {
        "wait": wait,
        "kills": len(KILL_LINE.findall(text)),
        "runs": len(runs),
        "files": sum(int(entry["done"]) for entry in runs),
        "max_used": max((float(entry["used"]) for entry in runs), default=0.0),
        "budget": float(runs[0]["budget"]) if runs else 0.0,
        "over": sum(float(entry["used"]) > float(entry["budget"]) for entry in runs),
        "log": srv.log.name,
    }


def main(argv=None):
    args = parse_args(argv)
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
    registry = Registry(args.database)
    samples = load_samples()
    print(
        f"{args.hostile} hostile PDFs of customer A, then B's {args.honest_pages}-page PDF; "
        f"--workers=2, --limit-time-real={args.limit_time_real}",
        flush=True,
    )
    print(
        f"{'run':>3} {'B waited s':>10} {'kills':>5} {'runs':>5} {'files':>5} "
        f"{'longest run s':>13} {'budget s':>8} {'over':>4}  log"
    )
    results = []
    for run in range(1, args.runs + 1):
        result = one_run(args, registry, samples, addons_path, run)
        results.append(result)
        wait = f"{result['wait']:.1f}" if result["wait"] is not None else "never"
        print(
            f"{run:>3} {wait:>10} {result['kills']:>5} {result['runs']:>5} "
            f"{result['files']:>5} {result['max_used']:>13.1f} {result['budget']:>8.1f} "
            f"{result['over']:>4}  {result['log']}",
            flush=True,
        )
    waits = [result["wait"] for result in results if result["wait"] is not None]
    if waits:
        print(f"median wait of B: {statistics.median(waits):.1f} s (max {max(waits):.1f} s)")
    failed = []
    if len(waits) < len(results) or (waits and max(waits) > args.max_wait):
        failed.append(f"B waited longer than {args.max_wait} s")
    if any(result["kills"] for result in results):
        failed.append("Odoo's watchdog killed the cron worker")
    if any(result["over"] for result in results):
        failed.append("a run ended past its budget")
    for line in failed:
        print(f"FAIL {line}")
    if not failed:
        print("OK: no cron worker killed, every run within its budget")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
