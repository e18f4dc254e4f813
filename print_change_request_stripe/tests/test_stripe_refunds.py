"""Refunds through Stripe and its webhook events, without a database.

Refund calls go over real HTTP: to localstripe (a fake but stateful Stripe) for the happy path,
and to FakeStripe (canned answers) for what localstripe cannot do: errors, timeouts, pending
and failed refunds, paginated lists.
"""

import hashlib
import hmac
import json
import time

from odoo.tests import BaseCase, tagged

from ..lib import stripe_refunds as sr
from .common import sign_payload
from .stripe_servers import (
    FakeStripe,
    LocalStripe,
    error_body,
    free_port,
    list_body,
    refund_body,
)

KEY = sr.KEY_METADATA


@tagged("post_install", "-at_install")
class TestStripeRefunds(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.localstripe = LocalStripe().start()
        cls.addClassCleanup(cls.localstripe.stop)

    def setUp(self):
        super().setUp()
        self.local = sr.StripeRefunds("sk_test_print", api_base=self.localstripe.url)

    def fake(self, timeout=5.0):
        """A FakeStripe for this test, and StripeRefunds talking to it."""
        server = FakeStripe().start()
        self.addCleanup(server.stop)
        return server, sr.StripeRefunds("sk_test_print", api_base=server.url, timeout=timeout)

    def assertRefundError(self, kind, uncertain, function, *args):
        with self.assertRaises(sr.StripeRefundError) as caught:
            function(*args)
        self.assertEqual(caught.exception.kind, kind)
        self.assertIs(caught.exception.uncertain, uncertain)
        return caught.exception

    # localstripe ------------------------------------------------------------------------

    def test_01_refund_paid_payment_intent(self):
        intent = self.localstripe.create_paid_payment_intent(3600)
        refund = self.local.create_refund(intent, 1200, "order-7-refund-1", {"order": "PO007"})

        self.assertTrue(refund.refund_id.startswith("re_"), refund.refund_id)
        self.assertEqual(refund.status, "succeeded")
        self.assertTrue(refund.is_done)
        self.assertFalse(refund.is_pending or refund.is_failed)
        self.assertEqual((refund.amount, refund.currency), (1200, "eur"))
        self.assertIsNone(refund.failure_reason)
        self.assertEqual(refund.metadata, {"order": "PO007", KEY: "order-7-refund-1"})
        self.assertEqual(refund.raw["payment_intent"], intent)

        listed = self.local.list_refunds(intent)
        self.assertEqual([r.refund_id for r in listed], [refund.refund_id])
        found = self.local.find_by_key(intent, "order-7-refund-1")
        self.assertEqual(found.refund_id, refund.refund_id)
        self.assertEqual(found.amount, 1200)
        self.assertIsNone(self.local.find_by_key(intent, "order-7-refund-2"))
        self.assertEqual((found.status, found.amount), ("succeeded", 1200))
        self.assertEqual(found.metadata[KEY], "order-7-refund-1")

    def test_02_localstripe_ignores_idempotency_keys(self):
        # Real Stripe would answer the second request with the first refund.  localstripe
        # makes a second refund: tests cannot count on Stripe's idempotency, and our own
        # guard (find_by_key before asking again) is what prevents double refunds.
        intent = self.localstripe.create_paid_payment_intent(3600)
        first = self.local.create_refund(intent, 1000, "same-key")
        second = self.local.create_refund(intent, 1000, "same-key")

        self.assertNotEqual(first.refund_id, second.refund_id)
        listed = self.local.list_refunds(intent)
        self.assertEqual(len(listed), 2)
        self.assertEqual({r.refund_id for r in listed}, {first.refund_id, second.refund_id})
        self.assertTrue(all(r.metadata[KEY] == "same-key" for r in listed))

    def test_03_localstripe_errors(self):
        error = self.assertRefundError(
            "invalid_request", False, self.local.create_refund, "pi_unknown", 100, "key-unknown"
        )
        self.assertEqual(error.http_status, 404)
        self.assertTrue(error.message.startswith("Stripe refused the refund"), error.message)

        bad_key = sr.StripeRefunds("not_a_secret_key", api_base=self.localstripe.url)
        error = self.assertRefundError("authentication", False, bad_key.list_refunds, "pi_x")
        self.assertEqual(error.http_status, 401)
        self.assertIn("API key", error.message)

    def test_04_refunds_of_another_payment_are_not_listed(self):
        intent = self.localstripe.create_paid_payment_intent(2000)
        other = self.localstripe.create_paid_payment_intent(2000)
        refund = self.local.create_refund(other, 500, "other-key")

        self.assertEqual(self.local.list_refunds(intent), [])
        self.assertIsNone(self.local.find_by_key(intent, "other-key"))
        self.assertEqual(self.local.find_by_key(other, "other-key").refund_id, refund.refund_id)

    # FakeStripe: what is sent -----------------------------------------------------------

    def test_10_create_sends_key_as_header_and_metadata(self):
        server, refunds = self.fake()
        server.respond(
            200,
            refund_body("re_1", "succeeded", 700, "pi_1", {"order": "PO1", KEY: "key-1"}),
            method="POST",
            path_prefix="/v1/refunds",
        )
        result = refunds.create_refund("pi_1", 700, "key-1", {"order": "PO1"})

        self.assertEqual(result.refund_id, "re_1")
        self.assertEqual(len(server.requests), 1)
        request = server.requests[0]
        self.assertEqual((request.method, request.path), ("POST", "/v1/refunds"))
        self.assertEqual(request.idempotency_key, "key-1")
        self.assertEqual(request.headers.get("Authorization"), "Bearer sk_test_print")
        self.assertEqual(
            request.form,
            {
                "payment_intent": "pi_1",
                "amount": "700",
                "metadata[order]": "PO1",
                f"metadata[{KEY}]": "key-1",
            },
        )

    def test_11_bad_arguments_send_nothing(self):
        server, refunds = self.fake()
        for amount in (0, -5, 12.5, True):
            with self.subTest(amount=amount), self.assertRaises(ValueError):
                refunds.create_refund("pi_1", amount, "key")
        with self.assertRaises(ValueError):
            refunds.create_refund("pi_1", 100, "")
        self.assertEqual(server.requests, [])

    # FakeStripe: refund states ----------------------------------------------------------

    def test_20_pending_refund(self):
        server, refunds = self.fake()
        server.respond(200, refund_body("re_p", "pending", 500, "pi_1", {KEY: "k"}))
        result = refunds.create_refund("pi_1", 500, "k")

        self.assertTrue(result.is_pending)
        self.assertFalse(result.is_done or result.is_failed)
        self.assertEqual(result.status, "pending")

        server.respond(
            200, list_body([refund_body("re_a", "requires_action", 500, "pi_1")]), method="GET"
        )
        (listed,) = refunds.list_refunds("pi_1")
        self.assertTrue(listed.is_pending)
        self.assertEqual(listed.status, "requires_action")
        self.assertEqual(server.requests[-1].path, "/v1/refunds")

    def test_21_failed_refund(self):
        server, refunds = self.fake()
        failed = refund_body(
            "re_f", "failed", 500, "pi_1", failure_reason="expired_or_canceled_card"
        )
        canceled = refund_body("re_c", "canceled", 500, "pi_1")
        server.respond(200, list_body([failed, canceled]), method="GET", path_prefix="/v1/refunds")
        result, canceled = refunds.list_refunds("pi_1")

        self.assertTrue(result.is_failed)
        self.assertFalse(result.is_done or result.is_pending)
        self.assertEqual(result.failure_reason, "expired_or_canceled_card")
        self.assertTrue(canceled.is_failed)
        self.assertFalse(canceled.is_done or canceled.is_pending)
        self.assertIsNone(canceled.failure_reason)

    def test_22_list_follows_pagination(self):
        server, refunds = self.fake()
        page_1 = [refund_body(f"re_{n}", "succeeded", 100, "pi_1", {KEY: f"k{n}"}) for n in (4, 3)]
        page_2 = [refund_body(f"re_{n}", "succeeded", 100, "pi_1", {KEY: f"k{n}"}) for n in (2, 1)]
        server.respond(200, list_body(page_1, has_more=True), method="GET")
        server.respond(200, list_body(page_2), method="GET")

        listed = refunds.list_refunds("pi_1")

        self.assertEqual([r.refund_id for r in listed], ["re_4", "re_3", "re_2", "re_1"])
        first, second = server.requests
        self.assertEqual(first.path, "/v1/refunds")
        self.assertEqual(first.query, {"payment_intent": "pi_1", "limit": "100"})
        self.assertEqual(
            second.query, {"payment_intent": "pi_1", "limit": "100", "starting_after": "re_3"}
        )

        # find_by_key reads every page too.
        server.respond(200, list_body(page_1, has_more=True), method="GET")
        server.respond(200, list_body(page_2), method="GET")
        self.assertEqual(refunds.find_by_key("pi_1", "k1").refund_id, "re_1")
        self.assertEqual(len(server.requests), 4)

    # FakeStripe: errors -----------------------------------------------------------------

    def test_30_card_error_is_declined(self):
        server, refunds = self.fake()
        server.respond(
            402,
            error_body(
                "card_error", "Your card was declined.", "card_declined", "generic_decline"
            ),
        )
        error = self.assertRefundError("declined", False, refunds.create_refund, "pi_1", 100, "k")

        self.assertIn("Your card was declined.", error.message)
        self.assertEqual((error.code, error.http_status), ("card_declined", 402))

    def test_31_invalid_request(self):
        server, refunds = self.fake()
        message = "Charge ch_1 has already been refunded."
        server.respond(
            400, error_body("invalid_request_error", message, "charge_already_refunded")
        )
        error = self.assertRefundError(
            "invalid_request", False, refunds.create_refund, "pi_1", 100, "k"
        )

        self.assertIn(message, error.message)
        self.assertEqual((error.code, error.http_status), ("charge_already_refunded", 400))
        self.assertNotIn("may have been made", error.message)

    def test_32_authentication(self):
        server, refunds = self.fake()
        server.respond(401, error_body("invalid_request_error", "Invalid API Key provided."))
        error = self.assertRefundError(
            "authentication", False, refunds.create_refund, "pi_1", 1, "k"
        )
        self.assertIn("Invalid API Key provided.", error.message)
        self.assertEqual(error.http_status, 401)

        server.respond(403, error_body("invalid_request_error", "The key lacks rak_refund_write."))
        error = self.assertRefundError(
            "authentication", False, refunds.create_refund, "pi_1", 1, "k"
        )
        self.assertIn("rak_refund_write", error.message)
        self.assertEqual(error.http_status, 403)

    def test_33_rate_limit(self):
        server, refunds = self.fake()
        server.respond(
            429, error_body("invalid_request_error", "Too many requests.", "rate_limit")
        )
        error = self.assertRefundError(
            "rate_limit", False, refunds.create_refund, "pi_1", 100, "k"
        )
        self.assertEqual(error.http_status, 429)
        self.assertIn("Too many requests.", error.message)

    def test_34_server_error_is_uncertain(self):
        server, refunds = self.fake()
        server.respond(500, error_body("api_error", "Something went wrong on Stripe's end."))
        error = self.assertRefundError("provider", True, refunds.create_refund, "pi_1", 100, "k")
        self.assertIn("Something went wrong on Stripe's end.", error.message)
        self.assertIn("may have been made", error.message)
        self.assertEqual(error.http_status, 500)

        # An idempotency error (the key reused with other parameters): the first request
        # with that key may have made a refund, so it is uncertain too.
        server.respond(400, error_body("idempotency_error", "Keys for idempotent requests..."))
        error = self.assertRefundError("provider", True, refunds.create_refund, "pi_1", 100, "k")
        self.assertEqual(error.http_status, 400)

        # No answer programmed: FakeStripe says 500 as well; lookups are uncertain too.
        error = self.assertRefundError("provider", True, refunds.list_refunds, "pi_1")
        self.assertNotIn("may have been made", error.message)

    def test_35_timeout_is_uncertain_network_error(self):
        server, refunds = self.fake(timeout=0.5)
        server.respond(200, refund_body("re_late", "succeeded", 100, "pi_1"), delay=2)
        started = time.monotonic()
        error = self.assertRefundError(
            "network", True, refunds.create_refund, "pi_1", 100, "k-late"
        )

        self.assertLess(time.monotonic() - started, 1.9, "the client did not time out")
        self.assertIn("timed out", error.message)
        self.assertIn("may have been made", error.message)
        self.assertIsNone(error.http_status)
        # The request did reach Stripe: that is why the refund may exist.
        self.assertEqual(server.requests[0].idempotency_key, "k-late")

    def test_36_unreachable_is_a_network_error_that_sent_nothing(self):
        refunds = sr.StripeRefunds("sk_test_print", api_base=f"http://127.0.0.1:{free_port()}")
        # The connection was refused: Stripe cannot have received the request.
        error = self.assertRefundError("network", False, refunds.create_refund, "pi_1", 100, "k")
        self.assertTrue(error.message.startswith("Stripe could not be reached"), error.message)
        self.assertNotIn("support@stripe.com", error.message)
        self.assertNotIn("may have been made", error.message)
        self.assertIn("Failed to establish a new connection", error.detail)
        error = self.assertRefundError("network", False, refunds.list_refunds, "pi_1")
        self.assertNotIn("may have been made", error.message)


@tagged("post_install", "-at_install")
class TestStripeEvents(BaseCase):
    SECRET = "whsec_print_test"

    def event(self, event_type="refund.updated", obj=None):
        obj = obj or refund_body("re_1", "succeeded", 900, "pi_1", {KEY: "k1"})
        return {"id": "evt_1", "object": "event", "type": event_type, "data": {"object": obj}}

    def assertInvalid(self, payload, header, secrets=(SECRET,)):
        with self.assertRaises(sr.InvalidEvent) as caught:
            sr.verify_event(payload, header, secrets)
        return str(caught.exception)

    def test_01_signed_payload_verifies(self):
        event = self.event()
        payload = json.dumps(event).encode()
        header = sign_payload(payload, self.SECRET)

        self.assertEqual(sr.verify_event(payload, header, [self.SECRET]), event)
        # The right secret among several (an old one still configured, an empty one).
        self.assertEqual(sr.verify_event(payload, header, ["", "whsec_old", self.SECRET]), event)

    def test_02_sign_payload_is_stripe_signature(self):
        payload = b'{"type": "refund.updated"}'
        header = sign_payload(payload, self.SECRET, timestamp=1700000000)

        expected = hmac.new(
            self.SECRET.encode(), b"1700000000." + payload, hashlib.sha256
        ).hexdigest()
        self.assertEqual(header, f"t=1700000000,v1={expected}")
        self.assertRegex(sign_payload(payload, self.SECRET), r"^t=\d+,v1=[0-9a-f]{64}$")

    def test_03_invalid_events(self):
        payload = json.dumps(self.event()).encode()
        header = sign_payload(payload, self.SECRET)

        self.assertIn("signature", self.assertInvalid(payload, header, ["whsec_other"]))
        self.assertIn("header", self.assertInvalid(payload, None))
        self.assertIn("header", self.assertInvalid(payload, ""))
        self.assertIn("secret", self.assertInvalid(payload, header, ["", None]))
        self.assertIn("signature", self.assertInvalid(payload, "t=1,v0=abc"))
        self.assertIn("signature", self.assertInvalid(payload, "garbage"))

        tampered = payload.replace(b"900", b"9000")
        self.assertNotEqual(tampered, payload)
        self.assertInvalid(tampered, header)

        old = sign_payload(payload, self.SECRET, timestamp=int(time.time()) - 600)
        self.assertIn("tolerance", self.assertInvalid(payload, old))

        for bad in (b"not json", b"[1, 2]", b'{"type": "refund.updated"}', b"\xff\xfe"):
            with self.subTest(payload=bad):
                signed = sign_payload(bad, self.SECRET) if bad != b"\xff\xfe" else header
                self.assertInvalid(bad, signed)

    def test_10_refunds_in_event(self):
        first = refund_body("re_1", "succeeded", 500, "pi_1", {KEY: "k1"})
        second = refund_body("re_2", "pending", 300, "pi_1", {KEY: "k2"})
        charge = {
            "id": "ch_1",
            "object": "charge",
            "payment_intent": "pi_1",
            "refunds": list_body([first, second]),
        }

        refunds = sr.refunds_in_event(self.event("charge.refunded", charge))
        self.assertEqual([r["id"] for r in refunds], ["re_1", "re_2"])
        self.assertEqual(
            sr.refunds_in_event(self.event("charge.refund.updated", second)), [second]
        )
        for event_type in ("refund.created", "refund.updated", "refund.failed"):
            with self.subTest(event_type=event_type):
                self.assertEqual(sr.refunds_in_event(self.event(event_type, first)), [first])

        # Charges of recent API versions do not include their refunds.
        bare = {"id": "ch_1", "object": "charge", "payment_intent": "pi_1"}
        self.assertEqual(sr.refunds_in_event(self.event("charge.refunded", bare)), [])
        self.assertEqual(sr.refunds_in_event(self.event("refund.updated", charge)), [])
        self.assertEqual(sr.refunds_in_event(self.event("payment_intent.succeeded", first)), [])
        self.assertEqual(sr.refunds_in_event({"type": "refund.updated"}), [])

    def test_11_refund_result_from_event_dict(self):
        obj = refund_body(
            "re_9", "failed", 1234, "pi_9", {KEY: "k9"}, "lost_or_stolen_card", currency="EUR"
        )
        result = sr.RefundResult.from_stripe(obj)

        self.assertEqual(
            (result.refund_id, result.status, result.amount, result.currency),
            ("re_9", "failed", 1234, "eur"),
        )
        self.assertTrue(result.is_failed)
        self.assertEqual(result.failure_reason, "lost_or_stolen_card")
        self.assertEqual(result.metadata, {KEY: "k9"})
        self.assertEqual(result.raw, obj)
        self.assertNotIn("raw=", repr(result))  # a whole Stripe object is too long to read
