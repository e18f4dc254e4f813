"""The portal's rules, on the models (the controllers only call them): which jobs the
customer may change now, and how long their message may be."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..lib.text_limits import MESSAGE_MAX_LENGTH
from .common import PrintCommon


@tagged("post_install", "-at_install")
class TestPortalRules(PrintCommon):
    def test_01_only_the_jobs_asked_to_change_may_change(self):
        order = self._create_order(jobs=2)
        first, second = order.job_ids.sorted("sequence")
        reason = self.env.ref("print_change_request.reason_missing_fonts")
        order.with_user(self.operator)._send_change_request(
            files=[
                {
                    "job_id": first.id,
                    "attachment_id": first.attachment_ids.id,
                    "reason_id": reason.id,
                    "note": "Embed them",
                }
            ]
        )
        requests = self.env["print.change.request"]._get_open_for_customer(order)
        editable = order._get_portal_editable_jobs(requests)
        self.assertEqual(editable, first)
        first._check_portal_may_change(editable)  # no error
        with self.assertRaisesRegex(UserError, "Job 2 was not asked to change"):
            second._check_portal_may_change(editable)
        with self.assertRaisesRegex(UserError, "was not asked to change"):
            (first | second)._check_portal_may_change(editable)
        # Another order's open requests make no job of this one editable.
        self.assertFalse(self._create_order()._get_portal_editable_jobs(requests))

    def test_02_every_job_of_a_draft_may_change(self):
        order = self._create_order(jobs=2)
        order.sudo().portal_draft = True  # a fixture: the customer's draft
        editable = order._get_portal_editable_jobs(self.env["print.change.request"])
        self.assertEqual(editable, order.job_ids)

    def test_03_the_customers_message_has_a_length(self):
        Order = self.env["print.order"]
        self.assertEqual(Order._check_portal_message("x" * MESSAGE_MAX_LENGTH), "x" * 5000)
        self.assertEqual(Order._check_portal_message(["not", "text"]), "")
        with self.assertRaisesRegex(UserError, "Your message is too long: write at most 5000"):
            Order._check_portal_message("x" * (MESSAGE_MAX_LENGTH + 1))
