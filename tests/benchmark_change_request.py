#!/usr/bin/env python3
"""Benchmark: the cost of a request for change on orders with 1, 10, 100... jobs.

Not a test: it runs against a live database with the ``print_change_request`` addon
installed, in ONE cursor that is rolled back at the end: the database is left unchanged,
except that PostgreSQL sequences (record ids, the "standard" order/request numbers) move on,
as after any rolled-back transaction.  The ``wait`` scenario is the exception: it COMMITS
(see below), so run it on a throwaway database, e.g. one made with::

    odoo -d pcr_bench -i print_change_request,sale,payment_demo --without-demo=all \
        --stop-after-init

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

- ``wait``: the whole wait of the operator on an unpaid order, as the web client asks for
  it, each call its own request (empty cache, flush at the end): *open* (the button's
  ``action_request_change``, then the dialog's ``web_read`` when the action opens a saved
  dialog, or its ``onchange`` with every default line when it opens a new one), *save*
  (``web_save`` of every line ticked with a reason: a saved dialog's changed lines, a new
  one's every line; its read-back included) and *OK* (``action_confirm``).  Beside it,
  when the ``sale`` module is installed in the database, Odoo's own *sale order
  confirmation* (``action_confirm`` with the confirmation e-mail, which lists the lines,
  without its PDF) on orders of as many lines as the sizes' jobs, for scale.  Each of these
  requests, and the set-up before them, is committed, as the web client's requests are: in
  one transaction, PostgreSQL would check again every foreign key of each row updated that
  the same transaction inserted (the dialog's lines saved after being created, the jobs'
  states after the jobs), which no real request does, and the figures of the larger
  orders would grow with those checks.  Before each run the database is vacuumed and
  analyzed, as PostgreSQL's autovacuum keeps a live database (the runs leave thousands of
  dead rows), then warmed up by a 1-job wait that is not measured.  The sizes take turns
  (1, 10, 100 jobs, then again), so that the machine's speed, which drifts over a run,
  weighs on every size alike.

The script exits with status 1 when, in any scenario, the query count of the largest size
exceeds the smallest size's by more than ``--max-growth`` queries, or when the whole wait
(best run) of the largest size exceeds ``--max-wait-ratio`` times the smallest size's.
``--breakdown`` prints, per scenario, the SQL queries (grouped by normalized text) whose
count differs across sizes.

``--orders N`` measures the screens instead, at scale: it generates N print orders (with
their jobs, and a request for change on the orders waiting for the customer) and N contacts
in bulk SQL, runs ANALYZE, then times, as the operator and from an empty cache, what the web
client asks for: the orders list (default filter and order, 80 rows and the count), the
orders kanban (grouped by state, 40 cards a column) and, beside them in the same run, Odoo's
own contacts list at the same size.  Times are medians of ``--repeat`` runs; the ratios to
the contacts list are printed, and the script exits with status 1 when one exceeds
``--max-ratio``.

Example::

    python3 tests/benchmark_change_request.py --database pcr_bench --breakdown
    python3 tests/benchmark_change_request.py --database pcr_bench --orders 100000 --repeat 9
"""

import argparse
import html
import logging
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from benchmark_db import vacuum
from lxml import etree

import odoo
from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.osv import expression
from odoo.service import server
from odoo.tools import config
from odoo.tools.safe_eval import safe_eval

