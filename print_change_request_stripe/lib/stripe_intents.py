"""Capture and release (cancel) of Stripe PaymentIntents authorized for manual capture:
plain Python, no ORM, through the official ``stripe`` library as the refunds
(:mod:`.stripe_refunds`), with an idempotency key on each request and the same errors
(:class:`.stripe_refunds.StripeRefundError`)."""

import re
from dataclasses import dataclass, field

import stripe

from .stripe_refunds import StripeRefundError, _error, _plain


@dataclass(frozen=True)
class IntentResult:
    """A Stripe PaymentIntent, as far as capture and release need it."""

    intent_id: str
    status: str
    amount: int  # minor units
    amount_received: int  # minor units captured
    currency: str
    error_message: str | None
    raw: dict = field(hash=False, repr=False)

    @classmethod
    def from_stripe(cls, obj) -> "IntentResult":
        raw = _plain(obj)
        intent_id = raw.get("id")
        if not isinstance(intent_id, str) or not re.fullmatch(r"[A-Za-z0-9_]{3,255}", intent_id):
            raise ValueError(f"The payment intent has no valid id: {intent_id!r}")
        status = raw.get("status") or ""
        amount = raw.get("amount") or 0
        received = raw.get("amount_received")
        if not isinstance(received, int):
            # localstripe does not say it: the captured charge does.
            charge = raw.get("latest_charge") or {}
            charge = charge if isinstance(charge, dict) else {}
            received = amount if status == "succeeded" and charge.get("captured", True) else 0
        error = raw.get("last_payment_error") or {}
        return cls(
            intent_id=intent_id,
            status=status,
            amount=amount,
            amount_received=received,
            currency=(raw.get("currency") or "").lower(),
            error_message=(error.get("message") if isinstance(error, dict) else None) or None,
            raw=raw,
        )


class StripeIntents:
    """PaymentIntents of one Stripe account."""

    def __init__(self, api_key, api_base=None, timeout=20.0, max_network_retries=0):
        self.client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else None,
            http_client=stripe.RequestsClient(timeout=timeout),
            max_network_retries=max_network_retries,
        )

    def _call(self, action, function):
        try:
            return IntentResult.from_stripe(function())
        except stripe.StripeError as exc:
            raise _error(exc, action, False) from exc

    def retrieve(self, intent_id: str) -> IntentResult:
        return self._call(
            "payment lookup", lambda: self.client.v1.payment_intents.retrieve(intent_id)
        )

    def capture(self, intent_id: str, idempotency_key: str) -> IntentResult:
        """Capture the whole authorized amount; the same key returns the same answer."""
        return self._call(
            "capture",
            lambda: self.client.v1.payment_intents.capture(
                intent_id, options={"idempotency_key": idempotency_key}
            ),
        )

    def cancel(self, intent_id: str, idempotency_key: str) -> IntentResult:
        """Release the authorization (nothing is charged); the same key returns the same
        answer."""
        return self._call(
            "release",
            lambda: self.client.v1.payment_intents.cancel(
                intent_id, options={"idempotency_key": idempotency_key}
            ),
        )


__all__ = ["IntentResult", "StripeIntents", "StripeRefundError"]
