"""What each user reads: the outcome of Resend, why the e-mail failed, the request dialog's
checks and title, refunds still pending, the customer preview, and the demo's card payment
in the books."""

import smtplib
from unittest.mock import patch

from odoo import Command
from odoo.addons.base.models.ir_mail_server import IrMailServer
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import PrintCommon


@tagged("post_install", "-at_install")
class TestOrderWording(PrintCommon):
    def _refused(self):
        return patch.object(
            IrMailServer,
            "send_email",
            side_effect=smtplib.SMTPRecipientsRefused(
                {"paula.print@example.com": (550, b"No such user")}
            ),
        )

    def _request_failing_mail(self, order):
        with self._refused(), mute_logger("odoo.addons.mail.models.mail_mail"):
            self._request_change(order)
        self.assertTrue(order.customer_not_told)

    def test_01_red_banner_says_why_the_email_was_not_sent(self):
        order = self._create_order()
        self._request_failing_mail(order)
        self.assertEqual(order.mail_warning, "(The email was not sent)")
        self.assertTrue(order.customer_not_told_reason)
        self.assertEqual(order.customer_not_told_reason, order.last_change_request_id.mail_failure)

    def test_02_resend_that_fails_again_says_why(self):
        order = self._create_order()
        self._request_failing_mail(order)
        with self._refused(), mute_logger("odoo.addons.mail.models.mail_mail"):
            result = order.with_user(self.operator).action_resend_change_request()
        params = result["params"]
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(params["type"], "danger")
        self.assertTrue(params["sticky"])
        self.assertIn("The email was not sent to Paula Print again", params["message"])
        self.assertIn(order.last_change_request_id.mail_failure, params["message"])
        self.assertEqual(params["next"]["tag"], "soft_reload", "the form shows the new state")

    def test_03_resend_that_works_says_so(self):
        order = self._create_order()
        self._request_failing_mail(order)
        result = order.with_user(self.operator).action_resend_change_request()
        self.assertEqual(result["params"]["type"], "success")
        self.assertIn("e-mailed to Paula Print", result["params"]["message"])
        self.assertFalse(order.customer_not_told)
        self.assertFalse(order.mail_warning)

    def test_04_other_needs_a_note(self):
        order = self._create_order()
        action = order.with_user(self.operator).action_request_change()
        form = Form(
            self.env[action["res_model"]]
            .with_user(self.operator)
            .with_context(**action["context"])
        )
        with form.line_ids.edit(0) as line:
            line.to_change = True
            line.reason_id = self.env.ref("print_change_request.reason_other")
            line.note = "  "
        wizard = form.save()
        with self.assertRaisesRegex(UserError, r"Say in the note .*job1-file1.pdf \(Other\)"):
            wizard.action_confirm()
        self.assertEqual(order.communication_state, "new")
        wizard.line_ids.note = "The logo is cut off on the right"
        wizard.action_confirm()
        self.assertEqual(order.communication_state, "change_requested")

    def test_05_dialog_title_names_the_orders_and_shows_their_column(self):
        one, two = self._create_order(), self._create_order()
        action = one.with_user(self.operator).action_request_change()
        self.assertEqual(action["name"], f"Send a change request for {one.name}")
        self.assertEqual(action["context"]["dialog_size"], "extra-large")
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.operator)
            .with_context(**action["context"])
        ).create({})
        self.assertFalse(wizard.multi_order)
        both = (one | two).with_user(self.operator).action_request_change()
        self.assertFalse(both["name"].endswith(":"))
        wizard = (
            self.env[both["res_model"]].with_user(self.operator).with_context(**both["context"])
        ).create({})
        self.assertTrue(wizard.multi_order, "the Order column is shown")

    def test_06_pending_refund_is_called_pending(self):
        order = self._create_order()
        self._pay_by_invoice(order)
        self._request_change(order, refund="manual")
        order = order.with_user(self.accountant)
        self.assertEqual(order.amount_paid, 0.0)
        self.assertEqual(order.amount_refund_pending, 10.0)
        self.assertEqual(order.amount_refund_done, 0.0)
        refund = order.refund_ids.with_user(self.accountant)
        refund.manual_reference = "Bank transfer 2026-118"
        refund.action_mark_done()
        order.invalidate_recordset()
        self.assertEqual(order.amount_refund_pending, 0.0)
        self.assertEqual(order.amount_refund_done, 10.0)

    def test_07_customer_preview_opens_the_portal_page(self):
        order = self._create_order()
        action = order.with_user(self.operator).action_preview()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertTrue(order.access_token)
        self.assertEqual(action["url"], order.get_portal_url())
        self.assertIn(f"/my/print_orders/{order.id}", action["url"])
        self.assertIn(order.access_token, action["url"])


@tagged("post_install", "-at_install")
class TestRequestItemsBatch(PrintCommon):
    def test_01_items_inserted_in_sql_keep_what_create_guarantees(self):
        """The items and lines written in one INSERT get what ``create()`` would give them
        (``print.batch.insert.mixin._after_sql_insert``): defaults, valid selections, the
        companies checked, the record rules of the new rows."""
        order = self._create_order(jobs=2, files=2)
        self._request_change(order, files=3)
        request = order.change_request_ids
        Item = self.env["print.change.request.item"].sudo()
        job = order.job_ids[0]
        # a default: an item without a kind is a file's, as create() makes it
        item = Item._insert_batch([{"request_id": request.id, "job_id": job.id}])
        self.assertEqual(item.kind, "file")
        self.assertEqual(item.company_id, request.company_id)
        # a selection value the field does not offer
        with self.assertRaisesRegex(ValidationError, "fax"), self.env.cr.savepoint():
            Item._insert_batch([{"request_id": request.id, "job_id": job.id, "kind": "fax"}])
        # a job of another company on this company's request
        company_2 = self.setup_other_company()["company"]
        order_2 = self.env["print.order"].create(
            {"partner_id": self.customer.id, "company_id": company_2.id}
        )
        job_2 = self.env["print.job"].create(
            {
                "order_id": order_2.id,
                "name": "Company 2 job",
                "attachment_ids": [Command.create(self._file_vals("company2.pdf"))],
            }
        )
        with self.assertRaises(UserError), self.env.cr.savepoint():
            Item._insert_batch([{"request_id": request.id, "job_id": job_2.id}])
        # the record rules of the new rows: an operator of company 1 cannot have the dialog's
        # lines made for a job (and files) of company 2
        action = order.with_user(self.operator).action_request_change()
        wizard = self.env[action["res_model"]].with_user(self.operator).browse(action["res_id"])
        lines = self.env["print.change.request.line"].with_user(self.operator)
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            lines._insert_for_files(wizard, job_2, [])
        self.assertFalse(wizard.line_ids.filtered(lambda line: line.job_id == job_2))
        self.assertEqual(len(request.item_ids), 4)

    def test_02_batch_checks_access_and_columns(self):
        order = self._create_order()
        self._request_change(order)
        request = order.change_request_ids
        vals = {"request_id": request.id, "job_id": order.job_ids.id, "kind": "ticket"}
        items = self.env["print.change.request.item"].with_user(self.accountant)
        with self.assertRaises(AccessError):
            items._insert_batch([vals])
        with self.assertRaises(AccessError):  # items are written by Odoo, read by users
            items.with_user(self.operator)._insert_batch([vals])
        with self.assertRaisesRegex(ValueError, "does not write"):
            items.sudo()._insert_batch([{**vals, "create_uid": 1}])
        self.assertEqual(len(request.item_ids), 1)
