"""How the order goes, as the customer and the operator live it: status e-mails at Accept,
Dispatch and Finalize (templates the shop edits, a setting turns them off), the order's page
saying it, the hold on the customer's card released by a request for change (page and
e-mail), the "New order from the portal" to-do done once the order goes on, the warning
before going ahead with files the preflight found errors in, and the highlighted button."""

import html

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, HttpCase, tagged
from odoo.tools.safe_eval import safe_eval

from ..lib import communication_state as cs
from . import preflight_samples as samples
from .common import PrintCommon
from .portal_common import PrintPortalCommon
from .test_capture import CaptureMixin

FILE_ERROR_WIZARD = "print.order.file.error.wizard"


class StatusMailMixin:
    def _status_messages(self, order, fragment):
        return order.message_ids.filtered(lambda message: fragment in (message.subject or ""))

    def _assert_status_mail(self, order, fragment):
        """One message ``fragment`` (its subject), by the shop, to the customer only."""
        message = self._status_messages(order, fragment)
        self.assertEqual(len(message), 1, f"one e-mail {fragment!r}")
        self.assertEqual(message.author_id, order.user_id.partner_id, "from the shop")
        self.assertEqual(message.partner_ids, self.customer)
        self.assertEqual(message.notification_ids.res_partner_id, self.customer, "customer only")
        self.assertEqual(message.message_type, "comment")
        mail = self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        self.assertEqual(mail.recipient_ids, self.customer, "e-mailed to the customer")
        return message


