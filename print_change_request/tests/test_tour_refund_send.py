"""Send refund in Chromium: the refund's form shows the new state right after the click."""

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import PrintCommon


@tagged("post_install", "-at_install")
class TestTourRefundSend(PrintCommon, HttpCase):
    def test_01_send_refund_shows_done_at_once(self):
        demo_method = self.env.ref("payment_demo.payment_method_demo")
        demo = (
            self.env.ref("payment.payment_provider_demo")
            .sudo()
            .copy(
                {
                    "name": "Demo (refunds)",
                    "company_id": self.env.company.id,
                    "state": "test",
                    "payment_method_ids": [Command.set(demo_method.ids)],
                }
            )
        )
        order = self._create_order()
        self._pay_by_transaction(order, provider=demo)
        self._pay_by_transaction(order, provider=demo)  # a second tab paid again
        refund = order.refund_ids
        self.assertRecordValues(refund, [{"state": "draft", "to_check": True}])
        self.start_tour(
            f"/odoo/action-print_change_request.print_refund_action/{refund.id}",
            "print_change_request_refund_send_tour",
            login=self.accountant.login,
        )
        self.assertEqual(refund.state, "done")
