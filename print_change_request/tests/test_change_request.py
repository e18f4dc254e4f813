"""The operator's Request for change on unpaid orders: the dialog, the states, the record,
the e-mail (and when it cannot be sent), waiting or going on, the customer's answer."""

import smtplib
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.addons.base.models.ir_mail_server import IrMailServer
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from ..lib import communication_state as cs
from .common import PrintCommon


@tagged("post_install", "-at_install")
class TestChangeRequest(PrintCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reason_fonts = cls.env.ref("print_change_request.reason_missing_fonts")
        cls.reason_pdf = cls.env.ref("print_change_request.reason_protected_pdf")

    def _wizard_form(self, orders, user=None):
        action = orders.with_user(user or self.operator).action_request_change()
        return Form(
            self.env[action["res_model"]]
            .with_user(user or self.operator)
            .with_context(**action["context"])
        )

    def _customer_mails(self, order):
        return order.message_ids.filtered(
            lambda message: (
                message.message_type == "comment" and order.partner_id in message.partner_ids
            )
        )

    def test_01_dialog_lists_every_file_of_every_live_job(self):
        order = self._create_order(job_states=["new", "changed", "canceled"], files=2)
        form = self._wizard_form(order)
        self.assertEqual(
            len(form.line_ids), 4, "2 live jobs x 2 files; the canceled job is left out"
        )
        wizard = form.save()
        self.assertEqual(wizard.line_ids.attachment_id, order.job_ids[:2].attachment_ids)
        self.assertFalse(any(wizard.line_ids.mapped("to_change")))

    def test_02_ok_with_nothing_selected_is_a_clear_error(self):
        order = self._create_order()
        wizard = self._wizard_form(order).save()
        with self.assertRaisesRegex(UserError, "Select at least one file"):
            wizard.action_confirm()
        self.assertEqual(order.communication_state, "new")
        self.assertFalse(order.change_request_ids)

    def test_03_every_file_to_change_needs_a_reason(self):
        order = self._create_order()
        form = self._wizard_form(order)
        with self.assertRaisesRegex(AssertionError, "reason_id"):  # required by the view
            with form.line_ids.edit(0) as line:
                line.to_change = True
        wizard = self.env["print.change.request.wizard"].create(
            {
                "order_ids": [(6, 0, order.ids)],
                "line_ids": [
                    (
                        0,
                        0,
                        {
                            "job_id": order.job_ids.id,
                            "attachment_id": order.job_ids.attachment_ids.id,
                            "to_change": True,
                        },
                    )
                ],
            }
        )
        with self.assertRaisesRegex(UserError, "Give a reason for each file"):
            wizard.action_confirm()

    def test_04_no_change_on_accepted_dispatched_finalized_or_canceled_jobs(self):
        for state in ("accepted", "dispatched", "finalized", "canceled"):
            with self.subTest(state=state):
                order = self._create_order(job_states=["new", state])
                job = order.job_ids[1]
                wizard = self.env["print.change.request.wizard"].create(
                    {
                        "order_ids": [(6, 0, order.ids)],
                        "ticket_job_ids": [(6, 0, job.ids)],
                        "ticket_note": "Other paper",
                    }
                )
                with self.assertRaisesRegex(UserError, "can no longer be requested"):
                    wizard.action_confirm()
                self.assertEqual(job.communication_state, state)
                self.assertFalse(order.change_request_ids)

    def test_05_request_changes_states_records_and_tells_the_customer(self):
        order = self._create_order(jobs=2, files=2)
        form = self._wizard_form(order)
        with form.line_ids.edit(1) as line:
            line.to_change = True
            line.reason_id = self.reason_pdf
            line.note = "Remove the password"
        form.message = "Thanks for your order!"
        result = form.save().action_confirm()

        first, second = order.job_ids
        self.assertEqual(first.communication_state, "change_requested")
        self.assertEqual(second.communication_state, "new", "only the chosen job changes")
        self.assertEqual(order.communication_state, "change_requested")
        self.assertEqual(order.color, cs.COLORS["change_requested"])

        request = order.change_request_ids
        self.assertEqual(len(request), 1)
        self.assertTrue(request.name.startswith("RFC/"))
        self.assertEqual(request.user_id, self.operator)
        self.assertEqual(request.job_ids, first)
        self.assertEqual(request.state, "waiting")
        self.assertEqual(request.message, "Thanks for your order!")
        item = request.item_ids
        self.assertEqual(
            (item.kind, item.attachment_id, item.file_name, item.reason_id, item.note),
            (
                "file",
                first.attachment_ids.sorted("id")[1],
                "job1-file2.pdf",
                self.reason_pdf,
                "Remove the password",
            ),
        )

        mail = self._customer_mails(order)
        self.assertEqual(len(mail), 1)
        self.assertEqual(request.mail_message_id, mail)
        self.assertIn("Please change your order", mail.subject)
        self.assertIn("job1-file2.pdf", mail.body)
        self.assertIn(self.reason_pdf.description, mail.body)
        self.assertIn(order.get_portal_url(), mail.body)
        self.assertEqual(request.mail_state, "sent")
        self.assertFalse(order.customer_not_told)
        self.assertEqual(order.communication_state_label, "Request for change")
        self.assertTrue(
            order.message_ids.filtered(lambda m: request.name in (m.body or "")),
            "the chatter shows what was asked",
        )
        self.assertEqual(result["params"]["type"], "success")

    def test_06_job_ticket_changes(self):
        order = self._create_order(jobs=2)
        form = self._wizard_form(order)
        form.ticket_job_ids.add(order.job_ids[1])
        form.ticket_note = "350 g paper is out of stock: choose 300 g"
        form.save().action_confirm()
        self.assertEqual(order.job_ids.mapped("communication_state"), ["new", "change_requested"])
        item = order.change_request_ids.item_ids
        self.assertEqual(
            (item.kind, item.job_id, item.attachment_id.id), ("ticket", order.job_ids[1], False)
        )
        self.assertIn("choose 300 g", self._customer_mails(order).body)

    def test_07_ticket_change_needs_a_note(self):
        order = self._create_order()
        wizard = self.env["print.change.request.wizard"].create(
            {"order_ids": [(6, 0, order.ids)], "ticket_job_ids": [(6, 0, order.job_ids.ids)]}
        )
        with self.assertRaisesRegex(UserError, "what must change in the job ticket"):
            wizard.action_confirm()

    def test_08_customer_without_email_is_marked_not_told_and_resend_works(self):
        self.customer.email = False
        order = self._create_order()
        result = self._request_change(order)
        request = order.change_request_ids
        self.assertEqual(request.mail_state, "failed")
        self.assertTrue(order.customer_not_told)
        self.assertEqual(
            order.communication_state_label, "Request for change (The email was not sent)"
        )
        self.assertEqual(result["params"]["type"], "warning")
        self.assertIn("The email was not sent", result["params"]["message"])
        with self.assertRaisesRegex(UserError, "has no e-mail address"):
            order.action_resend_change_request()
        self.customer.email = "paula.print@example.com"
        order.action_resend_change_request()
        self.assertEqual(request.mail_state, "sent")
        self.assertFalse(order.customer_not_told)
        self.assertEqual(len(self._customer_mails(order)), 2)

    def test_09_smtp_failure_is_marked_not_told(self):
        order = self._create_order()
        refused = smtplib.SMTPRecipientsRefused(
            {"paula.print@example.com": (550, b"No such user")}
        )
        with (
            patch.object(IrMailServer, "send_email", side_effect=refused),
            mute_logger("odoo.addons.mail.models.mail_mail"),
        ):
            self._request_change(order)
        self.assertEqual(order.change_request_ids.mail_state, "failed")
        self.assertTrue(order.customer_not_told)
        self.assertEqual(
            order.communication_state, "change_requested", "the request still went out"
        )

    def test_10_several_orders_from_the_list(self):
        orders = self._create_order() | self._create_order(jobs=2)
        form = self._wizard_form(orders)
        self.assertEqual(len(form.line_ids), 3)
        for index in (0, 2):
            with form.line_ids.edit(index) as line:
                line.to_change = True
                line.reason_id = self.reason_fonts
        form.save().action_confirm()
        self.assertEqual(orders.mapped("communication_state"), ["change_requested"] * 2)
        self.assertEqual(len(orders.change_request_ids), 2)
        self.assertEqual(
            orders[1].job_ids.mapped("communication_state"), ["new", "change_requested"]
        )

    def test_11_a_dialog_sends_once(self):
        order = self._create_order()
        form = self._wizard_form(order)
        with form.line_ids.edit(0) as line:
            line.to_change = True
            line.reason_id = self.reason_fonts
        wizard = form.save()
        wizard.action_confirm()
        with self.assertRaisesRegex(UserError, "already sent"):
            wizard.action_confirm()
        self.assertEqual(len(order.change_request_ids), 1)
        self.assertEqual(len(self._customer_mails(order)), 1)

    def test_12_workflow_waits_for_the_customer_unless_told_not_to(self):
        order = self._create_order(jobs=2)
        self._request_change(order)
        action = order.with_user(self.operator).action_accept()
        self.assertEqual(action["res_model"], "print.order.continue.wizard")
        self.assertEqual(order.communication_state, "change_requested")

        # OK in the dialog records the choice and accepts, as the operator asked.
        wizard = self.env[action["res_model"]].with_user(self.operator).browse(action["res_id"])
        self.assertTrue(wizard.action_continue())
        self.assertEqual(set(order.job_ids.mapped("communication_state")), {"accepted"})
        self.assertTrue(order.customer_wait_skipped)
        self.assertEqual(order.change_request_ids.state, "not_waited")
        self.assertTrue(
            order.message_ids.filtered(
                lambda m: "I do not wait for the response of the customer" in (m.body or "")
            )
        )

    def test_13_customer_can_still_answer_after_operator_went_on(self):
        order = self._create_order(jobs=2)
        self._request_change(order)
        order.action_continue_without_customer()
        order.action_customer_changed()
        self.assertEqual(order.job_ids.mapped("communication_state"), ["changed", "new"])
        self.assertEqual(order.communication_state, "changed")
        self.assertEqual(order.color, cs.COLORS["changed"])
        self.assertEqual(order.change_request_ids.state, "answered")
        self.assertFalse(order.customer_wait_skipped)
        order.action_accept()
        self.assertEqual(order.communication_state, "accepted")

    def test_14_continue_needs_a_waiting_order(self):
        order = self._create_order()
        with self.assertRaisesRegex(UserError, "not waiting for the customer"):
            order.action_continue_without_customer()
        with self.assertRaisesRegex(UserError, "no job waiting for the customer"):
            order.action_customer_changed()

    def test_14b_jobs_of_other_orders_are_refused(self):
        order, other = self._create_order(), self._create_order()
        wizard = self.env["print.change.request.wizard"].create(
            {
                "order_ids": [(6, 0, order.ids)],
                "ticket_job_ids": [(6, 0, other.job_ids.ids)],
                "ticket_note": "Other paper",
            }
        )
        with self.assertRaisesRegex(UserError, "Only jobs of"):
            wizard.action_confirm()
        self.assertEqual(other.communication_state, "new")
        self.assertFalse(other.change_request_ids)

    def test_15_accountants_cannot_send_requests(self):
        order = self._create_order()
        with self.assertRaises(AccessError):
            self.env["print.change.request.wizard"].with_user(self.accountant).create(
                {"order_ids": [(6, 0, order.ids)]}
            )

    def test_16_reminders_and_deadline(self):
        self.env.company.write(
            {"print_reminder_days": 3, "print_reminder_max": 2, "print_deadline_days": 7}
        )
        order = self._create_order()
        order.user_id = self.operator
        self._request_change(order)
        request = order.change_request_ids
        Request = self.env["print.change.request"]

        reminded, late = Request._cron_remind_customers()
        self.assertFalse(reminded & request, "too early for a reminder")

        request.sudo().date_requested = fields.Datetime.now() - timedelta(days=4)
        reminded, late = Request._cron_remind_customers()
        self.assertIn(request, reminded)
        self.assertEqual(request.reminder_count, 1)
        self.assertEqual(len(self._customer_mails(order)), 2)
        self.assertIn("Reminder", self._customer_mails(order)[0].subject)
        reminded, late = Request._cron_remind_customers()
        self.assertNotIn(request, reminded, "the next reminder waits 3 more days")
        self.assertNotIn(request, late)

        request.sudo().write(
            {
                "date_requested": fields.Datetime.now() - timedelta(days=8),
                "date_last_reminder": fields.Datetime.now() - timedelta(days=4),
            }
        )
        reminded, late = Request._cron_remind_customers()
        self.assertIn(request, reminded)
        self.assertIn(request, late)
        self.assertEqual(request.reminder_count, 2)
        activity = order.activity_ids
        self.assertEqual(activity.user_id, self.operator)
        self.assertIn("did not answer", activity.summary)

        request.sudo().date_last_reminder = fields.Datetime.now() - timedelta(days=4)
        reminded, late = Request._cron_remind_customers()
        self.assertNotIn(request, reminded, "at most 2 reminders")
        self.assertNotIn(request, late, "one deadline to-do")
        self.assertEqual(len(order.activity_ids), 1)

    def test_17_answered_or_not_waited_requests_get_no_reminder(self):
        order = self._create_order()
        self._request_change(order)
        request = order.change_request_ids
        request.sudo().date_requested = fields.Datetime.now() - timedelta(days=30)
        order.action_continue_without_customer()
        reminded, late = self.env["print.change.request"]._cron_remind_customers()
        self.assertNotIn(request, reminded)
        self.assertNotIn(request, late)
