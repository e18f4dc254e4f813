"""After an accountant's Send refund (or Retry, or Refund by hand that leaves some refunds as
they are), the refund's form shows the new state at once: the notification reloads it."""

from odoo import Command
from odoo.tests import tagged

from .common import PrintCommon


@tagged("post_install", "-at_install")
class TestRefundSendReload(PrintCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        demo_method = cls.env.ref("payment_demo.payment_method_demo")
        cls.demo = (
            cls.env.ref("payment.payment_provider_demo")
            .sudo()
            .copy(
                {
                    "name": "Demo (refunds)",
                    "company_id": cls.env.company.id,
                    "state": "test",
                    "payment_method_ids": [Command.set(demo_method.ids)],
                }
            )
        )

    def test_01_send_refund_reloads_the_form_with_the_new_state(self):
        order = self._create_order()
        self._pay_by_transaction(order, provider=self.demo)
        self._pay_by_transaction(order, provider=self.demo)  # a second tab paid again
        refund = order.refund_ids.with_user(self.accountant)
        self.assertRecordValues(refund, [{"state": "draft", "origin": "overpaid"}])

        result = refund.action_send()

        self.assertEqual(refund.state, "done")
        self.assertEqual(result["tag"], "display_notification")
        self.assertIn(refund.name, result["params"]["message"])
        self.assertEqual(
            result["params"].get("next"),
            {"type": "ir.actions.client", "tag": "soft_reload"},
            "the form shows Done, without its Send button, right after the click",
        )