REPO_ROOT = Path(__file__).resolve().parent.parent
PDF_BYTES = b"%PDF-1.4\n% benchmark file\n%%EOF\n"
REASON_XMLID = "print_change_request.reason_missing_fonts"
OPERATOR_GROUP_XMLID = "print_change_request.group_print_operator"
SCENARIOS = ("unpaid", "paid/manual", "wait")
#: The stages of the "wait" scenario, each one request of the web client.
WAIT_STAGES = ("open", "save", "OK")


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
        "--max-wait-ratio",
        type=float,
        default=2.0,
        help="most time allowed for the whole wait (open, save, OK) of the largest size, as a "
        "multiple of the smallest size's, best runs (default: 2.0)",
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
    parser.add_argument(
        "--orders",
        type=int,
        default=0,
        help="generate this many orders and contacts, and time the orders list and kanban "
        "beside Odoo's contacts list instead of the request for change",
    )
    parser.add_argument(
        "--max-ratio",
        type=float,
        default=1.5,
        help="with --orders: most time allowed for a screen, as a multiple of the contacts "
        "list's (default: 1.5)",
    )
    args = parser.parse_args(argv)
    args.scenarios = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    if args.files < 1 or args.repeat < 1 or args.orders < 0:
        parser.error("--files and --repeat must be positive, --orders not negative")
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
        # Found again on a database where the ``wait`` scenario committed them.
        self.operator = env["res.users"].search([("login", "=", "pcr_benchmark_operator")]) or env[
            "res.users"
        ].with_context(no_reset_password=True).create(
            {
                "name": "Benchmark Operator",
                "login": "pcr_benchmark_operator",
                "email": "pcr.benchmark.operator@example.com",
                "company_id": company.id,
                "company_ids": [Command.set(company.ids)],
                "groups_id": [Command.set(env.ref(OPERATOR_GROUP_XMLID).ids)],
            }
        )
        self.env = env(user=self.operator.id, context=dict(self.operator.context_get()), su=False)
        payment_method = env.ref("payment.payment_method_unknown")
        self.provider = env["payment.provider"].search(
            [("name", "=", "Benchmark provider"), ("code", "=", "none")], limit=1
        ) or env["payment.provider"].create(
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
        #: Whether set-up and measured requests commit (the ``wait`` scenario).
        self.commit = False
        self._settle()

    def _settle(self):
        """Run what a commit would run (flush, mail tracking) so that it is not measured;
        commit when the scenario commits."""
        self.env.flush_all()
        self.env.cr.flush()
        if self.commit:
            self.env.cr.commit()

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
        # What the request's commit runs: deferred writes, then mail tracking (and the
        # commit itself, when the scenario commits).
        self.env.flush_all()
        self.env.cr.flush()
        if self.commit:
            self.env.cr.commit()
        return result

    def _check_done(self, order, scenario):
        order = order.with_env(self.su_env)
        order.invalidate_recordset()
        if order.communication_state != "change_requested":
            raise RuntimeError(f"{order.name} is {order.communication_state} after the request")
        if scenario == "paid/manual" and not order.refund_ids:
            raise RuntimeError(f"{order.name} has no refund after the paid request")

    # -- the whole wait (scenario "wait"), as the web client asks for it -----------------

    def _request(self, stages, stage, call):
        """One request of the web client: from an empty cache, the call, then what its
        commit would run; its (queries, seconds) go to ``stages[stage]``."""
        env = self.env
        cr = env.cr
        env.invalidate_all()
        count0 = cr.sql_log_count
        start = time.perf_counter()
        result = self._run(call)
        stages[stage] = (cr.sql_log_count - count0, time.perf_counter() - start)
        return result

    def measure_wait(self, jobs, tag, capture=None):
        """{stage: (queries, seconds)} of the operator's whole wait on a fresh unpaid order:
        open the dialog (the button, then the form's onchange with its default lines), save
        it with every line ticked (``web_save``), OK (``action_confirm``)."""
        order = self.create_order(jobs, tag)
        spec = form_specification(self.env, "print.change.request.wizard")
        stages = {}
        state = {}

        ticked = {"to_change": True, "reason_id": self.reason.id, "note": "Embed the fonts"}

        def open_dialog():
            action = self.env["print.order"].browse(order.id).action_request_change()
            wizard_model = self.env[action["res_model"]].with_context(**action["context"])
            state["model"] = wizard_model
            if action.get("res_id"):  # a saved dialog: the web client reads it
                state["wizard"] = wizard_model.browse(action["res_id"])
                state["value"] = state["wizard"].web_read(spec)[0]
            else:  # a new one: its default values, lines included, by an onchange
                state["wizard"] = wizard_model
                state["value"] = wizard_model.onchange({}, [], spec)["value"]

        def save():
            # What the web client sends: a new dialog's every line, a saved one's changes.
            if state["wizard"]:
                commands = [[Command.UPDATE, line_id, ticked] for line_id in state["line_ids"]]
            else:
                commands = [
                    [
                        Command.CREATE,
                        virtual_id,
                        {
                            "job_id": values["job_id"]["id"],
                            "attachment_id": values["attachment_id"]["id"],
                            "file_name": values["file_name"],
                            **ticked,
                        },
                    ]
                    for _command, virtual_id, values in state["value"]["line_ids"]
                ]
            if len(commands) != jobs * self.files:
                raise RuntimeError(f"{len(commands)} lines in the dialog, not {jobs * self.files}")
            vals = {"line_ids": commands}
            if not state["wizard"]:
                vals.update(ticket_job_ids=[], ticket_note=False)
            wizard = state["wizard"]  # with the action's context, as the web client sends it
            state["wizard_id"] = wizard.web_save(vals, spec)[0]["id"]

        def confirm():
            state["model"].browse(state["wizard_id"]).action_confirm()

        with capture if capture is not None else _no_capture():
            self._request(stages, "open", open_dialog)
            # The ids of every line, which the web client has as it pages through them.
            state["line_ids"] = state["wizard"].with_env(self.su_env).line_ids.ids
            self._request(stages, "save", save)
            self._request(stages, "OK", confirm)
        self._check_done(order, "wait")
        return stages

    # -- Odoo's own equivalent: a sale order's confirmation, with its e-mail -------------

    def sale_available(self):
        module = self.su_env["ir.module.module"].search([("name", "=", "sale")])
        return module.state == "installed"

    def measure_sale(self, lines, tag):
        """(queries, seconds) of a salesman confirming a quotation of ``lines`` lines with
        the confirmation e-mail (which lists the lines), as the portal's signature does."""
        su_env = self.su_env
        if "salesman" not in self.__dict__:
            self.salesman = su_env["res.users"].search(
                [("login", "=", "pcr_benchmark_salesman")]
            ) or su_env["res.users"].with_context(no_reset_password=True).create(
                {
                    "name": "Benchmark Salesman",
                    "login": "pcr_benchmark_salesman",
                    "email": "pcr.benchmark.salesman@example.com",
                    "groups_id": [Command.set(su_env.ref("sales_team.group_sale_salesman").ids)],
                }
            )
            # No PDF of the order (no wkhtmltopdf needed): the e-mail's body is compared.
            su_env.ref("sale.mail_template_sale_confirmation").report_template_ids = False
            self.product = su_env["product.product"].search(
                [("name", "=", "Benchmark flyer")], limit=1
            ) or su_env["product.product"].create(
                {"name": "Benchmark flyer", "type": "consu", "list_price": 10.0}
            )
        partner = su_env["res.partner"].create(
            {"name": f"Benchmark buyer {tag}", "email": f"buyer.{tag}@example.com"}
        )
        env = su_env(user=self.salesman.id, context=dict(self.salesman.context_get()), su=False)
        order = env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.product.id, "product_uom_qty": 1, "price_unit": 10.0}
                    )
                    for _index in range(lines)
                ],
            }
        )
        self._settle()
        stages = {}
        env.invalidate_all()
        count0 = env.cr.sql_log_count
        start = time.perf_counter()
        order.with_context(send_email=True).action_confirm()
        env.flush_all()
        env.cr.flush()
        if self.commit:
            env.cr.commit()
        stages["OK"] = (env.cr.sql_log_count - count0, time.perf_counter() - start)
        if order.state != "sale":
            raise RuntimeError(f"{order.name} is {order.state} after its confirmation")
        return stages["OK"]


