"""The demo's waiting order can be answered from the portal by Odoo's demo portal user."""

from lxml import html

from odoo.tests import HttpCase, tagged

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
        self.assertIn("Wrong colour space", page.text_content())
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
