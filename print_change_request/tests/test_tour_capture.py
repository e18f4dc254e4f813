"""Capture at acceptance in Chromium: the customer pays in the portal with Odoo's demo
provider set to capture manually (authorized), the operator requests a change (the dialog says
the authorization is released), the customer changes the order and authorizes again, the
operator accepts and the payment is captured."""

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tests.common import new_test_user

from .common import PrintCommon
from .portal_common import make_pdf


@tagged("post_install", "-at_install")
class TestTourCapture(PrintCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.portal_paula = new_test_user(
            cls.env,
            login="portal_paula_capture",
            groups="base.group_portal",
            partner_id=cls.customer.id,
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        demo_method = cls.env.ref("payment_demo.payment_method_demo")
        cls.demo_provider = (
            cls.env.ref("payment.payment_provider_demo")
            .sudo()
            .copy(
                {
                    "name": "Demo (capture manually)",
                    "company_id": company.id,
                    "state": "test",
                    "is_published": True,
                    "capture_manually": True,
                    "payment_method_ids": [Command.set(demo_method.ids)],
                }
            )
        )

    def _customer_authorizes(self, order, tour="print_change_request_capture_customer_tour"):
        before = order.sudo().transaction_ids
        self.start_tour(f"/my/print_orders/{order.id}", tour, login=self.portal_paula.login)
        self.env.invalidate_all()
        tx = order.sudo().transaction_ids - before
        self.assertEqual(len(tx), 1)
        self.assertEqual(tx.provider_id, self.demo_provider)
        self.assertEqual(tx.state, "authorized")
        self.assertTrue(order.is_payment_authorized)
        self.assertFalse(order.is_paid)
        return tx

    def _assert_nothing_refunded(self, order):
        """Released, not refunded: no refund, no refund transaction, no credit note."""
        self.assertFalse(order.refund_ids)
        self.assertFalse(order.sudo().transaction_ids.filtered(lambda t: t.operation == "refund"))
        self.assertFalse(order.sudo().invoice_ids.filtered(lambda m: m.move_type == "out_refund"))

    def test_01_authorize_release_authorize_again_capture(self):
        order = self._create_order(name="TOUR/CAPTURE", user_id=self.operator.id)
        for attachment in order.job_ids.attachment_ids:
            attachment.raw = make_pdf(attachment.name)
        first = self._customer_authorizes(order)

        self.start_tour(
            "/odoo/action-print_change_request.print_order_action",
            "print_change_request_capture_release_tour",
            login=self.operator.login,
        )
        self.env.invalidate_all()
        self.assertEqual(first.state, "cancel")
        self.assertEqual(order.communication_state, "change_requested")
        self._assert_nothing_refunded(order)

        self.assertEqual(order.job_ids.copies, 1)
        first_total = order.amount_total
        # The customer replaces the flagged file, asks for two copies, sends the changes and
        # authorizes the new total, all on the order's portal page.
        second = self._customer_authorizes(order, "print_change_request_capture_resubmit_tour")
        self.assertEqual(order.communication_state, "changed")
        self.assertEqual(order.job_ids.copies, 2)
        self.assertEqual(
            sorted(order.job_ids.attachment_ids.mapped("name")), ["fonts-embedded.pdf"]
        )
        self.assertNotEqual(order.amount_total, first_total)
        self.assertEqual(second.amount, order.amount_total)
        self.assertEqual(first.state, "cancel")
        self._assert_nothing_refunded(order)

        self.start_tour(
            "/odoo/action-print_change_request.print_order_action",
            "print_change_request_capture_accept_tour",
            login=self.operator.login,
        )
        self.env.invalidate_all()
        self.assertEqual(second.state, "done")
        self.assertEqual(order.communication_state, "accepted")
        self.assertTrue(order.is_paid)
        self.assertEqual(order.amount_paid, order.amount_total)
        # Captured once, the released authorization never captured, nothing refunded.
        self.assertEqual(
            order.sudo().transaction_ids.filtered(lambda t: t.state == "done"), second
        )
        self._assert_nothing_refunded(order)
