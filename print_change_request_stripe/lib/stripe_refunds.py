"""Refunds through Stripe, and Stripe's webhook events about them: plain Python, no ORM.

Calls go through the official ``stripe`` library (a ``stripe.StripeClient`` of its own, so
nothing global is configured).  Every refund we ask for carries our idempotency key twice: as
Stripe's ``Idempotency-Key`` header, so that Stripe makes one refund however often the request
is sent again, and in the refund's metadata (``KEY_METADATA``), so that a refund whose answer
was lost can be found again with :meth:`StripeRefunds.find_by_key`.

Errors come back as one exception, :class:`StripeRefundError`, whose ``kind`` tells what went
wrong and whose ``uncertain`` flag tells whether Stripe may have made the refund all the same
(no answer, or a server error): then look the refund up before asking again.
"""

import json
import re
import time
from dataclasses import dataclass, field

import stripe

#: Metadata key carrying our idempotency key on each refund.
KEY_METADATA = "print_refund_key"

#: Stripe signs webhook events with a timestamp; older events are refused (seconds).
TOLERANCE = 300

PENDING_STATUSES = ("pending", "requires_action")
FAILED_STATUSES = ("failed", "canceled")
KNOWN_STATUSES = ("succeeded", *PENDING_STATUSES, *FAILED_STATUSES)

#: Event types whose ``data.object`` is a refund.
REFUND_EVENTS = ("charge.refund.updated", "refund.created", "refund.updated", "refund.failed")
#: Event type whose ``data.object`` is a charge listing its refunds.
CHARGE_REFUNDED = "charge.refunded"


def _plain(obj):
    """The plain dict of a ``stripe.StripeObject`` (no dict subclass in stripe 16) or a mapping."""
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    return dict(obj)


@dataclass(frozen=True)
class RefundResult:
    """A Stripe refund, as far as we need it."""

    refund_id: str
    status: str  # "pending", "requires_action", "succeeded", "failed" or "canceled"
    amount: int  # minor units
    currency: str
    failure_reason: str | None  # Stripe's code when failed, e.g. "expired_or_canceled_card"
    metadata: dict = field(hash=False)
    raw: dict = field(hash=False, repr=False)  # the plain dict of the Stripe refund object
    payment_intent: str | None = None  # the refunded payment intent, when Stripe says it

    @classmethod
    def from_stripe(cls, obj) -> "RefundResult":
        """Build from a ``stripe.StripeObject`` or a plain dict (e.g. a webhook's object).

        :raise MalformedRefund: when the object lacks an id or has fields of the wrong type
            (Stripe never sends such a refund: the caller must not act on it)
        """
        raw = _plain(obj)
        refund_id = raw.get("id")
        if not isinstance(refund_id, str) or not re.fullmatch(r"[A-Za-z0-9_]{3,255}", refund_id):
            raise MalformedRefund(f"The refund has no valid id: {refund_id!r}")
        status = raw.get("status") or ""
        if status not in KNOWN_STATUSES:
            raise MalformedRefund(f"Refund {refund_id} has an unknown status: {status!r}")
        amount = raw.get("amount")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            raise MalformedRefund(f"Refund {refund_id} has no valid amount: {amount!r}")
        currency = raw.get("currency")
        if not isinstance(currency, str) or not re.fullmatch(r"[A-Za-z]{3}", currency):
            raise MalformedRefund(f"Refund {refund_id} has no valid currency: {currency!r}")
        metadata = raw.get("metadata") or {}
        if not isinstance(metadata, dict):
            raise MalformedRefund(f"Refund {refund_id} has malformed metadata.")
        failure_reason = raw.get("failure_reason") or None
        if failure_reason is not None and not isinstance(failure_reason, str):
            raise MalformedRefund(f"Refund {refund_id} has a malformed failure reason.")
        payment_intent = raw.get("payment_intent") or None
        if isinstance(payment_intent, dict):  # expanded
            payment_intent = payment_intent.get("id")
        if payment_intent is not None and not isinstance(payment_intent, str):
            raise MalformedRefund(f"Refund {refund_id} has a malformed payment intent.")
        return cls(
            refund_id=refund_id,
            status=status,
            amount=amount,
            currency=currency.lower(),
            failure_reason=failure_reason,
            metadata={str(key): str(value) for key, value in metadata.items()},
            raw=raw,
            payment_intent=payment_intent,
        )

    @property
    def is_done(self) -> bool:
        return self.status == "succeeded"

    @property
    def is_failed(self) -> bool:
        return self.status in FAILED_STATUSES

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_STATUSES


class MalformedRefund(ValueError):
    """A refund object that is not what Stripe sends (no id, wrong types...)."""


