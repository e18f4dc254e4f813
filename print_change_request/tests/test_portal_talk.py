"""The customer and the shop talk on the order, over real HTTP: the customer's own words are
posted in their name and notify the order's responsible; the shop's confirmations are by the
shop, to the customer only, through its mail templates, on the chatter the portal shows; a
reply by e-mail lands on the order.  And "I do not wait for the response of the customer." as
the customer and the money see it: the page says so, a manual refund not paid out yet is
canceled (its accountant's to-do closed), a refund already done stays."""

import json

from odoo.tests import Form, tagged

from .test_portal_new_order import PortalNewOrderCommon


@tagged("post_install", "-at_install")
class TestPortalTalk(PortalNewOrderCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.print_portal_user_id = cls.operator
        cls.comment = cls.env.ref("mail.mt_comment")
        cls._setup_demo_provider()

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def _json(self, url, params):
        response = self.url_open(
            url,
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        payload = response.json()
        self.assertNotIn("error", payload, payload.get("error"))
        return payload["result"]

    def _portal_chatter_bodies(self, order):
        """The bodies the portal's chatter shows the logged-in customer, as its script asks."""
        result = self._json(
            "/mail/chatter_fetch",
            {"thread_model": "print.order", "thread_id": order.id, "limit": 50},
        )
        return [message["body"] for message in result["data"]["mail.message"]]

    def _submit_with_message(self, draft, message):
        csrf = self._csrf(f"/my/print_orders/{draft.id}")
        response = self.url_open(
            f"/my/print_orders/{draft.id}/submit", data={"csrf_token": csrf, "message": message}
        )
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.assertFalse(draft.portal_draft)

    def _assert_from_the_shop(self, message, order, subject):
        """``message``: by the shop, to the customer only, a comment the portal shows, made
        from the shop's template (its subject), on the order (replies come back to it)."""
        self.assertEqual(len(message), 1, f"one message {subject!r}")
        self.assertEqual(message.author_id, order.user_id.partner_id)
        self.assertNotEqual(message.author_id, self.customer)
        self.assertEqual(message.partner_ids, self.customer)
        self.assertEqual(message.notification_ids.res_partner_id, self.customer)
        self.assertEqual(message.message_type, "comment")
        self.assertEqual(message.subtype_id, self.comment)
        self.assertFalse(message.is_internal)
        self.assertEqual((message.model, message.res_id), ("print.order", order.id))
        self.assertTrue(message.reply_to)

    def _messages(self, order, fragment):
        return order.message_ids.filtered(
            lambda message: fragment in (message.subject or "") or fragment in (message.body or "")
        )

    def _continue_without_customer(self, order):
        """The operator clicks Accept, then "I do not wait for the response of the
        customer." in the dialog."""
        action = order.with_user(self.operator).action_accept()
        self.assertEqual(action["res_model"], "print.order.continue.wizard")
        wizard = self.env[action["res_model"]].with_user(self.operator).browse(action["res_id"])
        note = wizard.refund_note
        wizard.action_continue()
        self.env.invalidate_all()
        return note

    def _went_ahead_text(self, order):
        _response, page = self._get_page(f"/my/print_orders/{order.id}")
        notices = page.xpath("//section[@id='print_order_went_ahead']")
        return " ".join(notices[0].text_content().split()) if notices else ""

    # ------------------------------------------------------------
    # A new order: the customer's word, the shop's confirmation
    # ------------------------------------------------------------

    def test_01_the_word_at_submit_is_the_customers_and_reaches_the_responsible(self):
        draft = self._ready_draft()
        self._submit_with_message(draft, "Needed by Friday.\nThank you!")

        words = self._messages(draft, "Needed by Friday")
        self.assertEqual(len(words), 1, "the customer's word is on the order's chatter")
        self.assertEqual(words.author_id, self.customer)
        self.assertEqual(words.message_type, "comment")
        self.assertEqual(words.subtype_id, self.comment)
        self.assertIn("Thank you!", words.body)
        self.assertEqual(draft.user_id, self.operator)
        self.assertIn(self.operator.partner_id, words.notification_ids.res_partner_id)
        self.assertNotIn(self.customer, words.notification_ids.res_partner_id)
        self.assertTrue(
            any("Needed by Friday" in body for body in self._portal_chatter_bodies(draft)),
            "the customer reads their word in the portal's chatter",
        )

    def test_09_the_word_typed_in_the_draft_page_form_is_posted_too(self):
        """ "Submit my order" on the draft's page posts the page's one form (``/save``): the
        word typed beside it reaches the order as it does through ``/submit``."""
        draft = self._ready_draft()
        csrf = self._csrf(f"/my/print_orders/{draft.id}")
        response = self.url_open(
            f"/my/print_orders/{draft.id}/save",
            data={"csrf_token": csrf, "do": "submit", "message": "Matte paper, please."},
        )
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.assertIn("notice=submitted_order", response.url)
        self.assertFalse(draft.portal_draft)
        words = self._messages(draft, "Matte paper, please.")
        self.assertEqual(len(words), 1, "the customer's word is on the order's chatter")
        self.assertEqual(words.author_id, self.customer)
        self.assertIn(self.operator.partner_id, words.notification_ids.res_partner_id)

    def test_02_the_submitted_confirmation_is_the_shops_to_the_customer(self):
        self.env.company.print_portal_pay_on_submit = True
        draft = self._ready_draft()
        self._submit_with_message(draft, "")

        confirmation = self._messages(draft, "We received your order")
        self._assert_from_the_shop(confirmation, draft, "We received your order")
        self.assertEqual(confirmation.subject, f"We received your order {draft.name}")
        self.assertIn("was submitted", confirmation.body)
        self.assertIn("Please pay", confirmation.body)
        template = self.env.ref("print_change_request.mail_template_order_submitted")
        self.assertEqual(template.model, "print.order")
        # Nothing the customer reads is posted in their name that they did not write.
        self.assertFalse(
            draft.message_ids.filtered(
                lambda message: (
                    message.author_id == self.customer and message.subtype_id == self.comment
                )
            ),
        )
        self.assertTrue(
            any("We will check your files" in body for body in self._portal_chatter_bodies(draft))
        )

        # The customer's reply by e-mail lands on the order's chatter.
        reply = (
            f"From: Paula Print <{self.customer.email}>\r\n"
            f"To: {confirmation.reply_to}\r\n"
            f"Subject: Re: {confirmation.subject}\r\n"
            f"In-Reply-To: {confirmation.message_id}\r\n"
            "Message-ID: <paula-reply-1@example.com>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            "Can you print it on Friday?\r\n"
        )
        self.env["mail.thread"].sudo().message_process(False, reply)
        answer = self._messages(draft, "Can you print it on Friday?")
        self.assertEqual(len(answer), 1)
        self.assertEqual(answer.author_id, self.customer)
        self.assertEqual(answer.subtype_id, self.comment)

    # ------------------------------------------------------------
    # An answer to a request for change
    # ------------------------------------------------------------

    def test_03_the_changes_received_confirmation_is_the_shops(self):
        self._answer_fully()
        self._assert_done(self._submit("Fonts embedded, 3 copies please."), "submitted")
        self.env.invalidate_all()

        confirmation = self._messages(self.order, "We received the changes")
        self._assert_from_the_shop(confirmation, self.order, "We received the changes")
        summary = self._messages(self.order, "sent changes in answer to")
        self.assertEqual(len(summary), 1)
        self.assertNotEqual(summary.author_id, self.customer, "the addon wrote it, not Paula")
        self.assertTrue(summary.is_internal or summary.subtype_id.internal)
        words = self.order.message_ids.filtered(
            lambda message: (
                message.author_id == self.customer and message.subtype_id == self.comment
            )
        )
        self.assertEqual(len(words), 1, "Paula's own words, in her name")
        self.assertIn("Fonts embedded, 3 copies please.", words.body)
        self.assertIn(self.order.user_id.partner_id, words.notification_ids.res_partner_id)
        authored = self.order.message_ids.filtered(
            lambda m: m.author_id == self.customer and not m.tracking_value_ids
        )
        self.assertEqual(authored, words, "nothing else is posted in the customer's name")

    def test_04_the_request_for_change_is_in_the_portal_chatter(self):
        request_message = self.request.mail_message_id
        self.assertEqual(
            (request_message.model, request_message.res_id), ("print.order", self.order.id)
        )
        self.assertEqual(request_message.partner_ids, self.customer)
        self.assertEqual(request_message.notification_ids.res_partner_id, self.customer)
        bodies = self._portal_chatter_bodies(self.order)
        self.assertTrue(any("Thanks for your patience!" in body for body in bodies))
        _response, page = self._get_page(f"/my/print_orders/{self.order.id}")
        thread = page.xpath("//section[@id='print_order_communication']//div[@id='discussion']")
        self.assertEqual(len(thread), 1, "the order page has the portal chatter")
        self.assertEqual(thread[0].get("data-res_model"), "print.order")
        self.assertEqual(thread[0].get("data-res_id"), str(self.order.id))

    # ------------------------------------------------------------
    # "I do not wait for the response of the customer."
    # ------------------------------------------------------------

    def test_05_going_ahead_cancels_the_refund_not_paid_out(self):
        refund = self.order.refund_ids
        self.assertEqual((refund.state, refund.method), ("pending", "manual"))
        self.assertTrue(refund.activity_ids, "the accountant has a to-do")
        self.assertFalse(self.order.is_paid)
        self.assertEqual(self._went_ahead_text(self.order), "", "nothing to say yet")

        note = self._continue_without_customer(self.order)

        self.assertIn(refund.name, note)
        self.assertIn("canceled", note)
        self.assertEqual(refund.state, "canceled")
        self.assertFalse(refund.activity_ids, "the accountant's to-do is closed")
        self.assertTrue(self.order.is_paid, "the customer's payment stays with the order")
        self.assertEqual(self.order.communication_state, "accepted")
        self.assertTrue(self.order.date_customer_wait_skipped)
        went_ahead = self._messages(self.order, "We went ahead with your order")
        self._assert_from_the_shop(went_ahead, self.order, "We went ahead")
        self.assertIn("is canceled: your payment stays with the order", went_ahead.body)

        text = self._went_ahead_text(self.order)
        self.assertIn("The print shop went ahead with your order as it was", text)
        self.assertIn("is canceled: your payment stays with the order", text)
        self.assertIn("Nothing is left to pay.", text)
        self.assertIn("can no longer be changed here", text)
        # The page and the routes agree: no changes may be sent any more.
        response = self._submit("Too late?")
        self._assert_refused(response, "does not wait for changes from you")

    def test_06_a_refund_already_done_stays(self):
        refund = self.order.refund_ids
        refund.with_user(self.accountant).action_mark_done(reference="BANK-42")
        self.assertEqual(refund.state, "done")
        done = self._messages(self.order, "We refunded you")
        self._assert_from_the_shop(done, self.order, "We refunded you")
        self.assertIn(refund.name, done.body)

        note = self._continue_without_customer_dialog_only(self.order)
        self.assertIn("stay", note)

        self.assertEqual(refund.state, "done", "money that went back is not called back")
        self.assertFalse(self.order.is_paid)
        text = self._went_ahead_text(self.order)
        self.assertIn("was already sent to you", text)
        self.assertIn("Still to pay", text)
        self.assertNotIn("is canceled", text)

    def _continue_without_customer_dialog_only(self, order):
        """The shop requires no payment here: Accept asks, OK goes ahead and accepts."""
        self.env.company.print_payment_required = False
        return self._continue_without_customer(order)

    def test_07_the_dialog_tells_the_operator_what_happens(self):
        view = self.env.ref("print_change_request.print_order_continue_wizard_view_form")
        arch = " ".join(view.arch.split())
        self.assertNotIn("the customer can still send the changes", arch)
        self.assertIn("can no longer send changes in the portal", arch)
        action = self.order.with_user(self.operator).action_accept()
        form = Form(
            self.env[action["res_model"]].with_user(self.operator).browse(action["res_id"])
        )
        self.assertIn(self.order.refund_ids.name, form.refund_note)

    def test_08_the_payment_is_confirmed_by_the_shop(self):
        order = self._create_order(jobs=1)
        tx = self._pay_by_transaction(order, provider=self.demo_provider)
        self.assertFalse(self._messages(order, "We received your payment"))

        tx._post_process()
        tx._post_process()  # post-processed once: confirmed once

        confirmation = self._messages(order, "We received your payment")
        self._assert_from_the_shop(confirmation, order, "We received your payment")
        self.assertIn(tx.reference, confirmation.body)
        self.assertIn("Your order is paid.", confirmation.body)
        payment_notes = order.message_ids.filtered(
            lambda message: tx.reference in (message.body or "") and message != confirmation
        )
        self.assertNotIn(self.customer, payment_notes.author_id, "not in the customer's name")
