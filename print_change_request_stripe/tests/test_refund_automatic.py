"""Paid orders: the refund question, automatic refunds through Stripe (localstripe as a real
HTTP peer), and every way they can fail (FakeStripe answers what localstripe cannot)."""

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from ..lib.stripe_refunds import KEY_METADATA
from .common import PrintStripeCommon
from .stripe_servers import FakeStripe, error_body, list_body, refund_body


@tagged("post_install", "-at_install")
class TestRefundAutomatic(PrintStripeCommon):
    def setUp(self):
        super().setUp()
        self._use_stripe_at(self.localstripe.url)

    def _fake_stripe(self):
        fake = FakeStripe()
        fake.start()
        self.addCleanup(fake.stop)
        self._use_stripe_at(fake.url)
        return fake

    def _log_of(self, refund):
        """The refund's chatter, as one text."""
        return "\n".join(refund.message_ids.mapped("body"))

    def _refund_posts(self, fake):
        return [r for r in fake.requests if r.method == "POST" and r.path == "/v1/refunds"]

    def test_01_paid_order_is_refunded_once_through_stripe(self):
        order = self._create_order(jobs=2)
        tx = self._pay_with_stripe(order)
        self.assertTrue(order.is_paid)

        result = self._request_change(order, refund="automatic")

        refund = order.refund_ids
        self.assertEqual(len(refund), 1)
        self.assertRecordValues(
            refund,
            [
                {
                    "state": "done",
                    "method": "automatic",
                    "amount": 20.0,
                    "source_transaction_id": tx.id,
                    "request_id": order.change_request_ids.id,
                    "attempt_count": 1,
                    "failure_reason": False,
                }
            ],
        )
        stripe_refunds = self._stripe_refunds_of(tx.provider_reference)
        self.assertEqual(len(stripe_refunds), 1, "exactly one refund on Stripe")
        self.assertEqual(stripe_refunds[0].amount, 2000)
        self.assertEqual(stripe_refunds[0].metadata[KEY_METADATA], refund.idempotency_key)
        self.assertEqual(refund.provider_refund_id, stripe_refunds[0].id)

        refund_tx = refund.refund_transaction_id.sudo()
        self.assertRecordValues(
            refund_tx,
            [
                {
                    "operation": "refund",
                    "state": "done",
                    "amount": -20.0,
                    "source_transaction_id": tx.id,
                    "provider_reference": stripe_refunds[0].id,
                }
            ],
        )
        self.assertIn(order, refund_tx.print_order_ids)
        payment = refund.payment_id
        self.assertRecordValues(
            payment, [{"payment_type": "outbound", "amount": 20.0, "partner_id": self.customer.id}]
        )
        self.assertEqual(refund_tx.payment_id, payment)

        self.assertFalse(order.is_paid)
        self.assertEqual(order.amount_paid, 0.0)
        self.assertEqual(order.amount_refunded, 20.0)
        self.assertEqual(order.job_ids.mapped("is_paid"), [False, False])
        self.assertEqual(order.communication_state, "change_requested")
        self.assertEqual(result["params"]["type"], "success")
        self.assertIn(refund.name, result["params"]["message"])
        mail = order.change_request_ids.mail_message_id
        self.assertIn("we are refunding it", mail.body)

    def test_02_invoiced_order_gets_a_credit_note_paid_by_the_refund(self):
        order = self._create_order()
        invoice = self._create_invoice(order)
        tx = self._pay_with_stripe(order)
        tx.invoice_ids = [Command.set(invoice.ids)]
        self._register_payment(invoice)
        self.assertEqual(
            order.amount_paid, 10.0, "the invoice paid by the transaction counts once"
        )

        self._request_change(order, refund="automatic")

        refund = order.refund_ids
        credit_note = refund.credit_note_id
        self.assertRecordValues(
            credit_note,
            [
                {
                    "move_type": "out_refund",
                    "state": "posted",
                    "reversed_entry_id": invoice.id,
                    "print_order_id": order.id,
                    "amount_total": 10.0,
                }
            ],
        )
        self.assertIn(credit_note.payment_state, ("paid", "in_payment"))
        self.assertEqual(credit_note.matched_payment_ids, refund.payment_id)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"), "the invoice stays paid")
        self.assertEqual(order.invoice_ids, invoice | credit_note)
        self.assertFalse(order.is_paid)

    def test_03_closing_the_refund_question_changes_nothing(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        action = order.action_request_change()
        form = Form(self.env[action["res_model"]].with_context(**action["context"]))
        with form.line_ids.edit(0) as line:
            line.to_change = True
            line.reason_id = self.env.ref("print_change_request.reason_damaged")
        question = form.save().action_confirm()
        self.assertEqual(question["res_model"], "print.refund.confirm.wizard")
        Form(self.env[question["res_model"]].with_context(**question["context"])).save()
        # The operator closes the dialog with its X: no button is called.
        self.assertEqual(order.communication_state, "new")
        self.assertFalse(order.change_request_ids)
        self.assertFalse(order.refund_ids)
        self.assertTrue(order.is_paid)
        self.assertEqual(self._stripe_refunds_of(tx.provider_reference), [])

    def test_04_declined_refund_fails_cleanly_and_the_request_still_goes_out(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        fake = self._fake_stripe()
        fake.respond(200, list_body([]), method="GET")
        fake.respond(
            402,
            error_body("card_error", "Your card was declined.", "card_declined", "expired_card"),
            method="POST",
        )
        result = self._request_change(order, refund="automatic")

        refund = order.refund_ids
        self.assertEqual(refund.state, "failed")
        self.assertIn("Your card was declined.", refund.failure_reason)
        self.assertEqual(refund.refund_transaction_id.sudo().state, "error")
        self.assertTrue(order.is_paid, "the money is still with the shop")
        self.assertEqual(order.communication_state, "change_requested")
        self.assertEqual(order.change_request_ids.mail_state, "sent")
        activity = refund.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("Automatic refund failed", activity.summary)
        self.assertTrue(activity.user_id.has_group("account.group_account_manager"))
        self.assertEqual(result["params"]["type"], "warning")
        self.assertIn("Your card was declined.", result["params"]["message"])
        self.assertEqual(len(self._refund_posts(fake)), 1)
        self.assertEqual(self._refund_posts(fake)[0].idempotency_key, refund.idempotency_key)
        self.assertEqual(
            self._stripe_refunds_of(tx.provider_reference), [], "nothing reached localstripe"
        )

    def test_05_stripe_error_without_answer_leaves_the_refund_under_way_unconfirmed(self):
        order = self._create_order()
        self._pay_with_stripe(order)
        fake = self._fake_stripe()
        fake.respond(200, list_body([]), method="GET")
        fake.respond(500, error_body("api_error", "Something went wrong on Stripe's end."))
        fake.respond(200, list_body([]), method="GET")
        result = self._request_change(order, refund="automatic")
        refund = order.refund_ids
        # Stripe may still make it: it counts as under way, nothing else is refunded.
        self.assertEqual(refund.state, "pending")
        self.assertFalse(order.is_paid)
        # Plain words for the operator, what happens next; the library's text in the log.
        self.assertIn("Stripe had a problem and did not confirm the refund", refund.failure_reason)
        self.assertIn("never refunds twice", refund.failure_reason)
        self.assertIn("every hour", refund.failure_reason)
        self.assertIn("not confirmed", result["params"]["message"])
        self.assertEqual(result["params"]["type"], "warning")
        self.assertIn("Something went wrong on Stripe's end.", self._log_of(refund))
        self.assertEqual(
            [(r.method, r.path) for r in fake.requests],
            [("GET", "/v1/refunds"), ("POST", "/v1/refunds"), ("GET", "/v1/refunds")],
            "after an error without answer, Odoo looks for the refund by its key",
        )
        # A second request meanwhile plans nothing: the money may be on its way back.
        order.action_customer_changed()
        self._request_change(order, refund="automatic")
        self.assertEqual(len(order.refund_ids), 1)
        self.assertEqual(len(self._refund_posts(fake)), 1)

    def _age(self, refund, minutes=30):
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE print_refund SET write_date = now() - make_interval(mins => %s) WHERE id = %s",
            [minutes, refund.id],
        )
        refund.invalidate_recordset()

    def test_06_refund_made_despite_the_error_is_found_and_kept(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        fake = self._fake_stripe()
        fake.respond(200, list_body([]), method="GET")
        fake.respond(502, error_body("api_error", "Bad gateway"), method="POST")

        def found(refund):
            return refund_body(
                "re_made_anyway",
                "succeeded",
                1000,
                tx.provider_reference,
                metadata={KEY_METADATA: refund.idempotency_key},
            )

        self._request_change(order, refund="automatic")
        refund = order.refund_ids
        # The lookup after the error got no answer either (500): nothing adopted yet.
        self.assertEqual(refund.state, "pending")
        # The hourly follow-up looks first and finds the refund Stripe made.
        fake.respond(200, list_body([found(refund)]), method="GET")
        self._age(refund)
        self.env["print.refund"]._cron_follow_up_refunds()
        self.assertEqual(refund.state, "done")
        self.assertEqual(refund.provider_refund_id, "re_made_anyway")
        self.assertEqual(refund.attempt_count, 1, "found on Stripe before a new attempt")
        self.assertEqual(len(self._refund_posts(fake)), 1, "no second refund was sent")
        self.assertFalse(order.is_paid)

    def test_06b_unconfirmed_refund_stripe_never_made_is_sent_again_under_its_key(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        fake = self._fake_stripe()
        fake.respond(200, list_body([]), method="GET")
        fake.respond(502, error_body("api_error", "Bad gateway"), method="POST")
        self._request_change(order, refund="automatic")
        refund = order.refund_ids
        self.assertEqual(refund.state, "pending")
        fake.respond(200, list_body([]), method="GET")  # the follow-up finds nothing...
        fake.respond(200, list_body([]), method="GET")  # ...nor does the send's own look-up
        fake.respond(
            200,
            refund_body("re_second_try", "succeeded", 1000, tx.provider_reference),
            method="POST",
        )
        self._age(refund)
        self.env["print.refund"]._cron_follow_up_refunds()
        self.assertEqual(refund.state, "done")
        posts = self._refund_posts(fake)
        self.assertEqual(len(posts), 2)
        self.assertEqual(
            {post.idempotency_key for post in posts}, {refund.idempotency_key}, "the same key"
        )

    def test_07_timeout_leaves_the_refund_under_way_unconfirmed(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "print_change_request.stripe_timeout", "0.5"
        )
        order = self._create_order()
        self._pay_with_stripe(order)
        fake = self._fake_stripe()
        fake.respond(200, list_body([]), method="GET")
        fake.respond(200, {}, delay=3.0, method="POST")
        self._request_change(order, refund="automatic")
        refund = order.refund_ids
        self.assertEqual(refund.state, "pending")
        self.assertIn("Stripe did not answer in time", refund.failure_reason)
        self.assertNotIn("HTTPConnectionPool", refund.failure_reason)
        self.assertIn("timed out", self._log_of(refund), "the detail is in the refund's log")

    def test_08_pending_refund_counts_as_refunded(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        fake = self._fake_stripe()
        fake.respond(200, list_body([]), method="GET")
        fake.respond(
            200, refund_body("re_pending", "pending", 1000, tx.provider_reference), method="POST"
        )
        self._request_change(order, refund="automatic")
        refund = order.refund_ids
        self.assertEqual(refund.state, "pending")
        self.assertEqual(refund.refund_transaction_id.sudo().state, "pending")
        self.assertFalse(order.is_paid, "a refund under way is not money held")
        self.assertEqual(order.amount_paid, 0.0)
        self.assertFalse(refund.payment_id, "no payment before the money left")

    def test_09_refund_made_in_stripes_dashboard_is_recorded_and_nothing_sent_twice(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        dashboard = self.stripe_client.v1.refunds.create(
            params={"payment_intent": tx.provider_reference, "amount": 1000}
        )
        self._request_change(order, refund="automatic")
        external = order.refund_ids.filtered(lambda r: r.origin == "external")
        planned = order.refund_ids - external
        self.assertRecordValues(
            external,
            [
                {
                    "state": "done",
                    "amount": 10.0,
                    "to_check": True,
                    "provider_refund_id": dashboard.id,
                }
            ],
        )
        self.assertTrue(external.activity_ids, "the accountants are told")
        self.assertEqual(planned.state, "canceled", "the money already went back")
        self.assertFalse(order.is_paid)
        self.assertEqual(
            len(self._stripe_refunds_of(tx.provider_reference)), 1, "no second refund"
        )

    def test_10_sending_again_never_refunds_twice(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        self._request_change(order, refund="automatic")
        refund = order.refund_ids
        refund._send()
        refund.sudo().write({"state": "draft"})  # as if the outcome had been lost
        refund._send()
        self.assertEqual(refund.state, "done")
        self.assertEqual(len(self._stripe_refunds_of(tx.provider_reference)), 1)
        self.assertEqual(len(order.refund_ids), 1)

    def test_11_second_request_on_refunded_order_asks_nothing_and_refunds_nothing(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        self._request_change(order, refund="automatic")
        order.action_customer_changed()
        result = self._request_change(order, refund="automatic")
        self.assertEqual(result["params"]["type"], "success")
        self.assertEqual(len(order.refund_ids), 1)
        self.assertEqual(len(order.change_request_ids), 2)
        self.assertEqual(len(self._stripe_refunds_of(tx.provider_reference)), 1)

    def test_12_customer_pays_again_and_only_the_new_payment_is_refunded(self):
        order = self._create_order()
        first = self._pay_with_stripe(order)
        self._request_change(order, refund="automatic")
        order.action_customer_changed()
        second = self._pay_with_stripe(order)
        self.assertTrue(order.is_paid)
        self.assertEqual(order.amount_paid, 10.0)
        self._request_change(order, refund="automatic")
        self.assertEqual(order.refund_ids.mapped("state"), ["done", "done"])
        self.assertEqual(order.refund_ids.source_transaction_id, first | second)
        self.assertEqual(len(self._stripe_refunds_of(first.provider_reference)), 1)
        self.assertEqual(len(self._stripe_refunds_of(second.provider_reference)), 1)
        self.assertFalse(order.is_paid)

    def test_13_provider_without_refunds_falls_back_to_manual_with_a_message(self):
        order = self._create_order()
        self._pay_by_transaction(order)  # the test provider cannot refund
        self._request_change(order, refund="automatic")
        refund = order.refund_ids
        self.assertRecordValues(refund, [{"method": "manual", "state": "pending"}])
        self.assertIn("cannot refund automatically", refund.activity_ids.note)
        self.assertFalse(order.is_paid)

    def test_14_failed_refund_retry_and_manual_are_for_accountants(self):
        order = self._create_order()
        self._pay_with_stripe(order)
        fake = self._fake_stripe()
        fake.respond(200, list_body([]), method="GET")
        fake.respond(400, error_body("invalid_request_error", "Charge already refunded."))
        self._request_change(order, refund="automatic")
        refund = order.refund_ids
        self.assertEqual(refund.state, "failed")
        sent = len(fake.requests)
        # The group check itself (an AccessError is a UserError too): nothing asked of Stripe.
        with self.assertRaisesRegex(AccessError, "Only accountants"):
            refund.with_user(self.operator).action_retry()
        self.assertEqual(refund.state, "failed")
        self.assertEqual(len(fake.requests), sent, "nothing sent for an operator")
        refund.with_user(self.accountant).action_refund_manually()
        self.assertRecordValues(refund, [{"state": "pending", "method": "manual"}])
        self.assertFalse(order.is_paid)
        with self.assertRaisesRegex(UserError, "can be retried"):
            refund.with_user(self.accountant).action_retry()

    def test_15_hourly_follow_up_asks_stripe_about_pending_refunds(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        fake = self._fake_stripe()
        fake.respond(200, list_body([]), method="GET")
        fake.respond(
            200, refund_body("re_slow", "pending", 1000, tx.provider_reference), method="POST"
        )
        self._request_change(order, refund="automatic")
        refund = order.refund_ids
        self.assertEqual(refund.state, "pending")
        fake.respond(
            200,
            list_body([refund_body("re_slow", "succeeded", 1000, tx.provider_reference)]),
            method="GET",
            path_prefix="/v1/refunds",
        )
        self.env["print.refund"]._cron_follow_up_refunds()
        self.assertEqual(refund.state, "done")
        self.assertTrue(refund.payment_id)
        self.assertEqual(len(self._refund_posts(fake)), 1)

    def test_16_hourly_follow_up_finishes_an_interrupted_send_without_a_second_refund(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        self._request_change(order, refund="automatic")
        refund = order.refund_ids
        self.assertEqual(refund.state, "done")
        # As if Odoo had stopped after Stripe's answer and before recording it.
        refund.sudo().write({"state": "draft", "provider_refund_id": False})
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE print_refund SET write_date = now() - interval '1 hour' WHERE id = %s",
            [refund.id],
        )
        refund.invalidate_recordset()
        self.env["print.refund"]._cron_follow_up_refunds()
        self.assertEqual(refund.state, "done")
        self.assertTrue(refund.provider_refund_id)
        self.assertEqual(len(self._stripe_refunds_of(tx.provider_reference)), 1)