class _no_capture:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def form_specification(env, model, limit=40):
    """The fields the web client asks for to show ``model``'s default form view (as its
    ``getFieldsSpec``): a visible many2one's display name, an x2many's list fields
    (``limit`` rows) or tags' display names, only ids for an always invisible one."""
    arch = env[model].get_views([(False, "form")])["views"]["form"]["arch"]
    return _node_specification(env, env[model], etree.fromstring(arch), limit)


def _node_specification(env, records, node, limit):
    spec = {}
    for child in node:
        if child.tag != "field":
            spec.update(_node_specification(env, records, child, limit))
            continue
        field = records._fields[child.get("name")]
        invisible = child.get("invisible") in ("1", "True")
        subview = next((sub for sub in child if sub.tag in ("list", "kanban")), None)
        spec[field.name] = {}
        if field.type == "many2one":
            spec[field.name] = {"fields": {} if invisible else {"display_name": {}}}
        elif field.type in ("one2many", "many2many") and not invisible:
            if subview is not None:
                comodel = env[field.comodel_name]
                spec[field.name] = {
                    "fields": _node_specification(env, comodel, subview, limit),
                    "limit": int(subview.get("limit") or limit),
                }
            elif child.get("widget") == "many2many_tags":
                spec[field.name] = {"fields": {"display_name": {}}}
    return spec


