"""Who sees what in the portal: two customers with portal logins, over real HTTP (pages, file
downloads, /web/content, JSON-RPC), the e-mail's token, the list and the /my counters."""

import json

from lxml import html

from odoo.tests import tagged

from .portal_common import PrintPortalCommon, make_pdf


@tagged("post_install", "-at_install")
class TestPortalAccess(PrintPortalCommon):
    def _rpc(self, model, method, args, kwargs=None):
        """A JSON-RPC call as the web client makes it; return (result, error message)."""
        response = self.url_open(
            "/web/dataset/call_kw",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 1,
                    "params": {
                        "model": model,
                        "method": method,
                        "args": args,
                        "kwargs": kwargs or {},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        payload = response.json()
        error = payload.get("error")
        return payload.get("result"), (error["data"]["name"] if error else None)

    def test_01_each_customer_lists_only_their_orders(self):
        self.authenticate("portal_oscar", "portal_oscar")
        _response, page = self._get_page("/my/print_orders")
        rows = page.xpath("//tbody[@id='print_orders_list']/tr/@data-order-id")
        self.assertEqual(rows, [str(self.other_order.id)])
        self.assertNotIn(self.order.name, page.text_content())

        self.authenticate("portal_paula", "portal_paula")
        _response, page = self._get_page("/my/print_orders")
        rows = page.xpath("//tbody[@id='print_orders_list']/tr/@data-order-id")
        self.assertEqual(rows, [str(self.order.id)])
        self.assertIn("Waiting for your changes", page.text_content())

    def test_02_filter_sort_pager_and_home_counters(self):
        for index in range(3):
            self._create_order(name=f"PAULA-NEW-{index}")
        self.authenticate("portal_paula", "portal_paula")
        _response, page = self._get_page("/my/print_orders?filterby=waiting")
        rows = page.xpath("//tbody[@id='print_orders_list']/tr/@data-order-id")
        self.assertEqual(rows, [str(self.order.id)])
        _response, page = self._get_page("/my/print_orders?sortby=name")
        names = [
            name.strip()
            for name in page.xpath("//tbody[@id='print_orders_list']/tr/td[1]/a/text()")
        ]
        self.assertEqual(names, sorted(names, reverse=True))
        self.assertEqual(len(names), 4)
        # Odd parameters fall back to the defaults.
        self._get_page("/my/print_orders?sortby=drop&filterby=table")
        self._get_page("/my/print_orders/page/99")

        response = self.url_open(
            "/my/counters",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 1,
                    "params": {"counters": ["print_order_count", "print_order_waiting_count"]},
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(
            response.json()["result"], {"print_order_count": 4, "print_order_waiting_count": 1}
        )
        _response, page = self._get_page("/my")
        self.assertIn("/my/print_orders", page.xpath("//a/@href"))

    def test_03_another_customer_gets_nothing_through_any_door(self):
        self._answer_fully()
        self.paula_change = self.request.change_ids[:1]
        self.assertTrue(self.paula_change)
        paula_file = self.job_1.attachment_ids[:1]
        self.authenticate("portal_oscar", "portal_oscar")
        # The page, without and with a wrong token.
        response = self.url_open(f"/my/print_orders/{self.order.id}")
        self.assertNotIn(self.order.name, response.text)
        self.assertNotIn("job1-file1.pdf", response.text)
        response = self.url_open(f"/my/print_orders/{self.order.id}?access_token=wrong")
        self.assertNotIn(self.order.name, response.text)
        # The files: the portal's download route, /web/content and /web/image.
        for url in (
            f"/my/print_orders/{self.order.id}/files/{paula_file.id}",
            f"/my/print_orders/{self.other_order.id}/files/{paula_file.id}",
            f"/web/content/{paula_file.id}",
            f"/web/content/{paula_file.id}?download=true",
            f"/web/content/print.job/{self.job_1.id}/attachment_ids",
        ):
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertIn(response.status_code, (403, 404))
                self.assertNotIn(b"%PDF", response.content)
        # /web/image answers Odoo's placeholder picture, never the file.
        response = self.url_open(f"/web/image/{paula_file.id}")
        self.assertNotIn(b"%PDF", response.content)
        self.assertNotEqual(response.content, paula_file.raw)
        # JSON-RPC.
        result, error = self._rpc(
            "print.order", "search_read", [[]], {"fields": ["name", "partner_id"]}
        )
        self.assertIsNone(error)
        self.assertEqual([row["id"] for row in result], [self.other_order.id])
        for model, ids in (
            ("print.order", self.order.ids),
            ("print.job", self.job_1.ids),
            ("print.change.request", self.request.ids),
            ("print.change.request.item", self.request.item_ids.ids),
            ("print.job.change", self.paula_change.ids),
            ("ir.attachment", paula_file.ids),
        ):
            with self.subTest(model=model):
                result, error = self._rpc(model, "read", [ids, ["display_name"]])
                self.assertEqual(error, "odoo.exceptions.AccessError")
        result, _error = self._rpc("print.job", "search_read", [[]], {"fields": ["name"]})
        self.assertEqual([row["id"] for row in result], self.other_order.job_ids.ids)
        # Writing, even their own order, is refused: changes go through the routes.
        _result, error = self._rpc("print.order", "write", [self.other_order.ids, {"name": "X"}])
        self.assertEqual(error, "odoo.exceptions.AccessError")
        _result, error = self._rpc(
            "print.job", "write", [self.other_order.job_ids.ids, {"copies": 99}]
        )
        self.assertEqual(error, "odoo.exceptions.AccessError")
        # Routes on the other customer's order.
        csrf = self._csrf(f"/my/print_orders/{self.other_order.id}")
        response = self.url_open(
            f"/my/print_orders/{self.order.id}/jobs/{self.job_1.id}/files",
            data={"csrf_token": csrf},
            files=[("files", ("x.pdf", make_pdf()))],
        )
        self.assertEqual(response.status_code, 404)
        response = self.url_open(
            f"/my/print_orders/{self.order.id}/submit", data={"csrf_token": csrf}
        )
        self.assertEqual(response.status_code, 404)
        response = self.url_open(
            f"/my/print_orders/{self.order.id}/transaction",
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": {}}),
            headers={"Content-Type": "application/json"},
        )
        self.assertIn("error", response.json())
        self.env.invalidate_all()
        self.assertEqual(self.order.communication_state, "change_requested")
        self.assertEqual(len(self.job_1.attachment_ids), 2)

    def test_04_owner_reads_own_files_and_history(self):
        self.authenticate("portal_paula", "portal_paula")
        own_file = self.job_1.attachment_ids[:1]
        response = self.url_open(f"/my/print_orders/{self.order.id}/files/{own_file.id}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, own_file.raw)
        # Portal users have no rights on attachments themselves: files go through the order.
        self.assertEqual(self.url_open(f"/web/content/{own_file.id}").status_code, 404)
        result, error = self._rpc(
            "print.change.request", "search_read", [[]], {"fields": ["name"]}
        )
        self.assertIsNone(error)
        self.assertEqual([row["id"] for row in result], self.request.ids)

    def test_05_the_token_opens_the_page_and_the_files_for_anyone(self):
        query = self._token_query()
        _response, page = self._get_page(f"/my/print_orders/{self.order.id}{query}")
        text = " ".join(page.text_content().split())
        self.assertIn("What you must change", text)
        self.assertIn("Embed the fonts of page 2", text)
        self.assertTrue(page.xpath("//*[@id='print_order_submit']"))
        link = page.xpath("//a[contains(@href, '/files/')]/@href")[0]
        self.assertIn("access_token=", link)
        response = self.url_open(link)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"%PDF"))
        # The token of one order opens nothing of another.
        response = self.url_open(
            f"/my/print_orders/{self.other_order.id}/files/"
            f"{self.other_order.job_ids.attachment_ids[:1].id}{query}"
        )
        self.assertEqual(response.status_code, 404)
        _response, page = self._get_page(f"/my/print_orders/{self.other_order.id}{query}")
        self.assertNotIn(self.other_order.name, page.text_content())

    def test_06_page_shows_what_why_payment_and_history(self):
        self._answer_fully()
        _response, page = self._get_page(f"/my/print_orders/{self.order.id}{self._token_query()}")
        history = " ".join(page.get_element_by_id("print_order_history").text_content().split())
        self.assertIn("job1-file1.pdf → fonts-embedded.pdf", history)
        self.assertIn("Copies: 1 → 3", history)
        self.assertIn("40.00", page.get_element_by_id("print_order_amount_due").text_content())
        self.assertTrue(page.xpath("//*[@id='print_order_payment']"))
        self.assertTrue(page.xpath("//*[@id='print_order_refunds']"))
        html.tostring(page)  # the page is well-formed
