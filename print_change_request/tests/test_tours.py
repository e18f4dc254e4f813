"""The orders list and an order form, in Chromium."""

from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestTours(HttpCase):
    def test_01_order_list_and_form(self):
        customer = self.env["res.partner"].create({"name": "Tour Customer"})
        orders = self.env["print.order"].create(
            [
                {"name": "TOUR/WAITING", "partner_id": customer.id},
                {"name": "TOUR/PAID", "partner_id": customer.id},
            ]
        )
        self.env["print.job"].create(
            [
                {
                    "order_id": orders[0].id,
                    "name": "Poster",
                    "price_unit": 4.0,
                    "communication_state": "change_requested",
                },
                {"order_id": orders[1].id, "name": "Cards", "price_unit": 7.0},
            ]
        )
        method = self.env.ref("payment.payment_method_unknown")
        provider = self.env["payment.provider"].create(
            {
                "name": "Tour provider",
                "code": "none",
                "state": "test",
                "payment_method_ids": [Command.set(method.ids)],
            }
        )
        method.active = True
        tx = self.env["payment.transaction"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": method.id,
                "reference": "TOUR-PAID-1",
                "amount": 7.0,
                "currency_id": orders[1].currency_id.id,
                "partner_id": customer.id,
                "print_order_ids": [Command.link(orders[1].id)],
            }
        )
        tx._set_done()
        self.assertTrue(orders[1].is_paid)
        self.start_tour(
            "/odoo/action-print_change_request.print_order_action",
            "print_change_request_order_list_tour",
            login="admin",
        )
