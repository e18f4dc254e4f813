"""The customer on a phone (390x844), in Chromium: the orders list and the order page waiting
for changes read without scrolling sideways (issue 23, item 8)."""

from odoo.tests import tagged

from .portal_common import PrintPortalCommon


@tagged("post_install", "-at_install")
class TestTourPortalPhone(PrintPortalCommon):
    browser_size = "390x844"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_demo_provider()

    def test_01_the_customer_reads_and_changes_the_order_on_a_phone(self):
        self.order.name = "TOUR/PHONE"
        copies = self.job_2.copies
        self.start_tour(
            "/my/print_orders", "print_change_request_portal_phone_tour", login="portal_paula"
        )
        self.env.invalidate_all()
        # The tour only typed: nothing was saved or sent.
        self.assertEqual(self.job_2.copies, copies)
        self.assertEqual(self.order.communication_state, "change_requested")
