"""The operator's and the accountant's rough edges, as they meet them in the back office:
quick create, the "not paid" dialog, e-mails that fail after the green toast, every
preflight finding reaching the customer, the customer's changes to check, the chatter, the
refunded payment, the state colors."""

import html
import smtplib
from unittest.mock import patch

from odoo import Command
from odoo.addons.base.models.ir_mail_server import IrMailServer
from odoo.addons.mail.models.mail_mail import MailMail
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from ..lib import communication_state as cs
from . import preflight_samples as samples
from .common import PrintCommon

CHECK_CHANGES = "print_change_request.mail_activity_type_check_changes"


@tagged("post_install", "-at_install")
class TestOperatorEdges(PrintCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.paper.write({"print_media_width_mm": 210, "print_media_height_mm": 297})

    def _mails_after_commit(self):
        """Outside tests Odoo e-mails a notification after the commit, so the dialog that
        posted it cannot know yet whether it went out: do the same here (the test cursor
        never commits), with a mail server that refuses the customer."""
        refused = smtplib.SMTPRecipientsRefused(
            {"paula.print@example.com": (550, b"No such user")}
        )
        return (
            patch.object(MailMail, "send_after_commit", lambda mails: None),
            patch.object(IrMailServer, "send_email", side_effect=refused),
            mute_logger("odoo.addons.mail.models.mail_mail"),
        )

    # ------------------------------------------------------------
    # Kanban "+"
    # ------------------------------------------------------------

    def test_01_kanban_has_no_quick_create_and_a_group_default_is_not_a_state(self):
        arch = self.env["print.order"].get_view(view_type="kanban")["arch"]
        self.assertIn('quick_create="0"', arch, "orders are created in the full form")
        # A grouped view passes its column as a default; the new order is New all the same.
        form = Form(
            self.env["print.order"]
            .with_user(self.operator)
            .with_context(default_communication_state=cs.ACCEPTED)
        )
        self.assertEqual(form.communication_state, cs.NEW)
        form.partner_id = self.customer
        with form.job_ids.new() as job:
            job.name = "Flyers"
            job.product_id = self.paper
        order = form.save()
        self.assertEqual(order.communication_state, cs.NEW)
        self.assertEqual(order.partner_id, self.customer)

    # ------------------------------------------------------------
    # Accept unpaid
    # ------------------------------------------------------------

    def _unpaid_dialog(self, user):
        self.env.company.print_payment_required = True
        order = self._create_order()
        self._pay_by_invoice(order)
        self._request_change(order, refund="manual")
        order.with_user(self.operator).action_customer_changed()
        action = order.with_user(user).action_accept()
        return order, self.env[action["res_model"]].with_user(user).browse(action["res_id"])

    def test_02_accept_unpaid_needs_a_reason(self):
        order, dialog = self._unpaid_dialog(self.manager)
        step = dialog.action_open_accept_unpaid()
        self.assertEqual(step["res_id"], dialog.id)
        reason_form = Form(dialog, view=step["views"][0][0])
        self.assertTrue(reason_form._get_modifier("reason", "required"))
        for empty in (False, "   "):
            dialog.reason = empty
            with self.assertRaisesRegex(UserError, "Say why order .* is accepted without payment"):
                dialog.action_accept_unpaid()
        self.assertEqual(order.communication_state, cs.CHANGED, "nothing accepted")
        dialog.reason = "Pays at the end of the month"
        self.assertTrue(dialog.action_accept_unpaid())
        self.assertEqual(order.communication_state, cs.ACCEPTED)

    def test_03_the_payment_link_button_says_what_it_does(self):
        _order, dialog = self._unpaid_dialog(self.operator)
        arch = dialog.get_view(view_type="form")["arch"]
        self.assertIn('string="Copy the payment link for the customer"', arch)
        self.assertNotIn("Send a payment link", arch)
        with self.assertRaisesRegex(UserError, "Only a Print Shop manager"):
            dialog.action_open_accept_unpaid()

    def test_04_a_pending_refund_is_said_pending_then_refunded(self):
        order, dialog = self._unpaid_dialog(self.operator)
        self.assertIn("a refund of", dialog.message)
        self.assertIn("is pending", dialog.message)
        self.assertNotIn("was refunded", dialog.message)
        self.assertEqual(order.amount_refund_pending, 10.0)
        refund = order.refund_ids
        refund.with_user(self.accountant).action_mark_done(reference="Transfer 42")
        self.assertEqual(refund.state, "done")
        message = order._get_unpaid_message()
        self.assertIn("was refunded", message)
        self.assertNotIn("is pending", message)

    # ------------------------------------------------------------
    # E-mails that fail
    # ------------------------------------------------------------

    def test_05_a_request_whose_email_fails_gets_a_warning_toast(self):
        order = self._create_order()
        mail_patch, server_patch, mute = self._mails_after_commit()
        with mail_patch, server_patch, mute:
            result = self._request_change(order)
        self.assertTrue(order.customer_not_told)
        params = result["params"]
        self.assertEqual(params["type"], "warning")
        self.assertTrue(params["sticky"])
        self.assertIn("recorded", params["message"])
        self.assertIn("the e-mail to the customer failed", params["message"])
        self.assertNotIn("Request for change sent", params["message"])

    def test_06_resend_says_what_happened_and_leaves_a_trace(self):
        order = self._create_order()
        mail_patch, server_patch, mute = self._mails_after_commit()
        with mail_patch, server_patch, mute:
            self._request_change(order)
            self.customer.email = "paula@nowhere.invalid"  # still refused
            result = order.with_user(self.operator).action_resend_change_request()
        self.assertEqual(result["params"]["type"], "danger")
        self.assertIn("was not sent", result["params"]["message"])
        note = order.message_ids.filtered(
            lambda message: "the e-mail was not sent again" in (message.body or "")
        )
        self.assertEqual(len(note), 1)
        self.assertIn(order.change_request_ids.name, note.body)
        self.assertTrue(order.customer_not_told)
        self.assertTrue(order.customer_not_told_reason)

        # Fixed: the e-mail goes out now and the toast says so.
        with patch.object(MailMail, "send_after_commit", lambda mails: None):
            result = order.with_user(self.operator).action_resend_change_request()
        self.assertEqual(result["params"]["type"], "success")
        self.assertFalse(order.customer_not_told)

    # ------------------------------------------------------------
    # Every finding reaches the request and the customer
    # ------------------------------------------------------------

    def test_07_a_file_with_two_findings_asks_both(self):
        env = self.env(user=self.operator)
        order = env["print.order"].create({"partner_id": self.customer.id})
        env["print.job"].create(
            {
                "order_id": order.id,
                "name": "Poster",
                "product_id": self.paper.id,
                "attachment_ids": [
                    Command.create({"name": "poster.pdf", "raw": samples.a3_fonts_pdf()})
                ],
            }
        )
        fonts = self.env.ref("print_change_request.reason_missing_fonts")
        found = order.job_ids.preflight_finding_ids.filtered(
            lambda finding: finding.severity in ("error", "warning")
        ).reason_id
        self.assertIn(fonts, found)
        self.assertEqual(len(found), 2, "page size and fonts")
        action = order.with_user(self.operator).action_request_change()
        form = Form(
            self.env[action["res_model"]]
            .with_user(self.operator)
            .with_context(**action["context"])
        )
        wizard = form.save()
        self.assertEqual(wizard.line_ids.reason_id, found, "one line per reason")
        self.assertTrue(all(wizard.line_ids.mapped("to_change")))
        fonts_line = wizard.line_ids.filtered(lambda line: line.reason_id == fonts)
        self.assertIn("Helvetica", fonts_line.note)
        wizard.action_confirm()
        request = order.change_request_ids
        self.assertEqual(request.item_ids.reason_id, found)
        body = html.unescape(request.mail_message_id.body)
        why = body[body.index("Why") :]
        for reason in found:
            self.assertIn(reason.name, why, "the e-mail's Why explains every reason")
            self.assertIn(reason.description.split("\n")[0][:30], why)

    # ------------------------------------------------------------
    # The customer's changes to check
    # ------------------------------------------------------------

    def _answered_order(self, jobs=1):
        order = self._create_order(jobs=jobs)
        action = order.with_user(self.operator).action_request_change()
        form = Form(
            self.env[action["res_model"]]
            .with_user(self.operator)
            .with_context(**action["context"])
        )
        form.ticket_job_ids.add(order.job_ids[0])
        form.ticket_note = "Choose 170 g paper"
        form.save().action_confirm()
        # The customer answers on the portal (the controller calls this in sudo).
        order.change_request_ids.sudo()._submit_answer("We keep 80 g", author=self.customer)
        self.assertEqual(len(order.activity_ids), 1)
        self.assertEqual(order.activity_ids.activity_type_id, self.env.ref(CHECK_CHANGES))
        return order

    def test_08_check_the_changes_is_done_when_the_order_goes_on(self):
        order = self._answered_order()
        order.with_user(self.operator).action_accept()
        self.assertEqual(order.communication_state, cs.ACCEPTED)
        self.assertFalse(order.activity_ids, "accepted: the changes were checked")
        done = order.message_ids.filtered(
            lambda message: message.mail_activity_type_id == self.env.ref(CHECK_CHANGES)
        )
        self.assertEqual(len(done), 1, "the done activity is in the chatter")

        other = self._answered_order()
        other.with_user(self.operator).action_cancel()
        self.assertFalse(other.activity_ids)

    # ------------------------------------------------------------
    # The chatter
    # ------------------------------------------------------------

    def _state_messages(self, order):
        """Every chatter line telling a state change: tracking values and notes."""
        order.env.flush_all()
        order.env.cr.precommit.run()
        tracked = order.message_ids.filtered(
            lambda message: message.tracking_value_ids.filtered(
                lambda value: value.field_id.name == "communication_state"
            )
        )
        notes = order.message_ids.filtered(
            lambda message: "Communication state:" in (message.body or "")
        )
        return tracked, notes

    def test_09_a_state_change_is_written_once(self):
        env = self.env(context={"lang": "en_US"})  # mail tracking on
        order = self._create_order(jobs=2).with_env(env)
        env.flush_all()
        env.cr.precommit.run()
        order.with_user(self.operator).action_accept()
        tracked, notes = self._state_messages(order)
        self.assertEqual(len(tracked), 1, "the order's tracking tells New -> Accepted")
        self.assertFalse(notes, "no second note saying the same")

        # Only some jobs move: the note says which; the order's own state does not change.
        order = self._create_order(jobs=2, job_states=["new", "changed"]).with_env(env)
        env.flush_all()
        env.cr.precommit.run()
        order.job_ids[0].with_user(self.operator)._mark_change_requested()
        tracked, notes = self._state_messages(order)
        self.assertEqual(len(notes), 1)
        self.assertIn("Job 1", notes.body)
        self.assertNotIn("Job 2", notes.body)

    # ------------------------------------------------------------
    # The refunded payment
    # ------------------------------------------------------------

    def test_10_a_refund_shows_the_payment_it_gives_back(self):
        order = self._create_order()
        tx = self._pay_by_transaction(order)
        self._request_change(order, refund="manual")
        refund = order.refund_ids.with_user(self.accountant)
        self.assertEqual(refund.method, "manual")
        self.assertIn(tx.reference, refund.refunded_payment_label)
        self.assertIn("10.00", refund.refunded_payment_label)

        other = self._create_order()
        invoice = self._pay_by_invoice(other)
        self._request_change(other, refund="manual")
        refund = other.refund_ids.with_user(self.accountant)
        payment = invoice._get_reconciled_payments()
        self.assertEqual(refund.refunded_payment_id, payment)
        self.assertIn(payment.name, refund.refunded_payment_label)
        for view_type in ("list", "form"):
            arch = refund.get_view(view_type=view_type)["arch"]
            self.assertIn('name="refunded_payment_label"', arch)
        # An operator reads it too, without the right to read payments.
        self.assertTrue(refund.with_user(self.operator).refunded_payment_label)

    # ------------------------------------------------------------
    # Colors and columns
    # ------------------------------------------------------------

    def test_11_every_state_badge_has_the_state_color(self):
        for model in ("print.order", "print.job"):
            for view_type in ("list", "form") + (("kanban",) if model == "print.order" else ()):
                arch = self.env[model].get_view(view_type=view_type)["arch"]
                with self.subTest(model=model, view=view_type):
                    self.assertNotIn('name="communication_state" widget="badge"', arch)
                    self.assertIn('widget="print_state_badge"', arch)
                    if view_type == "list":
                        # Rows are not colored apart from the state's color.
                        for decoration in ("info", "warning", "primary", "success", "danger"):
                            self.assertNotRegex(
                                arch, rf"<list[^>]*decoration-{decoration}=", decoration
                            )
        order = self._create_order(job_states=["changed"])
        self.assertEqual(order.color, cs.color(cs.CHANGED))
        self.assertEqual(order.job_ids.color, cs.color(cs.CHANGED))

    def test_12_list_columns_are_sized(self):
        arch = self.env["print.order"].get_view(view_type="list")["arch"]
        for name in ("name", "communication_state", "is_paid"):
            self.assertRegex(arch, rf'<field name="{name}"[^>]*width="\d+px"', name)