class StripeRefundError(Exception):
    """A refund request that did not get a refund object back.

    :ivar str message: English, readable by a print shop operator
    :ivar str kind: "declined", "invalid_request", "authentication", "rate_limit", "network"
        or "provider"
    :ivar bool uncertain: Stripe may have made the refund although we got no answer
    :ivar str code: Stripe's error code, when it gave one
    :ivar int http_status: the HTTP status of Stripe's answer, when there was one
    :ivar str detail: the technical detail (the library's text), for logs, never for the
        operator
    :ivar str stripe_message: Stripe's own words for the operator ("Your card was declined."),
        when Stripe answered with some
    """

    def __init__(
        self,
        message,
        kind,
        uncertain=False,
        code=None,
        http_status=None,
        detail="",
        stripe_message="",
    ):
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.uncertain = uncertain
        self.code = code
        self.http_status = http_status
        self.detail = detail
        self.stripe_message = stripe_message

    def __str__(self):
        return self.message


#: (stripe error class, kind, what the operator reads first), most specific first.
_ERROR_KINDS = (
    (stripe.CardError, "declined", "Stripe declined the {action}"),
    (stripe.InvalidRequestError, "invalid_request", "Stripe refused the {action}"),
    (
        stripe.AuthenticationError,
        "authentication",
        "Stripe did not accept the API key for the {action} (check the Stripe secret key)",
    ),
    (
        stripe.PermissionError,
        "authentication",
        "The Stripe API key lacks the permission for the {action}",
    ),
    (
        stripe.RateLimitError,
        "rate_limit",
        "Stripe received too many requests and refused the {action}; try again later",
    ),
    (stripe.APIConnectionError, "network", "Stripe could not be reached for the {action}"),
    (stripe.APIError, "provider", "Stripe failed to process the {action}"),
)
_UNCERTAIN_KINDS = ("network", "provider")
#: A network error raised before anything was sent (urllib3's and requests' words).
_NOT_CONNECTED = re.compile(
    r"Failed to establish a new connection|Connection refused|NewConnectionError|"
    r"Name or service not known|nodename nor servname",
    re.IGNORECASE,
)


def _error(exc, action, creating):
    """Turn a ``stripe.StripeError`` into a :class:`StripeRefundError`."""
    kind, text = "provider", "Stripe failed to process the {action}"
    for error_class, error_kind, error_text in _ERROR_KINDS:
        if isinstance(exc, error_class):
            kind, text = error_kind, error_text
            break
    message = text.format(action=action)
    detail = re.sub(r"\s+", " ", exc.user_message or str(exc) or "").strip()
    stripe_message = ""
    if kind == "network":
        # The library's text ("HTTPConnectionPool(...): Max retries exceeded...") is for the
        # log; the operator reads plain words.
        if re.search(r"timed? ?out", detail, re.IGNORECASE):
            message = f"Stripe did not answer in time for the {action} (the request timed out)"
    else:
        # Stripe's own words ("Your card was declined.") are meant for people.
        stripe_message = detail
        if detail:
            message = f"{message}: {detail}"
    uncertain = kind in _UNCERTAIN_KINDS
    if kind == "network" and _NOT_CONNECTED.search(detail):
        # The connection was never made: Stripe cannot have received the request.
        uncertain = False
    if uncertain and creating:
        if not message.endswith("."):
            message += "."
        message += " The refund may have been made all the same: check before trying again."
    return StripeRefundError(
        message,
        kind,
        uncertain=uncertain,
        code=exc.code,
        http_status=exc.http_status,
        detail=detail,
        stripe_message=stripe_message,
    )


