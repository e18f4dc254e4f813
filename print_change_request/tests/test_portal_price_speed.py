"""The portal order page prices its jobs without computing the order's taxes once per job:
each job's price block shows its stored price and the order's stored totals, the order's tax
totals are computed once per page, and the page's queries do not grow with its jobs.  (The
page's time is measured by tests/benchmark_portal.py, not here.)"""

import json
from contextlib import contextmanager
from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged

from .portal_common import PrintPortalCommon

#: The price block's figures (``data-print-price``) and their keys in the quote.
BLOCK_FIGURES = (
    "media",
    "printing",
    "finishing",
    "unit",
    "subtotal",
    "total",
    "order_untaxed",
    "order_tax",
    "order_total",
)


@tagged("post_install", "-at_install")
class TestPortalPriceSpeed(PrintPortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.customer.env  # cls.env: see PrintPortalCommon.setUpClass
        vat_21 = env["account.tax"].create(
            {"name": "VAT 21% (speed)", "amount": 21, "type_tax_use": "sale"}
        )

        def service(name, price):
            return env["product.product"].create(
                {
                    "name": name,
                    "type": "service",
                    "list_price": price,
                    "taxes_id": [Command.set(vat_21.ids)],
                }
            )

        cls.env.company.write(
            {
                "print_color_page_product_id": service("Color page (speed)", 0.30).id,
                "print_bw_page_product_id": service("B&W page (speed)", 0.08).id,
                "print_finishing_fold_product_id": service("Fold (speed)", 0.10).id,
            }
        )

    def _waiting_order(self, jobs):
        """An order of ``jobs`` jobs (2 files each) waiting for the customer: the operator asks
        to change the first file of every job.  Its jobs have the shop's price (taxed printing
        and finishing), the last one of several a price set by hand."""
        order = self._create_order(jobs=jobs, files=2)
        order.job_ids.write({"price_manual": False})
        order.job_ids[0].write({"copies": 3, "finishing": "fold", "color_mode": "bw"})
        if jobs > 1:
            order.job_ids[-1].price_unit = 7.25
        action = order.with_user(self.operator).action_request_change()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.operator)
            .with_context(**action["context"])
            .create({})
        )
        wizard.line_ids.filtered(
            lambda line: line.attachment_id == line.job_id.attachment_ids.sorted("id")[:1]
        ).write({"to_change": True, "reason_id": self.reason.id})
        wizard.action_confirm()
        self.assertEqual(set(order.job_ids.mapped("communication_state")), {"change_requested"})
        return order

    @contextmanager
    def _count_order_totals(self):
        """Count the computations of an order's tax totals (the real method runs: a wrapper
        that only counts)."""
        Order = type(self.env["print.order"])
        original = Order._get_print_tax_totals
        calls = []

        def counted(order, *args, **kwargs):
            calls.append(order.id)
            return original(order, *args, **kwargs)

        with patch.object(Order, "_get_print_tax_totals", counted):
            yield calls

    def _render(self, order):
        """The order page as its customer gets it: (its queries, order totals computed, page)."""
        url = f"/my/print_orders/{order.id}"
        self._get_page(url)  # warm the server's caches (templates, ormcache)
        with self._count_order_totals() as calls:
            queries = self.cr.sql_log_count
            _response, page = self._get_page(url)
            queries = self.cr.sql_log_count - queries
        return queries, len(calls), page

    def test_01_the_page_computes_the_order_totals_once_with_flat_queries(self):
        small = self._waiting_order(jobs=1)
        large = self._waiting_order(jobs=12)
        self.authenticate("portal_paula", "portal_paula")

        small_queries, small_totals, small_page = self._render(small)
        large_queries, large_totals, large_page = self._render(large)

        self.assertEqual(len(small_page.xpath("//*[hasclass('o_print_ticket')]")), 1)
        self.assertEqual(len(large_page.xpath("//*[hasclass('o_print_ticket')]")), 12)
        self.assertEqual(small_totals, 1, "the order's totals, once for the page")
        self.assertEqual(large_totals, 1, "the order's totals, once for the page, not per job")
        self.assertEqual(
            large_queries,
            small_queries,
            "the page of 12 jobs makes as many queries as the page of 1 job",
        )

    def test_02_each_price_block_shows_what_the_live_price_computes(self):
        order = self._waiting_order(jobs=3)
        jobs = order.job_ids.sorted("sequence")
        self.assertEqual(jobs.mapped("price_manual"), [False, False, True])
        self.assertTrue(jobs[0].price_finishing and jobs[0].price_tax)
        self.authenticate("portal_paula", "portal_paula")
        _queries, _totals, page = self._render(order)

        page_quotes = order._get_portal_price_quotes(jobs)
        for job in jobs:
            stored = order._get_portal_price_quote(job, {})
            self.assertEqual(page_quotes[job.id], stored)
            # The job's own ticket given as edited: the full computation of the price route.
            computed = order._get_portal_price_quote(job, {"copies": job.copies})
            self.assertEqual(stored, computed, f"{job.name}: the stored price is the live one")
            form = page.xpath(f"//*[hasclass('o_print_ticket')][@data-job-id='{job.id}']")[0]
            shown = {
                name: form.xpath(f".//*[@data-print-price='{name}']")[0].text_content().strip()
                for name in BLOCK_FIGURES
            }
            self.assertEqual(
                shown, {name: stored[name]["text"] for name in BLOCK_FIGURES}, job.name
            )
        self.assertEqual(stored["order_total"]["value"], order.amount_total)

    def test_03_the_live_price_gives_the_order_total_with_the_edited_job(self):
        order = self._waiting_order(jobs=3)
        job = order.job_ids.sorted("sequence")[1]
        total_before = order.amount_total
        self.authenticate("portal_paula", "portal_paula")

        with self._count_order_totals() as calls:
            response = self.url_open(
                f"/my/print_orders/{order.id}/price",
                data=json.dumps(
                    {
                        "jsonrpc": "2.0",
                        "method": "call",
                        "id": 1,
                        "params": {"job_id": job.id, "copies": "5", "finishing": "fold"},
                    }
                ),
                headers={"Content-Type": "application/json"},
            )
        price = response.json()["result"]["price"]
        self.assertEqual(len(calls), 1)
        self.assertEqual(price["copies"], 5)
        self.assertNotEqual(price["order_total"]["value"], total_before)

        self._ticket(job, copies="5", finishing="fold")
        self.env.invalidate_all()
        self.assertEqual(job.copies, 5)
        self.assertEqual(order.amount_total, price["order_total"]["value"])
        self.assertEqual(job.price_total, price["total"]["value"])
