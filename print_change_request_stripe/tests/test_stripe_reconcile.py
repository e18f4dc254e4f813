"""Stripe is the source of truth: refunds made outside Odoo, refunds Stripe completed after
Odoo gave up, records lost with a killed worker, late failures of posted refunds, and webhook
payloads that must not be trusted blindly.  Webhooks are posted for real, with real
signatures; localstripe holds the money, FakeStripe plays what localstripe cannot."""

import json
import time

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..lib.stripe_refunds import KEY_METADATA
from .common import PrintStripeCommon, sign_payload
from .stripe_servers import FakeStripe, free_port, list_body, refund_body

WEBHOOK = "/print_change_request/stripe/webhook"
SECRET = "whsec_test_print"
WEBHOOK_LOGGER = "odoo.addons.print_change_request_stripe.controllers.stripe_webhook"


@tagged("post_install", "-at_install")
class TestStripeReconcile(PrintStripeCommon, HttpCase):
    def setUp(self):
        super().setUp()
        self._use_stripe_at(self.localstripe.url)

    def _fake_stripe(self):
        fake = FakeStripe()
        fake.start()
        self.addCleanup(fake.stop)
        self._use_stripe_at(fake.url)
        return fake

    def _post_event(self, refund, event_type="charge.refund.updated", timestamp=None):
        payload = json.dumps(
            {"id": f"evt_{time.monotonic_ns()}", "type": event_type, "data": {"object": refund}}
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "Stripe-Signature": sign_payload(payload, SECRET, timestamp=timestamp),
        }
        return self.url_open(WEBHOOK, data=payload, headers=headers)

    def _stripe_refund(self, tx, amount, metadata=None):
        """A refund made directly on (local)Stripe, as a plain dict like a webhook's."""
        params = {"payment_intent": tx.provider_reference, "amount": amount}
        if metadata:
            params["metadata"] = metadata
        refund = self.stripe_client.v1.refunds.create(params=params)
        return refund.to_dict()

    def _pending_refund(self, order, tx, refund_id):
        """A request for change whose automatic refund Stripe reports as pending."""
        fake = self._fake_stripe()
        fake.respond(200, list_body([]), method="GET")
        fake.respond(
            200,
            refund_body(
                refund_id, "pending", round(order.amount_total * 100), tx.provider_reference
            ),
            method="POST",
        )
        self._request_change(order, refund="automatic")
        refund = order.refund_ids
        self.assertEqual(refund.state, "pending")
        return refund

    def _event_for(self, refund, status, **extra):
        return refund_body(
            refund.provider_refund_id,
            status,
            round(refund.amount * 100),
            refund.source_transaction_id.sudo().provider_reference,
            metadata={KEY_METADATA: refund.idempotency_key},
            **extra,
        )

    # ------------------------------------------------------------
    # Refunds made outside Odoo
    # ------------------------------------------------------------

    def test_01_dashboard_refund_is_found_by_the_hourly_reconciliation(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        self._stripe_refund(tx, 1000)
        self.assertTrue(order.is_paid, "Odoo does not know yet")

        self.env["print.refund"]._cron_follow_up_refunds()

        refund = order.refund_ids
        self.assertRecordValues(
            refund,
            [{"origin": "external", "state": "done", "amount": 10.0, "to_check": True}],
        )
        self.assertIn("outside Odoo", refund.activity_ids.note)
        self.assertFalse(order.is_paid, "the order's paid amount follows the money")
        self.assertRecordValues(refund.payment_id, [{"payment_type": "outbound", "amount": 10.0}])
        # Running it again records nothing twice.
        self.env["print.refund"]._cron_follow_up_refunds()
        self.assertEqual(len(order.refund_ids), 1)
        refund.with_user(self.accountant).action_mark_checked()
        self.assertFalse(refund.to_check)
        self.assertFalse(refund.activity_ids)

    def test_02_dashboard_refund_webhook_is_recorded_not_404(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        stripe_refund = self._stripe_refund(tx, 400)
        response = self._post_event(stripe_refund)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["message"], "processed")
        self.assertRecordValues(
            order.refund_ids, [{"origin": "external", "state": "done", "amount": 4.0}]
        )
        self.assertEqual(order.amount_paid, 6.0)
        self.assertEqual(self._post_event(stripe_refund).status_code, 200, "replayed")
        self.assertEqual(len(order.refund_ids), 1)

    def test_03_refund_of_a_payment_this_database_does_not_know_is_ignored(self):
        response = self._post_event(refund_body("re_elsewhere", "succeeded", 500, "pi_elsewhere"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("ignored", response.json()["message"])
        self.assertFalse(
            self.env["print.refund"].search([("provider_refund_id", "=", "re_elsewhere")])
        )

    def test_04_refund_stripe_completes_after_odoo_gave_up_waiting_is_the_only_one(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "print_change_request.stripe_timeout", "0.5"
        )
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        fake = self._fake_stripe()
        fake.respond(200, list_body([]), method="GET")
        fake.respond(200, {}, delay=2.0, method="POST")  # Stripe answers too late
        fake.respond(200, list_body([]), method="GET")  # ...and the lookup finds nothing yet
        self._request_change(order, refund="automatic")
        refund = order.refund_ids
        self.assertEqual(refund.state, "pending", "not confirmed: the money may be on its way")
        self.assertFalse(order.is_paid)
        # Another request meanwhile sends nothing.
        self._use_stripe_at(self.localstripe.url)
        order.action_customer_changed()
        self._request_change(order, refund="automatic")
        self.assertEqual(order.refund_ids, refund)

        # Stripe did make it, with our key, after all: the follow-up adopts it.
        self._stripe_refund(tx, 1000, metadata={KEY_METADATA: refund.idempotency_key})
        self.env["print.refund"]._cron_follow_up_refunds()
        self.assertRecordValues(refund, [{"state": "done", "failure_reason": False}])
        self.assertEqual(len(self._stripe_refunds_of(tx.provider_reference)), 1)
        self.assertFalse(order.is_paid)

    def test_04b_refund_stripe_made_after_it_was_canceled_is_reopened_and_flagged(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        self._use_stripe_at(f"http://127.0.0.1:{free_port()}")  # down: nothing sent
        self._request_change(order, refund="automatic")
        refund = order.refund_ids
        self.assertEqual(refund.state, "failed")
        refund.with_user(self.accountant).action_cancel()
        self.assertTrue(order.is_paid)
        # Someone replays Odoo's request on Stripe with its key (e.g. a support tool).
        self._use_stripe_at(self.localstripe.url)
        self._stripe_refund(tx, 1000, metadata={KEY_METADATA: refund.idempotency_key})
        self.env["print.refund"]._cron_follow_up_refunds()
        self.assertRecordValues(refund, [{"state": "done", "to_check": True}])
        self.assertEqual(len(order.refund_ids), 1, "adopted, not recorded twice")
        self.assertIn("after this refund was canceled", refund.activity_ids.note)
        self.assertFalse(order.is_paid)

    def test_04c_reopened_refund_of_an_invoiced_order_pays_its_credit_note_again(self):
        order = self._create_order()
        invoice = self._create_invoice(order)
        tx = self._pay_with_stripe(order)
        tx.invoice_ids = [Command.set(invoice.ids)]
        self._register_payment(invoice)
        self._use_stripe_at(f"http://127.0.0.1:{free_port()}")  # down: nothing sent
        self._request_change(order, refund="automatic")
        refund = order.refund_ids
        refund.with_user(self.accountant).action_cancel()
        self.assertEqual(refund.credit_note_id.state, "cancel")
        self._use_stripe_at(self.localstripe.url)
        self._stripe_refund(tx, 1000, metadata={KEY_METADATA: refund.idempotency_key})
        self.env["print.refund"]._cron_follow_up_refunds()
        self.assertEqual(refund.state, "done")
        self.assertEqual(refund.credit_note_id.state, "posted")
        self.assertIn(refund.credit_note_id.payment_state, ("paid", "in_payment"))

    def test_05_refund_whose_record_died_with_the_worker_is_adopted(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        # Odoo sent it, then the worker was killed before its transaction committed.
        lost = self._stripe_refund(
            tx,
            1000,
            metadata={KEY_METADATA: "print-refund-lost", "print_order": order.name},
        )
        response = self._post_event(lost)
        self.assertEqual(response.status_code, 200)
        refund = order.refund_ids
        self.assertRecordValues(
            refund,
            [
                {
                    "origin": "adopted",
                    "state": "done",
                    "amount": 10.0,
                    "provider_refund_id": lost["id"],
                }
            ],
        )
        self.assertFalse(order.is_paid)
        # The operator now requests a change: nothing is left to refund, nothing is sent.
        self._request_change(order, refund="automatic")
        self.assertEqual(len(order.refund_ids), 1)
        self.assertEqual(len(self._stripe_refunds_of(tx.provider_reference)), 1)

    # ------------------------------------------------------------
    # A late failure of a posted refund
    # ------------------------------------------------------------

    def test_10_late_failure_of_an_older_refund_cancels_its_posted_payment(self):
        first_order, second_order = self._create_order(), self._create_order()
        first_tx = self._pay_with_stripe(first_order)
        second_tx = self._pay_with_stripe(second_order)
        first = self._pending_refund(first_order, first_tx, "re_first")
        second = self._pending_refund(second_order, second_tx, "re_second")
        self.assertEqual(self._post_event(self._event_for(first, "succeeded")).status_code, 200)
        self.assertEqual(self._post_event(self._event_for(second, "succeeded")).status_code, 200)
        payment = first.payment_id
        self.assertTrue(payment.move_id.name)
        self.assertLess(payment.move_id.id, second.payment_id.move_id.id, "not the newest entry")

        response = self._post_event(
            self._event_for(first, "failed", failure_reason="expired_or_canceled_card")
        )

        self.assertEqual(response.status_code, 200)
        self.assertEqual(first.state, "failed")
        self.assertTrue(payment.exists(), "a posted payment is never deleted")
        self.assertEqual(payment.state, "canceled")
        self.assertTrue(payment.move_id.exists())
        self.assertTrue(first_order.is_paid, "the money is back with the shop")
        self.assertEqual(second.state, "done", "the other refund is untouched")

    # ------------------------------------------------------------
    # Webhook payloads that must not be trusted blindly
    # ------------------------------------------------------------

    def test_20_malformed_refund_objects_answer_400(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        good = refund_body("re_x", "succeeded", 1000, tx.provider_reference)
        bad_objects = [
            {k: v for k, v in good.items() if k != "id"},
            {**good, "id": 42},
            {**good, "amount": "a lot"},
            {**good, "amount": -5},
            {**good, "status": "exploded"},
            {**good, "currency": None},
            {**good, "metadata": "not a dict"},
        ]
        with mute_logger(WEBHOOK_LOGGER):
            for bad in bad_objects:
                with self.subTest(bad=bad):
                    self.assertEqual(self._post_event(bad).status_code, 400)
        self.assertFalse(order.refund_ids)

    def test_21_future_timestamps_are_refused(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        event = refund_body("re_future", "succeeded", 1000, tx.provider_reference)
        with mute_logger(WEBHOOK_LOGGER):
            response = self._post_event(event, timestamp=int(time.time()) + 3600)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(order.refund_ids)

    def test_22_amount_or_currency_that_does_not_match_is_flagged_not_applied(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        refund = self._pending_refund(order, tx, "re_amount")
        wrong_amount = {**self._event_for(refund, "succeeded"), "amount": 1}
        self.assertEqual(self._post_event(wrong_amount).status_code, 200)
        self.assertRecordValues(refund, [{"state": "pending", "to_check": True}])
        self.assertIn("It was not applied", refund.activity_ids.note)
        self.assertIn("0.01", refund.activity_ids.note)
        wrong_currency = {**self._event_for(refund, "succeeded"), "currency": "jpy"}
        self.assertEqual(self._post_event(wrong_currency).status_code, 200)
        self.assertEqual(refund.state, "pending")
        self.assertFalse(refund.payment_id)

    def test_23_a_known_key_with_another_refund_id_does_not_overwrite_it(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        refund = self._pending_refund(order, tx, "re_original")
        impostor = {**self._event_for(refund, "succeeded"), "id": "re_impostor"}
        self.assertEqual(self._post_event(impostor).status_code, 200)
        self.assertEqual(refund.provider_refund_id, "re_original")
        self.assertEqual(refund.state, "pending")
        duplicate = order.refund_ids - refund
        self.assertRecordValues(
            duplicate, [{"provider_refund_id": "re_impostor", "to_check": True, "state": "done"}]
        )

    def test_24_a_late_pending_event_does_not_move_a_done_refund_back(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        refund = self._pending_refund(order, tx, "re_order")
        self._post_event(self._event_for(refund, "succeeded"))
        self.assertEqual(self._post_event(self._event_for(refund, "pending")).status_code, 200)
        self.assertEqual(refund.state, "done")

    # ------------------------------------------------------------
    # Plain words for the operator
    # ------------------------------------------------------------

    def test_30_unreachable_stripe_is_said_in_plain_words(self):
        order = self._create_order()
        self._pay_with_stripe(order)
        fake = self._fake_stripe()
        fake.stop()  # nothing listens there any more
        result = self._request_change(order, refund="automatic")
        refund = order.refund_ids
        self.assertEqual(refund.state, "failed")
        for text in (refund.failure_reason, result["params"]["message"]):
            self.assertIn("Stripe could not be reached", text)
            self.assertIn("nothing was sent", text)
            self.assertNotIn("HTTPConnectionPool", text)
            self.assertNotIn("Max retries", text)
        log = "\n".join(refund.message_ids.mapped("body"))
        self.assertIn("Technical detail", log)