@tagged("post_install", "-at_install")
class TestStatusMails(StatusMailMixin, PrintCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls._create_user(
            "pcr_settings_admin", "base.group_system,print_change_request.group_print_manager"
        )
        cls.env.company.print_payment_required = False

    def _order_through(self, *steps):
        order = self._create_order(jobs=2, user_id=self.operator.id)
        for step in steps:
            getattr(order.with_user(self.operator), f"action_{step}")()
        return order

    def test_01_accept_dispatch_finalize_each_tell_the_customer_once(self):
        order = self._order_through("accept")
        self.assertEqual(order.communication_state, cs.ACCEPTED)
        accepted = self._assert_status_mail(order, "is accepted")
        self.assertIn("accepted it", accepted.body)
        self.assertFalse(self._status_messages(order, "on its way"))

        order.with_user(self.operator).action_dispatch()
        self._assert_status_mail(order, "on its way")
        order.with_user(self.operator).action_finalize()
        self._assert_status_mail(order, "is complete")
        self._assert_status_mail(order, "is accepted")  # still one: not sent again

    def test_02_the_shop_edits_the_template_and_the_customer_reads_the_edit(self):
        template = self.env.ref("print_change_request.mail_template_order_dispatched")
        Form(template.with_user(self.admin))  # the shop's admin opens it in the backend
        template.with_user(self.admin).write(
            {
                "subject": "Parcel for {{ object.name }} left the shop",
                "body_html": "<p>Our courier brings <t t-out='object.name'/> tomorrow.</p>",
            }
        )
        order = self._order_through("accept", "dispatch")
        message = self._status_messages(order, "Parcel for")
        self.assertEqual(message.subject, f"Parcel for {order.name} left the shop")
        self.assertIn(f"Our courier brings {order.name} tomorrow.", message.body)

    def test_03_the_setting_turns_status_mails_off(self):
        settings = Form(self.env["res.config.settings"].with_user(self.admin))
        self.assertTrue(settings.print_status_mail, "on by default")
        settings.print_status_mail = False
        settings.save().execute()
        self.assertFalse(self.env.company.print_status_mail)

        order = self._order_through("accept", "dispatch", "finalize")
        self.assertEqual(order.communication_state, cs.FINALIZED)
        for fragment in ("is accepted", "on its way", "is complete"):
            self.assertFalse(self._status_messages(order, fragment), fragment)

    def test_04_an_archived_template_is_not_sent(self):
        self.env.ref("print_change_request.mail_template_order_accepted").with_user(
            self.admin
        ).active = False
        order = self._order_through("accept", "dispatch")
        self.assertFalse(self._status_messages(order, "is accepted"))
        self._assert_status_mail(order, "on its way")

    # ------------------------------------------------------------
    # "New order from the portal"
    # ------------------------------------------------------------

    def _submitted(self):
        self.env.company.print_portal_user_id = self.operator
        order = self._create_order()
        order.sudo().portal_draft = True  # a fixture: the customer's draft
        order._submit_portal_draft()
        todo = order.activity_ids.filtered(
            lambda activity: activity.summary == "New order from the portal"
        )
        self.assertEqual(len(todo), 1)
        self.assertEqual(todo.user_id, self.operator)
        return order, todo

    def _assert_done(self, order, todo):
        self.assertFalse(todo.exists(), "the to-do is done (no longer open)")
        done = order.message_ids.filtered(
            lambda message: (
                message.mail_activity_type_id
                == self.env.ref("print_change_request.mail_activity_type_new_order")
            )
        )
        self.assertEqual(len(done), 1, "its feedback is in the chatter")

    def test_10_new_order_todo_done_at_accept(self):
        order, todo = self._submitted()
        order.with_user(self.operator).action_accept()
        self._assert_done(order, todo)
        order.with_user(self.operator).action_dispatch()
        order.with_user(self.operator).action_finalize()
        self.assertEqual(order.communication_state, cs.FINALIZED)
        self.assertFalse(order.activity_ids)

    def test_11_new_order_todo_done_at_cancel(self):
        order, todo = self._submitted()
        order.with_user(self.operator).action_cancel()
        self._assert_done(order, todo)

    def test_12_new_order_todo_stays_while_the_customer_changes_it(self):
        order, todo = self._submitted()
        self._request_change(order, refund=None)
        self.assertEqual(order.communication_state, cs.CHANGE_REQUESTED)
        self.assertTrue(todo.exists(), "not done: the order has not gone on yet")


@tagged("post_install", "-at_install")
class TestStatusPage(StatusMailMixin, CaptureMixin, PrintPortalCommon):
    """The customer's page, logged in as them; the hold on their card."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.print_payment_required = False
        cls.demo = (
            cls.env.ref("payment.payment_provider_demo")
            .sudo()
            .copy(
                {
                    "name": "Demo (capture manually)",
                    "company_id": cls.env.company.id,
                    "state": "test",
                    "capture_manually": True,
                }
            )
        )

    def setUp(self):
        super().setUp()
        self.authenticate("portal_paula", "portal_paula")

    def _authorize(self, order):
        tx = self._create_transaction(order, provider=self.demo)
        tx._handle_notification_data(
            "demo", {"reference": tx.reference, "simulated_state": "done"}
        )
        self.assertEqual(tx.state, "authorized")
        return tx

    def _page_text(self, order, element_id):
        _response, page = self._get_page(f"/my/print_orders/{order.id}")
        found = page.xpath(f"//*[@id='{element_id}']")
        return " ".join(found[0].text_content().split()) if found else ""

    def test_01_the_page_says_accepted_dispatched_finalized(self):
        order = self._create_order(user_id=self.operator.id)
        self._replace_job_files(order)
        self.assertEqual(self._page_text(order, "print_order_status"), "")
        order.with_user(self.operator).action_accept()
        self.assertIn("accepted your order", self._page_text(order, "print_order_status"))
        order.with_user(self.operator).action_dispatch()
        self.assertIn("on its way to you", self._page_text(order, "print_order_status"))
        order.with_user(self.operator).action_finalize()
        self.assertIn("complete", self._page_text(order, "print_order_status"))

    def test_02_released_hold_on_the_page_and_in_the_email(self):
        order = self._create_order(user_id=self.operator.id)
        self._replace_job_files(order)
        tx = self._authorize(order)
        amount = tx.currency_id.format(tx.amount)
        self._request_change_authorized(order)
        self.assertEqual(tx.state, "cancel")
        self.assertEqual(order.last_change_request_id.released_transaction_ids, tx)

        body = html.unescape(order.last_change_request_id.mail_message_id.body)
        self.assertIn("on your card was released: nothing was charged", body)
        self.assertIn(amount.replace("\xa0", " "), body.replace("\xa0", " "))
        text = self._page_text(order, "print_order_hold_released")
        self.assertIn("on your card was released", text)
        self.assertIn("nothing was charged", text)
        self.assertIn("Not paid", self._page_text(order, "print_order_paid"))

        # Authorized again for the changed order: the page no longer speaks of the old hold.
        self._authorize(order)
        self.assertEqual(self._page_text(order, "print_order_hold_released"), "")

    def test_03_hold_left_to_the_accountants_is_being_released(self):
        order = self._create_order(user_id=self.operator.id)
        self._replace_job_files(order)
        tx = self._authorize(order)
        self._request_change_authorized(order, release="manual")
        self.assertEqual(tx.print_release_state, "manual")
        body = html.unescape(order.last_change_request_id.mail_message_id.body)
        self.assertIn("on your card is being released", body)
        self.assertNotIn("was released", body)
        self.assertIn("is being released", self._page_text(order, "print_order_hold_released"))

    def test_04_a_paid_order_request_says_nothing_of_a_hold(self):
        order = self._create_order(user_id=self.operator.id)
        self._replace_job_files(order)
        self._request_change(order, refund=None)
        body = html.unescape(order.last_change_request_id.mail_message_id.body)
        self.assertNotIn("on your card", body)
        self.assertEqual(self._page_text(order, "print_order_hold_released"), "")


@tagged("post_install", "-at_install")
class TestFileErrorWarning(CaptureMixin, PrintCommon):
    """Accept, and going on without the customer, warn about files with errors and name
    them; the operator confirms in a dialog, also when calling the methods over RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.print_payment_required = False

    def _order_with(self, name, raw, **values):
        order = self._create_order(user_id=self.operator.id, **values)
        job = order.job_ids
        job.sudo().attachment_ids = [Command.create({"name": name, "raw": raw})]
        self.assertEqual(job.preflight_state, "error")
        return order

    def _wizard(self, action):
        self.assertEqual(action.get("res_model"), FILE_ERROR_WIZARD, action)
        return self.env[FILE_ERROR_WIZARD].with_user(self.operator).browse(action["res_id"])

    def test_01_accept_names_the_protected_file_and_accepts_once_confirmed(self):
        order = self._order_with("secret.pdf", samples.encrypted_pdf())
        action = order.with_user(self.operator).action_accept()
        self.assertEqual(order.communication_state, cs.NEW, "nothing accepted yet")
        self.assertEqual(action["name"], "The preflight found errors in a file")
        wizard = self._wizard(action)
        form = Form(wizard)
        self.assertIn("secret.pdf", form.message)
        self.assertIn("password", form.message)
        self.assertNotIn("job1-file1.pdf", form.message, "the good file is not named")

        result = wizard.action_confirm()
        self.assertTrue(result)
        self.assertEqual(order.communication_state, cs.ACCEPTED)
        note = order.message_ids.filtered(lambda message: "preflight found errors" in message.body)
        self.assertEqual(len(note), 1)
        self.assertIn("secret.pdf", note.body)
        self.assertEqual(note.author_id, self.operator.partner_id)

    def test_02_over_rpc_nothing_skips_the_warning(self):
        order = self._order_with("secret.pdf", samples.encrypted_pdf())
        operator_order = order.with_user(self.operator)
        with self.assertRaises(AccessError):
            operator_order.write(
                {"error_file_confirmed_ids": [Command.set(order.job_ids.attachment_ids.ids)]}
            )
        for context in ({}, {"print_file_errors_confirmed": True}, {"skip_preflight": True}):
            action = operator_order.with_context(**context).action_accept()
            self._wizard(action)
            self.assertEqual(order.communication_state, cs.NEW)
        # A manager's "accept unpaid" asks the same.
        self.env.company.print_payment_required = True
        action = order.with_user(self.manager)._accept_unpaid(reason="Urgent")
        self.assertEqual(action["res_model"], FILE_ERROR_WIZARD)
        self.assertEqual(order.communication_state, cs.NEW)
        # Another operator's dialog cannot be confirmed by its id.
        other = self._create_user("pcr_operator2", "print_change_request.group_print_operator")
        wizard = self._wizard(operator_order.action_accept())
        with self.assertRaises(AccessError):
            wizard.with_user(other).action_confirm()
        self.assertEqual(order.communication_state, cs.NEW)

    def test_03_a_new_bad_file_is_asked_again_and_only_it_is_named(self):
        order = self._order_with("secret.pdf", samples.encrypted_pdf())
        self._wizard(order.with_user(self.operator).action_accept()).action_confirm()
        order.with_user(self.operator).action_dispatch()
        self.assertEqual(order.communication_state, cs.DISPATCHED)

        order = self._order_with("secret.pdf", samples.encrypted_pdf())
        wizard = self._wizard(order.with_user(self.operator).action_accept())
        order.job_ids.sudo().attachment_ids = [
            Command.create({"name": "broken.pdf", "raw": samples.damaged_pdf()})
        ]
        wizard.action_confirm()  # confirmed secret.pdf only: broken.pdf is asked for
        self.assertEqual(order.communication_state, cs.NEW)
        again = self._wizard(order.with_user(self.operator).action_accept())
        self.assertIn("broken.pdf", again.message)
        self.assertNotIn("secret.pdf", again.message)
        again.action_confirm()
        self.assertEqual(order.communication_state, cs.ACCEPTED)

    def test_04_going_on_without_the_customer_on_a_damaged_file_asks_first(self):
        order = self._order_with("broken.pdf", samples.damaged_pdf())
        self._request_change(order, refund=None)
        self.assertEqual(order.communication_state, cs.CHANGE_REQUESTED)

        # Directly ("I do not wait..." over RPC): the warning, nothing decided.
        action = order.with_user(self.operator).action_continue_without_customer()
        self._wizard(action)
        self.assertFalse(order.customer_wait_skipped)

        # Accept: first "the customer has not changed the order yet", then the files.
        action = order.with_user(self.operator).action_accept()
        self.assertEqual(action["res_model"], "print.order.continue.wizard")
        cont = self.env[action["res_model"]].with_user(self.operator).browse(action["res_id"])
        wizard = self._wizard(cont.action_continue())
        self.assertIn("broken.pdf", wizard.message)
        self.assertFalse(order.customer_wait_skipped, "not gone ahead before confirming")
        wizard.action_confirm()
        self.assertTrue(order.customer_wait_skipped)
        self.assertEqual(order.communication_state, cs.ACCEPTED)

    def test_05_authorized_payment_not_captured_before_confirming(self):
        demo = (
            self.env.ref("payment.payment_provider_demo")
            .sudo()
            .copy(
                {
                    "name": "Demo (capture manually)",
                    "company_id": self.env.company.id,
                    "state": "test",
                    "capture_manually": True,
                }
            )
        )
        order = self._order_with("secret.pdf", samples.encrypted_pdf())
        tx = self._create_transaction(order, provider=demo)
        tx._handle_notification_data(
            "demo", {"reference": tx.reference, "simulated_state": "done"}
        )
        self.assertEqual(tx.state, "authorized")
        wizard = self._wizard(order.with_user(self.operator).action_accept())
        self.assertEqual(tx.state, "authorized", "nothing captured before the confirmation")
        wizard.action_confirm()
        self.assertEqual(tx.state, "done")
        self.assertEqual(order.communication_state, cs.ACCEPTED)

    def test_06_only_operators_confirm(self):
        order = self._order_with("secret.pdf", samples.encrypted_pdf())
        wizard = self._wizard(order.with_user(self.operator).action_accept())
        with self.assertRaises(AccessError):
            wizard.with_user(self.accountant).action_confirm()
        self.assertFalse(order.error_file_confirmed_ids)


@tagged("post_install", "-at_install")
class TestHighlightedButton(PrintCommon):
    """The header's highlighted (btn-primary) buttons fit the order's state."""

    def _primary_buttons(self, state, skipped=False):
        arch = self.env["print.order"].with_user(self.operator).get_view(view_type="form")["arch"]
        header = etree.fromstring(arch).find(".//header")
        values = {"communication_state": state, "customer_wait_skipped": skipped}
        return [
            button.get("name")
            for button in header.iter("button")
            if "btn-primary" in (button.get("class") or "")
            and not safe_eval(button.get("invisible") or "False", values)
        ]

    def test_01_waiting_for_the_customer_accept_is_not_highlighted(self):
        self.assertNotIn("action_accept", self._primary_buttons(cs.CHANGE_REQUESTED))
        self.assertEqual(self._primary_buttons(cs.CHANGE_REQUESTED), ["action_customer_changed"])

    def test_02_accept_highlighted_when_it_is_the_way_on(self):
        self.assertIn("action_accept", self._primary_buttons(cs.NEW))
        self.assertIn("action_accept", self._primary_buttons(cs.CHANGED))
        self.assertEqual(
            self._primary_buttons(cs.CHANGE_REQUESTED, skipped=True), ["action_accept"]
        )
        self.assertEqual(self._primary_buttons(cs.ACCEPTED), ["action_dispatch"])


@tagged("post_install", "-at_install")
class TestFileErrorTour(PrintCommon, HttpCase):
    def test_01_operator_goes_ahead_with_a_damaged_file_in_the_browser(self):
        self.env.company.print_payment_required = False
        self.operator.tour_enabled = False
        order = self._create_order(user_id=self.operator.id)
        order.job_ids.sudo().attachment_ids = [
            Command.create({"name": "broken.pdf", "raw": samples.damaged_pdf()})
        ]
        self._request_change(order, refund=None)
        self.assertEqual(order.communication_state, cs.CHANGE_REQUESTED)
        self.start_tour(
            f"/odoo/action-print_change_request.print_order_action/{order.id}",
            "print_change_request_file_error_tour",
            login="pcr_operator",
        )
        self.assertEqual(order.communication_state, cs.ACCEPTED)
        self.assertIn(
            order.job_ids.attachment_ids.filtered(lambda a: a.name == "broken.pdf"),
            order.error_file_confirmed_ids,
        )