# ------------------------------------------------------------
# Screens at scale (--orders N)
# ------------------------------------------------------------

#: Communication states of the generated orders, in proportion (out of 20).
ORDER_STATE_MIX = (
    ("new", 4),
    ("change_requested", 3),
    ("changed", 2),
    ("accepted", 3),
    ("dispatched", 3),
    ("finalized", 4),
    ("canceled", 1),
)


def generate_orders(env, count):
    """``count`` contacts and ``count`` orders (one or two jobs each, a request for change
    on those waiting for the customer), in bulk SQL: what the ORM would store, without
    taking hours.  Returns the seconds it took."""
    start = time.perf_counter()
    cr = env.cr
    company = env.company
    params = {
        "count": count,
        "company": company.id,
        "currency": company.currency_id.id,
        "uid": env.uid,
    }
    cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, email, active, type, is_company,
                                 autopost_bills, lang, create_date, write_date)
        SELECT 'Bench contact ' || g, 'Bench contact ' || g, 'bench' || g || '@example.com',
               true, 'contact', false, 'ask', 'en_US', now(), now()
          FROM generate_series(1, %(count)s) g
        """,
        params,
    )
    cr.execute(
        "UPDATE res_partner SET commercial_partner_id = id"
        " WHERE commercial_partner_id IS NULL AND name LIKE 'Bench contact %'"
    )
    cases = " ".join(
        f"WHEN g %% 20 < {sum(w for _s, w in ORDER_STATE_MIX[: i + 1])} THEN '{state}'"
        for i, (state, _weight) in enumerate(ORDER_STATE_MIX)
    )
    cr.execute(
        f"""
        CREATE TEMP TABLE bench_order ON COMMIT DROP AS
        SELECT g, CASE {cases} END AS state,
               (SELECT min(id) FROM res_partner WHERE name = 'Bench contact 1') + g - 1
                   AS partner_id
          FROM generate_series(1, %(count)s) g
        """,
        params,
    )
    cr.execute(
        """
        INSERT INTO print_order (name, partner_id, company_id, currency_id, user_id,
                                 date_submitted, communication_state, amount_total,
                                 amount_paid, amount_refunded, is_paid, customer_wait_skipped,
                                 create_uid, write_uid, create_date, write_date)
        SELECT 'BENCH/' || lpad(g::text, 7, '0'), partner_id, %(company)s, %(currency)s,
               %(uid)s, now() - make_interval(mins => g), state, 20.0,
               CASE WHEN g %% 3 = 0 THEN 20.0 ELSE 0.0 END, 0.0, g %% 3 = 0, false,
               %(uid)s, %(uid)s, now(), now()
          FROM bench_order
        """,
        params,
    )
    cr.execute(
        """
        INSERT INTO print_job (order_id, name, sequence, company_id, copies, color_mode,
                               sides, finishing, communication_state, price_unit,
                               price_subtotal, is_paid, create_uid, write_uid, create_date,
                               write_date)
        SELECT o.id, 'Job ' || n, n, o.company_id, 10, 'color', 'one', 'none',
               o.communication_state, 1.0, 10.0, o.is_paid, o.create_uid, o.create_uid,
               now(), now()
          FROM print_order o
          JOIN LATERAL generate_series(1, 1 + (o.id % 2)) n ON true
         WHERE o.name LIKE 'BENCH/%'
        """
    )
    cr.execute(
        """
        INSERT INTO print_change_request (name, order_id, company_id, user_id, date_requested,
                                          state, reminder_count, create_uid, write_uid,
                                          create_date, write_date)
        SELECT 'RFC/BENCH/' || o.id, o.id, o.company_id, o.create_uid,
               o.date_submitted + interval '1 hour', 'waiting', 0, o.create_uid,
               o.create_uid, now(), now()
          FROM print_order o
         WHERE o.name LIKE 'BENCH/%' AND o.communication_state = 'change_requested'
        """
    )
    for table in ("res_partner", "print_order", "print_job", "print_change_request"):
        cr.execute(f"ANALYZE {table}")
    env.invalidate_all()
    return time.perf_counter() - start


def view_specification(env, model, view_type):
    """The fields the web client asks for to show ``model``'s default ``view_type`` view."""
    views = env[model].get_views([(False, view_type)])
    fields_info = views["models"][model]["fields"]
    spec = {}
    for name, info in fields_info.items():
        if info["type"] in ("many2one", "many2many", "one2many"):
            spec[name] = {"fields": {"display_name": {}}}
        else:
            spec[name] = {}
    return spec


