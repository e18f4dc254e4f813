"""The customer and the shop talk on the order, in Chromium as the customer: the request for
change in the order page's messages, a reply from there; after the operator's "I do not wait
for the response of the customer.", the page says the shop went ahead."""

from odoo.tests import tagged

from .portal_common import PrintPortalCommon


@tagged("post_install", "-at_install")
class TestTourPortalTalk(PrintPortalCommon):
    def test_01_the_customer_reads_the_request_replies_and_sees_the_shop_went_ahead(self):
        responsible = self.order.user_id.partner_id
        self.start_tour(
            f"/my/print_orders/{self.order.id}",
            "print_change_request_portal_talk_tour",
            login="portal_paula",
        )
        self.env.invalidate_all()
        reply = self.order.message_ids.filtered(
            lambda message: "Can I send the new file on Monday?" in (message.body or "")
        )
        self.assertEqual(len(reply), 1)
        self.assertEqual(reply.author_id, self.customer)
        self.assertEqual(reply.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertIn(responsible, reply.notification_ids.res_partner_id)

        action = self.order.with_user(self.operator).action_accept()
        self.env[action["res_model"]].with_user(self.operator).browse(
            action["res_id"]
        ).action_continue()
        self.env.invalidate_all()
        self.assertEqual(self.order.communication_state, "accepted")

        self.start_tour(
            f"/my/print_orders/{self.order.id}",
            "print_change_request_portal_went_ahead_tour",
            login="portal_paula",
        )
