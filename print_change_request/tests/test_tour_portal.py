"""The customer's side of the loop in Chromium: the e-mail's link, replace the flagged PDF,
change the copies, send the changes, pay with Odoo's demo provider; then the operator's list."""

from urllib.parse import urlsplit

from lxml import html

from odoo.tests import tagged

from .portal_common import PrintPortalCommon


@tagged("post_install", "-at_install")
class TestTourPortal(PrintPortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_demo_provider()

    def test_01_customer_changes_resubmits_and_pays(self):
        self.order.name = "TOUR/PORTAL"
        body = html.fromstring(self.request.mail_message_id.body)
        link = next(href for href in body.xpath("//a/@href") if "/my/print_orders/" in href)
        link = urlsplit(link)
        self.assertFalse(self.order.is_paid)

        self.start_tour(f"{link.path}?{link.query}", "print_change_request_portal_tour")

        self.env.invalidate_all()
        self.assertEqual(self.order.communication_state, "changed")
        self.assertTrue(self.order.is_paid)
        self.assertEqual(self.job_2.copies, 3)
        self.assertEqual(self.request.state, "answered")
        self.assertEqual(self.request.answer_message, "Fonts are embedded now.")
        replaced = self.request.change_ids.filtered(lambda change: change.kind == "file_replaced")
        self.assertEqual(replaced.old_attachment_id, self.flagged)
        self.assertEqual(replaced.new_name, "fonts-embedded.pdf")
        tx = self.order.transaction_ids.filtered(lambda tx: tx.provider_id == self.demo_provider)
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.amount, 40.0)

        self.start_tour(
            "/odoo/action-print_change_request.print_order_action",
            "print_change_request_portal_operator_tour",
            login=self.env.user.login,
        )