def action_domain(env, action_xmlid):
    """The domain of the action's default search filters (``search_default_*``)."""
    action = env["ir.actions.act_window"]._for_xml_id(action_xmlid)
    context = safe_eval(action.get("context") or "{}", {"uid": env.uid})
    filters = [
        key[len("search_default_") :]
        for key, value in context.items()
        if key.startswith("search_default_") and value
    ]
    search_view = action.get("search_view_id") or [False]
    view = env[action["res_model"]].get_views([(search_view[0], "search")])
    arch = view["views"]["search"]["arch"]
    domains = []
    for name in filters:
        match = re.search(rf'<filter[^>]*name="{name}"[^>]*domain="([^"]*)"', arch)
        if match:
            domains.append(safe_eval(html.unescape(match[1]), {"uid": env.uid}))
    return expression.AND(domains) if domains else []


class Screens:
    """The calls the web client makes to show a list or a kanban, timed.

    Each screen returns (median total ms, median slowest call ms, queries): a grouped
    kanban is one call for the columns, then one call per column, which the web client
    sends at once (each its own request, in parallel on a server with workers)."""

    def __init__(self, env, repeat):
        self.env = env
        self.repeat = repeat

    def _timed(self, durations, call, *args, **kwargs):
        start = time.perf_counter()
        result = call(*args, **kwargs)
        durations.append(time.perf_counter() - start)
        return result

    def _time(self, screen):
        cr = self.env.cr
        totals, slowest, counts = [], [], []
        screen([])  # warm the registry's caches (views, rules) outside the figures
        for _run in range(self.repeat):
            self.env.invalidate_all()
            count0 = cr.sql_log_count
            durations = []
            screen(durations)
            totals.append(sum(durations))
            slowest.append(max(durations))
            counts.append(cr.sql_log_count - count0)
        return statistics.median(totals), statistics.median(slowest), max(counts)

    def list_view(self, model, domain=(), limit=80):
        records = self.env[model]
        spec = view_specification(self.env, model, "list")

        def screen(durations):
            self.env.invalidate_all()
            self._timed(
                durations,
                records.web_search_read,
                list(domain),
                spec,
                limit=limit,
                count_limit=10001,
            )

        return self._time(screen)

    def kanban_view(self, model, group_by, domain=(), limit=40):
        """The kanban as the web client loads it: the groups, then each open group's first
        ``limit`` cards (one call per column); ungrouped without ``group_by``."""
        records = self.env[model]
        spec = view_specification(self.env, model, "kanban")

        def screen(durations):
            if not group_by:
                self._timed(
                    durations,
                    records.web_search_read,
                    list(domain),
                    spec,
                    limit=limit,
                    count_limit=10001,
                )
                return
            groups = self._timed(
                durations, records.web_read_group, list(domain), [], [group_by], lazy=True
            )["groups"]
            for group in groups:
                if group.get(f"{group_by}_count"):
                    # Each column is its own request: nothing cached from the others.
                    self.env.invalidate_all()
                    self._timed(
                        durations,
                        records.web_search_read,
                        group["__domain"],
                        spec,
                        limit=limit,
                        count_limit=10001,
                    )

        return self._time(screen)