class StripeRefunds:
    """Refunds of one Stripe account."""

    def __init__(
        self,
        api_key: str,
        api_base: str | None = None,
        timeout: float = 20.0,
        max_network_retries: int = 0,
    ):
        """
        :param str api_key: the secret key (``sk_...``) or a restricted key
        :param str api_base: another API address (a test server), default Stripe's
        :param float timeout: seconds to wait for an answer
        :param int max_network_retries: how often the library may resend a request itself
        """
        self.client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else None,
            http_client=stripe.RequestsClient(timeout=timeout),
            max_network_retries=max_network_retries,
        )

    def _call(self, action, function, creating=False):
        try:
            return function()
        except stripe.StripeError as exc:
            raise _error(exc, action, creating) from exc

    def create_refund(
        self, payment_intent: str, amount: int, idempotency_key: str, metadata: dict | None = None
    ) -> RefundResult:
        """Refund ``amount`` (minor units) of ``payment_intent``.

        Sending the same ``idempotency_key`` again (within 24 hours) returns the same refund
        instead of a second one; the key is also put in the refund's metadata.

        :rtype: RefundResult
        :raise StripeRefundError: when Stripe gave no refund back
        """
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise ValueError(f"A refund amount is a positive integer of minor units: {amount!r}")
        if not idempotency_key:
            raise ValueError("A refund needs an idempotency key.")
        params = {
            "payment_intent": payment_intent,
            "amount": amount,
            "metadata": {**(metadata or {}), KEY_METADATA: idempotency_key},
        }
        refund = self._call(
            "refund",
            lambda: self.client.v1.refunds.create(
                params=params, options={"idempotency_key": idempotency_key}
            ),
            creating=True,
        )
        return RefundResult.from_stripe(refund)

    def list_refunds(self, payment_intent: str) -> list[RefundResult]:
        """All refunds of ``payment_intent``, newest first.

        :rtype: list[RefundResult]
        """
        results = []
        params = {"payment_intent": payment_intent, "limit": 100}
        while True:
            page = self._call(
                "refund lookup", lambda params=params: self.client.v1.refunds.list(params=params)
            )
            refunds = [RefundResult.from_stripe(refund) for refund in page.data]
            results.extend(refunds)
            if not page.has_more or not refunds:
                return results
            params = {**params, "starting_after": refunds[-1].refund_id}

    def find_by_key(self, payment_intent: str, idempotency_key: str) -> RefundResult | None:
        """The refund of ``payment_intent`` made with ``idempotency_key`` (the newest if
        several), or None."""
        for refund in self.list_refunds(payment_intent):
            if refund.metadata.get(KEY_METADATA) == idempotency_key:
                return refund
        return None


class InvalidEvent(Exception):
    """A webhook request that is not a genuine, recent Stripe event."""


def verify_event(payload: bytes, sig_header: str | None, secrets) -> dict:
    """Check that ``payload`` was signed by Stripe with one of ``secrets`` and return it.

    :param bytes payload: the request's raw body
    :param str sig_header: the request's ``Stripe-Signature`` header
    :param secrets: the endpoint secrets (``whsec_...``) to try, or one; empty ones are ignored
    :return: the event, as a plain dict
    :raise InvalidEvent: unsigned, wrongly signed, too old or signed for the future, or not
        an event
    """
    if isinstance(secrets, str):
        secrets = [secrets]
    secrets = [secret for secret in secrets or () if secret]
    if not secrets:
        raise InvalidEvent("No webhook signing secret is configured.")
    if not sig_header:
        raise InvalidEvent("The request has no Stripe-Signature header.")
    if isinstance(payload, str):
        payload = payload.encode()
    try:
        text = bytes(payload).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidEvent("The payload is not UTF-8 text.") from exc
    reasons = []
    for secret in secrets:
        try:
            stripe.WebhookSignature.verify_header(text, sig_header, secret, TOLERANCE)
            break
        except stripe.SignatureVerificationError as exc:
            reasons.append(exc.user_message)
    else:
        raise InvalidEvent("Invalid Stripe signature: " + "; ".join(dict.fromkeys(reasons)))
    # Stripe's library refuses old events only; one signed for the future is as suspect.
    stamps = re.findall(r"(?:^|,)\s*t=(\d+)", sig_header)
    if not stamps or int(stamps[0]) > time.time() + TOLERANCE:
        raise InvalidEvent("The event's signature timestamp is in the future.")
    try:
        event = json.loads(text)
    except ValueError as exc:
        raise InvalidEvent("The payload is not JSON.") from exc
    if (
        not isinstance(event, dict)
        or not isinstance(event.get("type"), str)
        or not isinstance(event.get("data"), dict)
        or not isinstance(event["data"].get("object"), dict)
    ):
        raise InvalidEvent("The payload is not a Stripe event.")
    return event


def refunds_in_event(event: dict) -> list[dict]:
    """The refund objects (plain dicts) a webhook event carries.

    :raise InvalidEvent: when one of them is malformed (see :meth:`RefundResult.from_stripe`)

    Note: since API version 2022-11-15, a charge's ``refunds`` are no longer included unless
    expanded, so "charge.refunded" events of recent accounts usually carry none; the refund
    events carry them one by one.
    """
    event_type = event.get("type")
    obj = (event.get("data") or {}).get("object") or {}
    if event_type in REFUND_EVENTS:
        refunds = [obj] if obj.get("object") == "refund" else []
    elif event_type == CHARGE_REFUNDED:
        listed = obj.get("refunds") or {}
        listed = listed.get("data") if isinstance(listed, dict) else None
        if not isinstance(listed, list):
            listed = []
        refunds = [
            refund
            for refund in listed
            if isinstance(refund, dict) and refund.get("object") == "refund"
        ]
    else:
        return []
    for refund in refunds:
        try:
            RefundResult.from_stripe(refund)
        except MalformedRefund as exc:
            raise InvalidEvent(str(exc)) from exc
    return refunds
