"""Odoo's demo portal user can answer the demo's waiting order, and place and pay a new order, in
the portal (the README's instructions)."""

import json

from lxml import html

from odoo.tests import HttpCase, tagged
from odoo.tools import file_open

from .portal_common import make_pdf


@tagged("post_install", "-at_install")
class TestPortalDemo(HttpCase):
    def test_01_demo_portal_user_answers_the_waiting_order(self):
        order = self.env.ref("print_change_request.order_waiting")
        poster = self.env.ref("print_change_request.file_poster")
        job = self.env.ref("print_change_request.job_waiting_poster")
        self.assertEqual(order.communication_state, "change_requested")
        self.authenticate("portal", "portal")

        response = self.url_open("/my/print_orders?filterby=waiting")
        self.assertIn(order.name, response.text)
        response = self.url_open(f"/my/print_orders/{order.id}")
        page = html.fromstring(response.content)
        self.assertIn("Wrong color space", page.text_content())
        csrf = page.xpath("//input[@name='csrf_token']/@value")[0]
        response = self.url_open(
            f"/my/print_orders/{order.id}/jobs/{job.id}/files",
            data={"csrf_token": csrf, "replaces_id": str(poster.id)},
            files=[("files", ("concert-poster-cmyk.pdf", make_pdf("CMYK")))],
        )
        self.assertIn("notice=uploaded", response.url)
        response = self.url_open(
            f"/my/print_orders/{order.id}/submit", data={"csrf_token": csrf, "message": "CMYK"}
        )
        self.assertIn("notice=submitted", response.url)
        self.assertEqual(order.communication_state, "changed")
        self.assertEqual(
            order.change_request_ids.answered_by_id, self.env.ref("base.partner_demo_portal")
        )

    def test_02_demo_portal_user_places_and_pays_an_order(self):
        """The README's "Place an order as a customer", step by step, over HTTP."""
        joel = self.env.ref("base.partner_demo_portal")
        self.assertTrue(joel.email)
        company = self.env.ref("base.main_company")
        self.assertTrue(company.print_portal_pay_on_submit)
        media = company.print_portal_media_ids
        self.assertEqual(len(media), 4)
        provider = self.env.ref("payment.payment_provider_demo")
        self.assertEqual(provider.state, "test")
        self.authenticate("portal", "portal")

        home = html.fromstring(self.url_open("/my").content)
        self.assertTrue(home.xpath("//a[@href='/my/print_orders/new']"))
        page = html.fromstring(self.url_open("/my/print_orders/new").content)
        offered = page.xpath("//select[@name='product_id']/option/@value")
        self.assertEqual(sorted(int(value) for value in offered), sorted(media.ids))
        csrf = page.xpath("//input[@name='csrf_token']/@value")[0]
        paper = self.env.ref("print_change_request.product_paper_a4")
        response = self.url_open(
            "/my/print_orders/new",
            data={"csrf_token": csrf, "name": "Choir newsletter", "product_id": str(paper.id)},
        )
        draft = self.env["print.order"].search(
            [("partner_id", "=", joel.id), ("portal_draft", "=", True)]
        )
        self.assertEqual(len(draft), 1)
        job = draft.job_ids
        with file_open("print_change_request/demo/files/brochure_a4.pdf", "rb") as pdf:
            response = self.url_open(
                f"/my/print_orders/{draft.id}/jobs/{job.id}/files",
                data={"csrf_token": csrf},
                files=[("files", ("newsletter.pdf", pdf.read()))],
            )
        self.assertIn("notice=uploaded", response.url)
        response = self.url_open(
            f"/my/print_orders/{draft.id}/submit",
            data={"csrf_token": csrf, "message": ""},
            allow_redirects=False,
        )
        self.assertIn("notice=submitted_pay", response.headers["Location"])
        page = html.fromstring(self.url_open(response.headers["Location"]).content)
        self.assertFalse(draft.portal_draft)
        self.assertEqual(draft.communication_state, "new")
        self.assertTrue(
            page.xpath(f"//input[@name='o_payment_radio'][@data-provider-id='{provider.id}']"),
            "the demo's payment provider is offered",
        )
        form = page.xpath("//form[@id='o_payment_form']")[0]
        reference = self._json(
            form.get("data-transaction-route"),
            {
                "provider_id": provider.id,
                "payment_method_id": self.env.ref("payment_demo.payment_method_demo").id,
                "token_id": None,
                "amount": float(form.get("data-amount")),
                "flow": "direct",
                "tokenization_requested": False,
                "landing_route": form.get("data-landing-route"),
                "is_validation": False,
            },
        )["reference"]
        self._json(
            "/payment/demo/simulate_payment",
            {"reference": reference, "payment_details": "4242", "simulated_state": "done"},
        )
        self.env.invalidate_all()
        self.assertTrue(draft.is_paid)

    def _json(self, url, params):
        response = self.url_open(
            url,
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
            headers={"Content-Type": "application/json"},
        )
        payload = response.json()
        self.assertNotIn("error", payload)
        return payload.get("result")