def run_screens(args, registry):
    cr = registry.cursor()
    try:
        su_env = api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"})
        bench = Benchmark(su_env, args.files)
        seconds = generate_orders(su_env, args.orders)
        print(
            f"database {args.database}: generated {args.orders} orders and {args.orders} "
            f"contacts in {seconds:.1f} s; {args.repeat} run(s) per screen (median), as an "
            "operator, from an empty cache; every change is rolled back"
        )
        screens = Screens(bench.env, args.repeat)
        orders_domain = action_domain(bench.env, "print_change_request.print_order_action")
        partner_domain = (
            action_domain(bench.env, "contacts.action_contacts")
            if (
                bench.env["ir.model.data"]._xmlid_to_res_id(
                    "contacts.action_contacts", raise_if_not_found=False
                )
            )
            else []
        )
        rows = [
            ("contacts list (Odoo)", screens.list_view("res.partner", partner_domain)),
            ("orders list", screens.list_view("print.order", orders_domain)),
            ("orders list, no filter", screens.list_view("print.order")),
            (
                "orders kanban, no filter",
                screens.kanban_view("print.order", "communication_state"),
            ),
            ("contacts kanban (Odoo)", screens.kanban_view("res.partner", None)),
        ]
    finally:
        cr.rollback()
        cr.close()
    base = rows[0][1][0]
    header = (
        f"{'screen':<28} {'queries':>8} {'total ms':>9} {'x list':>7} "
        f"{'slowest call ms':>16} {'x list':>7}"
    )
    print(f"\nscreens at {args.orders} orders\n{header}\n{'-' * len(header)}")
    failed = []
    for label, (total, slowest, queries) in rows:
        ratio, slow_ratio = total / base, slowest / base
        print(
            f"{label:<28} {queries:>8} {total * 1000:>9.1f} {ratio:>6.2f}x "
            f"{slowest * 1000:>16.1f} {slow_ratio:>6.2f}x"
        )
        if label.startswith("orders") and slow_ratio > args.max_ratio:
            failed.append((label, slow_ratio))
    print(
        "(x list: compared with Odoo's contacts list in this run; a kanban's columns load "
        "in parallel, so its slowest call is what the user waits for)"
    )
    print()
    for label, ratio in failed:
        print(f"FAIL {label}: {ratio:.2f}x the contacts list (at most {args.max_ratio}x)")
    if failed:
        return 1
    print(f"OK: every orders screen within {args.max_ratio}x of Odoo's contacts list")
    return 0


# ------------------------------------------------------------
# Report
# ------------------------------------------------------------


