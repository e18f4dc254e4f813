"""How the money of an order goes back to its customer: plain Python, no ORM.

An order may have been paid by one or more online payments (payment transactions) and by
other means (a paid invoice, a bank transfer).  When the customer must be refunded, the
amount is taken from the newest online payments first, as far as each can still be refunded;
what no online payment covers is refunded by hand.  An automatic refund is possible only
where the payment's provider and its payment method support it (:func:`refund_support`).
"""

from dataclasses import dataclass
from typing import Any

AUTOMATIC = "automatic"
MANUAL = "manual"

# Why a refund is manual although an automatic one was asked for.
NO_ONLINE_PAYMENT = "no_online_payment"
PROVIDER_CANNOT_REFUND = "provider_cannot_refund"
PROVIDER_FULL_ONLY = "provider_full_only"

#: What an accountant may do with a refund, by (state, method).
ALLOWED_ACTIONS = {
    # send an automatic refund held back for the accountants (an overpayment)
    "send": {("draft", AUTOMATIC)},
    # send a failed automatic refund again, under the same key
    "retry": {("failed", AUTOMATIC)},
    # give the money back by hand instead
    "refund_manually": {("draft", AUTOMATIC), ("failed", AUTOMATIC), ("failed", MANUAL)},
    # the money went back by hand
    "mark_done": {("pending", MANUAL), ("failed", AUTOMATIC), ("failed", MANUAL)},
    # nothing will be refunded (a refund under way at the provider cannot be called back)
    "cancel": {
        ("draft", AUTOMATIC),
        ("draft", MANUAL),
        ("pending", MANUAL),
        ("failed", AUTOMATIC),
        ("failed", MANUAL),
    },
}


def allowed(action, state, method):
    """Whether an accountant may ``action`` a refund in ``state`` made by ``method``."""
    return (state, method) in ALLOWED_ACTIONS[action]


#: print.refund states that hold money back from the customer's paid amount: a refund
#: decided, on its way, or done.  Failed and canceled refunds give nothing back.
COMMITTED_STATES = ("draft", "pending", "done")


@dataclass(frozen=True)
class Source:
    """An online payment the customer made for the order."""

    key: Any  # whatever identifies the payment for the caller (a transaction id)
    amount: float  # what the customer paid with it
    refundable: float  # what can still be refunded on it
    support: str  # the provider's refund support: "none", "full_only" or "partial"


@dataclass(frozen=True)
class PlannedRefund:
    source: Any  # the Source.key refunded, or None for money paid by other means
    amount: float
    method: str  # AUTOMATIC or MANUAL
    reason: str | None = None  # why MANUAL when AUTOMATIC was asked


def _round(value, rounding):
    return round(round(value / rounding) * rounding, 10)


def plan_refunds(amount, sources, automatic, rounding=0.01):
    """Split ``amount`` over ``sources`` (newest first) into refunds.

    :param float amount: what must go back to the customer
    :param list[Source] sources: the order's online payments, newest first
    :param bool automatic: whether the operator asked for automatic refunds
    :param float rounding: the currency's rounding
    :return: the refunds to make, in order; empty when nothing is to be refunded
    :rtype: list[PlannedRefund]
    """
    left = _round(max(amount, 0.0), rounding)
    plan = []
    for source in sources:
        if left < rounding / 2:
            break
        take = _round(min(left, max(source.refundable, 0.0)), rounding)
        if take < rounding / 2:
            continue
        method, reason = MANUAL, None
        if automatic:
            method, reason = _automatic_or_why_not(source, take, rounding)
        plan.append(PlannedRefund(source.key, take, method, reason))
        left = _round(left - take, rounding)
    if left >= rounding / 2:
        plan.append(PlannedRefund(None, left, MANUAL, NO_ONLINE_PAYMENT if automatic else None))
    return plan


def _automatic_or_why_not(source, take, rounding):
    if source.support == "partial":
        return AUTOMATIC, None
    if source.support == "full_only":
        whole = abs(take - source.amount) < rounding / 2
        untouched = abs(source.refundable - source.amount) < rounding / 2
        if whole and untouched:
            return AUTOMATIC, None
        return MANUAL, PROVIDER_FULL_ONLY
    return MANUAL, PROVIDER_CANNOT_REFUND


def refund_support(provider_support, method_support=None):
    """What refunds a payment supports, as Odoo's refund wizard (``account_payment``)
    decides it: "none" when its provider or its payment method cannot refund, "full_only"
    when either refunds only whole payments, else "partial".  A provider that says nothing
    cannot refund; a payment without a payment method follows its provider."""
    supports = {provider_support or "none", method_support or "partial"}
    if "none" in supports:
        return "none"
    if "full_only" in supports:
        return "full_only"
    return "partial"


def refundable(paid, committed_refunds):
    """What can still be refunded on a payment of ``paid`` that already has
    ``committed_refunds`` (amounts) decided, under way or done.  Never below zero."""
    return max(paid - sum(committed_refunds), 0.0)


def still_due(amount, paid, committed_others, rounding=0.01):
    """How much of a refund of ``amount`` may still be sent now, on a payment of ``paid``
    whose other refunds (of any request) decided, under way or done add up to
    ``committed_others``; 0.0 when the money already went back some other way.

    Every send, retry and follow-up asks this under the payment's lock, so that a refund
    decided earlier never gives back what a later one already gave back.
    """
    left = _round(max(paid - committed_others, 0.0), rounding)
    due = _round(min(max(amount, 0.0), left), rounding)
    return due if due >= rounding / 2 else 0.0
