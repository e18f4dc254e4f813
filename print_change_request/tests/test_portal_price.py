"""The price while the customer fills a ticket, over real HTTP: the JSON price route computes
what the backend will store, for the owner or the e-mail's link only, and writes nothing."""

import json

from lxml import html

from odoo import Command
from odoo.tests import tagged

from .portal_common import PrintPortalCommon, make_pdf


@tagged("post_install", "-at_install")
class TestPortalPrice(PrintPortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.customer.env  # cls.env: see PrintPortalCommon.setUpClass
        cls.vat_21 = env["account.tax"].create(
            {"name": "VAT 21%", "amount": 21, "type_tax_use": "sale"}
        )

        def service(name, price):
            return env["product.product"].create(
                {
                    "name": name,
                    "type": "service",
                    "list_price": price,
                    "taxes_id": [Command.set(cls.vat_21.ids)],
                }
            )

        cls.color_page = service("Color page", 0.30)
        cls.bw_page = service("B&W page", 0.08)
        cls.fold = service("Fold", 0.10)
        cls.env.company.write(
            {
                "print_color_page_product_id": cls.color_page.id,
                "print_bw_page_product_id": cls.bw_page.id,
                "print_finishing_fold_product_id": cls.fold.id,
            }
        )

    def _price(self, order, token=None, **params):
        """Call the price route as the page's script does (JSON-RPC); return its answer."""
        if token:
            params["access_token"] = token
        response = self.url_open(
            f"/my/print_orders/{order.id}/price",
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def _snapshot(self):
        self.env.invalidate_all()
        return (
            self.order.job_ids.read(["copies", "color_mode", "price_unit", "write_date"]),
            self.order.read(["amount_total", "write_date"]),
            self.env["print.job.change"].search_count([]),
        )

    def test_01_owner_gets_the_price_the_backend_then_stores_without_any_write(self):
        self.authenticate("portal_paula", "portal_paula")
        before = self._snapshot()
        ticket = {
            "product_id": str(self.silk.id),
            "copies": "3",
            "color_mode": "bw",
            "sides": "two",
            "finishing": "fold",
        }

        answer = self._price(self.order, job_id=self.job_2.id, **ticket)

        self.assertNotIn("error", answer, answer)
        price = answer["result"]["price"]
        self.assertEqual(self._snapshot(), before, "the price route writes nothing")
        # Job 2's two one-page files: 2 pages, 1 sheet two-sided; b&w pages; a fold.
        self.assertEqual((price["pages"], price["sheets"], price["copies"]), (2, 1, 3))
        self.assertEqual(price["media"]["value"], 0.9)
        self.assertEqual(price["printing"]["value"], 0.16)
        self.assertEqual(price["finishing"]["value"], 0.1)
        self.assertEqual(price["unit"]["value"], 1.16)
        self.assertEqual(price["subtotal"]["value"], 3.48)
        self.assertIn("3.48", price["subtotal"]["text"])

        # Saving the same ticket stores exactly that price.
        self._ticket(self.job_2, **ticket)
        self.env.invalidate_all()
        self.assertRecordValues(
            self.job_2, [{"price_unit": 1.16, "price_subtotal": 3.48, "price_total": 3.64}]
        )
        self.assertEqual(self.order.amount_total, price["order_total"]["value"])
        self.assertEqual(self.order.amount_tax, price["order_tax"]["value"])

    def test_02_the_emails_link_prices_too_and_a_wrong_token_is_not_found(self):
        self.order._portal_ensure_token()
        answer = self._price(self.order, token=self.order.access_token, job_id=self.job_2.id)
        self.assertIn("price", answer["result"])

        answer = self._price(self.order, token="not-the-token", job_id=self.job_2.id)
        self.assertEqual(answer["error"]["code"], 404)
        answer = self._price(self.order, job_id=self.job_2.id)
        self.assertEqual(answer["error"]["code"], 404, "no login, no token")

    def test_03_another_customer_is_refused(self):
        self.authenticate("portal_oscar", "portal_oscar")
        answer = self._price(self.order, job_id=self.job_2.id, copies="5")
        self.assertEqual(answer["error"]["code"], 404)
        self.assertNotIn("result", answer)
        # Their own order with a job of someone else's: not found either.
        answer = self._price(self.other_order, job_id=self.job_2.id, copies="5")
        self.assertEqual(answer["error"]["code"], 404)

    def test_04_wrong_values_and_orders_not_waiting_get_a_clear_message(self):
        self.authenticate("portal_paula", "portal_paula")
        answer = self._price(self.order, job_id=self.job_2.id, copies="lots")
        self.assertIn("enter a whole number", answer["result"]["error"])
        answer = self._price(self.order, job_id=self.job_2.id, product_id=str(self.paper.id + 999))
        self.assertIn("choose one of the media offered", answer["result"]["error"])

        answer = self._price(self.other_order.sudo(), job_id=self.other_order.job_ids.id)
        self.assertEqual(answer["error"]["code"], 404, "Oscar's order")
        answer = self._price(self.order, copies="2")
        self.assertIn(
            "Only the jobs the print shop asked you to change", answer["result"]["error"]
        )

    def test_05_a_draft_prices_the_job_to_add_then_stores_that_price(self):
        self.authenticate("portal_paula", "portal_paula")
        draft = self.env["print.order"]._create_portal_draft(self.customer)
        ticket = {"product_id": str(self.silk.id), "copies": "10", "color_mode": "color"}

        answer = self._price(draft, **ticket)

        price = answer["result"]["price"]
        self.assertFalse(draft.job_ids, "nothing created")
        self.assertFalse(price["pages_counted"])
        self.assertEqual(price["unit"]["value"], 1.2, "1 page until counted: 0.90 + 0.30")
        self.assertEqual(price["order_total"]["value"], 12.63, "12.00 + 21% of 3.00")

        csrf = html.fromstring(self.url_open(f"/my/print_orders/{draft.id}").content).xpath(
            "//input[@name='csrf_token']/@value"
        )[0]
        self.url_open(
            f"/my/print_orders/{draft.id}/jobs",
            data={"name": "Posters", "csrf_token": csrf, **ticket},
        )
        self.assertEqual(draft.job_ids.price_unit, 1.2)
        self.assertEqual(draft.amount_total, 12.63)

        # Its files give the page count: the price follows.
        job = draft.job_ids
        answer = self._price(draft, job_id=job.id, **ticket)
        self.assertEqual(answer["result"]["price"]["pages"], 1)
        job.attachment_ids = [
            Command.create(
                {"name": "p.pdf", "raw": make_pdf(pages=2), "mimetype": "application/pdf"}
            )
        ]
        answer = self._price(draft, job_id=job.id, **ticket)
        self.assertTrue(answer["result"]["price"]["pages_counted"])
        self.assertEqual(answer["result"]["price"]["unit"]["value"], 2.4)

    def test_06_the_order_page_shows_prices_taxes_and_the_live_price_blocks(self):
        self.authenticate("portal_paula", "portal_paula")
        self._ticket(self.job_2, copies="3", color_mode="bw")
        self.env.invalidate_all()
        _response, page = self._get_page(f"/my/print_orders/{self.order.id}")

        totals = page.xpath("//div[@id='print_order_totals']")[0].text_content()
        self.assertIn("Untaxed Amount", totals)
        self.assertIn("Total", totals)
        self.assertEqual(len(page.xpath("//td[hasclass('o_print_job_price_cell')]")), 2)
        form = page.xpath(f"//*[hasclass('o_print_ticket')][@data-job-id='{self.job_2.id}']")[0]
        self.assertEqual(
            form.get("data-print-price-url"), f"/my/print_orders/{self.order.id}/price"
        )
        quote = form.xpath(".//*[hasclass('o_print_price_quote')]")[0].text_content()
        self.assertIn("Per copy", quote)
        self.assertIn("with taxes", quote)

    def test_07_the_price_follows_the_ticket_in_the_browser(self):
        self.order.name = "TOUR/PRICE"
        self.job_2.price_manual = False  # its shop price: 0.50 x 2 sheets + 0.30 x 2 pages
        self.assertEqual(self.job_2.price_unit, 1.6)
        before = self._snapshot()

        self.start_tour(
            f"/my/print_orders/{self.order.id}",
            "print_change_request_job_price_tour",
            login="portal_paula",
        )

        self.assertEqual(self._snapshot(), before, "the customer saved nothing")

    def test_08_the_first_job_of_a_new_order_is_priced_before_the_order_exists(self):
        self.authenticate("portal_paula", "portal_paula")
        orders = self.env["print.order"].search_count([])
        response = self.url_open(
            "/my/print_orders/new/price",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 1,
                    "params": {
                        "product_id": str(self.silk.id),
                        "copies": "4",
                        "color_mode": "bw",
                        "finishing": "fold",
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        price = response.json()["result"]["price"]
        self.assertEqual(price["unit"]["value"], 1.08, "0.90 + 0.08 + 0.10 for 1 page")
        self.assertEqual(price["subtotal"]["value"], 4.32)
        self.assertEqual(price["order_total"]["value"], 4.47, "4.32 + 0.07 + 0.08 tax")
        self.assertEqual(self.env["print.order"].search_count([]), orders, "no order made")

        _response, page = self._get_page("/my/print_orders/new")
        form = page.xpath("//form[@id='print_order_new_form']")[0]
        self.assertEqual(form.get("data-print-price-url"), "/my/print_orders/new/price")
        self.assertTrue(form.xpath(".//*[hasclass('o_print_price_quote')]"))

        self.authenticate(None, None)
        answer = self._price_new_anonymous()
        self.assertIn("error", answer, "visitors log in first")

    def _price_new_anonymous(self):
        response = self.url_open(
            "/my/print_orders/new/price",
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": {}}),
            headers={"Content-Type": "application/json"},
        )
        return response.json()