def print_table(scenario, files, rows, title=None):
    """Median and best time per size, each as a ratio to the smallest size.  On a busy
    machine the best run is the steadier figure (other processes only ever add time)."""
    print(f"\n{scenario}: {title or f'request for change ({files} files per job)'}")
    header = (
        f"{'size (jobs x files)':>20} {'queries':>8} {'median ms':>10} {'ratio':>7} "
        f"{'best ms':>8} {'ratio':>7}"
    )
    print(header)
    print("-" * len(header))
    base_median, base_best = rows[0]["median"], rows[0]["best"]
    for row in rows:
        counts = row["counts"]
        note = "" if len(set(counts)) == 1 else f"  (counts per run: {counts})"
        print(
            f"{row['jobs']:>11} x {files:<6} {max(counts):>8} {row['median'] * 1000:>10.1f} "
            f"{row['median'] / base_median:>6.2f}x {row['best'] * 1000:>8.1f} "
            f"{row['best'] / base_best:>6.2f}x{note}"
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
        rows.append(
            {
                "jobs": jobs,
                "counts": counts,
                "median": statistics.median(times),
                "best": min(times),
            }
        )
        if args.breakdown:
            capture = SqlCapture()
            bench.measure(scenario, jobs, f"{scenario}-{jobs}-sql", capture=capture)
            groups[jobs] = capture.groups()
    return rows, groups


def bench_wait(bench, args):
    """Measure the operator's whole wait for every size; return the rows and SQL groups."""
    sizes = args.sizes
    bench.measure_wait(sizes[0], "wait-warmup")
    rows, groups = [], {}
    # The sizes take turns in each round, so that the machine's speed, which drifts over
    # a run (other processes, CPU clocks), weighs on every size alike.
    runs_by_size = {jobs: [] for jobs in sizes}
    for index in range(args.repeat):
        for jobs in sizes:
            vacuum(bench.env.cr.dbname)
            # Not measured: PostgreSQL reloads the statistics ANALYZE wrote on the next
            # queries, a cost of the vacuum and not of the request.
            bench.measure_wait(1, f"wait-{jobs}-{index}-warmup")
            runs_by_size[jobs].append(bench.measure_wait(jobs, f"wait-{jobs}-{index}"))
    for jobs in sizes:
        runs = runs_by_size[jobs]
        totals = [sum(seconds for _queries, seconds in stages.values()) for stages in runs]
        rows.append(
            {
                "jobs": jobs,
                "stages": {
                    stage: (
                        max(stages[stage][0] for stages in runs),
                        statistics.median(stages[stage][1] for stages in runs),
                    )
                    for stage in WAIT_STAGES
                },
                "counts": [sum(queries for queries, _s in stages.values()) for stages in runs],
                "median": statistics.median(totals),
                "best": min(totals),
            }
        )
        if args.breakdown:
            capture = SqlCapture()
            bench.measure_wait(jobs, f"wait-{jobs}-sql", capture=capture)
            groups[jobs] = capture.groups()
    return rows, groups


def print_wait_table(files, rows):
    print(f"\nwait: the operator's whole wait, unpaid order ({files} files per job)")
    stage_header = " ".join(f"{stage + ' q':>7} {stage + ' ms':>8}" for stage in WAIT_STAGES)
    header = (
        f"{'jobs':>5} {stage_header} {'queries':>8} {'median ms':>10} {'ratio':>7} "
        f"{'best ms':>8} {'ratio':>7}"
    )
    print(header)
    print("-" * len(header))
    base_median, base_best = rows[0]["median"], rows[0]["best"]
    for row in rows:
        stages = " ".join(
            f"{row['stages'][stage][0]:>7} {row['stages'][stage][1] * 1000:>8.1f}"
            for stage in WAIT_STAGES
        )
        print(
            f"{row['jobs']:>5} {stages} {max(row['counts']):>8} {row['median'] * 1000:>10.1f} "
            f"{row['median'] / base_median:>6.2f}x {row['best'] * 1000:>8.1f} "
            f"{row['best'] / base_best:>6.2f}x"
        )
    print(
        "(open: the button, then the dialog's read or onchange with its default lines; save: "
        "web_save of every line ticked; OK: action_confirm; each from an empty cache, flushed)"
    )


def bench_sale(bench, args):
    """Odoo's sale order confirmation with its e-mail, on orders of as many lines as the
    sizes' jobs; the table's rows, or None when ``sale`` is not installed."""
    if not bench.sale_available():
        return None
    bench.measure_sale(args.sizes[0], "sale-warmup")
    rows = []
    for lines in args.sizes:
        runs = [bench.measure_sale(lines, f"sale-{lines}-{index}") for index in range(args.repeat)]
        times = [seconds for _queries, seconds in runs]
        rows.append(
            {
                "jobs": lines,
                "counts": [queries for queries, _seconds in runs],
                "median": statistics.median(times),
                "best": min(times),
            }
        )
    return rows


def run(args):
    registry = open_registry(args.database, args.addons_path or default_addons_path())
    if args.orders:
        return run_screens(args, registry)
    print(
        f"database {args.database}: {args.files} files per job, {args.repeat} run(s) per size "
        f"(median time); every change is rolled back"
        + (", but those of the 'wait' scenario, committed" if "wait" in args.scenarios else "")
    )
    failed, wait_failed = [], []
    cr = registry.cursor()
    try:
        bench = Benchmark(api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"}), args.files)
        for scenario in args.scenarios:
            if scenario == "wait":
                # Committed from here on: what the other scenarios did is rolled back first.
                cr.rollback()
                bench = Benchmark(api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"}), args.files)
                bench.commit = True
                bench._settle()
                rows, groups = bench_wait(bench, args)
                print_wait_table(args.files, rows)
                sale_rows = bench_sale(bench, args)
                if sale_rows:
                    print_table(
                        "Odoo's own",
                        1,
                        sale_rows,
                        "a sale order's confirmation with its e-mail (no PDF), size = lines",
                    )
                else:
                    print("(Odoo's sale order confirmation not measured: 'sale' is not installed)")
                wait_ratio = rows[-1]["best"] / rows[0]["best"]
                if wait_ratio > args.max_wait_ratio:
                    wait_failed.append(wait_ratio)
            else:
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
    for ratio in wait_failed:
        print(
            f"FAIL wait: {args.sizes[-1]} jobs take {ratio:.2f}x the wait of {args.sizes[0]} "
            f"(at most {args.max_wait_ratio}x allowed)"
        )
    if failed or wait_failed:
        return 1
    print(f"OK: the query count grows by at most {args.max_growth} from the smallest size")
    if "wait" in args.scenarios:
        print(
            f"OK: the whole wait of {args.sizes[-1]} jobs is within {args.max_wait_ratio}x "
            f"of {args.sizes[0]}'s"
        )
    return 0


def main(argv=None):
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
