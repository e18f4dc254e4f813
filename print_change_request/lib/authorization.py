"""Authorized payments (capture manually): what to do with one, from its provider's status.

Plain Python, no ORM.  A payment authorized at submission is captured when the shop accepts
the order, released (voided) when the shop asks for a change or cancels the order, and
followed when the provider moved it by itself (captured or canceled in Stripe's dashboard,
an authorization that expired).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

#: Stripe keeps a card authorization 7 days, then cancels it.
DEFAULT_AUTHORIZATION_DAYS = 7
#: The hourly follow-up acts this long before an authorization expires.
DEFAULT_WARNING_HOURS = 24

# What to do, or what happened, for one authorized payment.
CAPTURE = "capture"  # ask the provider to capture it
RELEASE = "release"  # ask the provider to release (void) it
FOLLOW_CAPTURED = "follow_captured"  # the provider captured it already: record the money
FOLLOW_CANCELED = "follow_canceled"  # the provider canceled it (released, expired)
NOTHING = "nothing"  # nothing to do now
REFUSE = "refuse"  # the provider holds it in a state where it can neither be captured nor released

#: Stripe PaymentIntent statuses.
AUTHORIZED = "requires_capture"
CAPTURED = "succeeded"
CANCELED = "canceled"
#: Statuses in which Stripe still lets a PaymentIntent be canceled (released).
CANCELABLE = (
    "requires_payment_method",
    "requires_capture",
    "requires_confirmation",
    "requires_action",
)


def plan_capture(status):
    """What Accept does with a Stripe PaymentIntent of ``status``: capture it while it is
    authorized, follow it when Stripe captured or canceled it already, else refuse."""
    if status == AUTHORIZED:
        return CAPTURE
    if status == CAPTURED:
        return FOLLOW_CAPTURED
    if status == CANCELED:
        return FOLLOW_CANCELED
    return REFUSE


def plan_release(status):
    """What a release does with a Stripe PaymentIntent of ``status``: never a refund; a
    payment captured meanwhile (in Stripe's dashboard) is followed, not released."""
    if status == CANCELED:
        return FOLLOW_CANCELED
    if status == CAPTURED:
        return FOLLOW_CAPTURED
    if status in CANCELABLE:
        return RELEASE
    return REFUSE


def plan_follow(status):
    """What the hourly follow-up records of a payment Odoo holds as authorized."""
    if status == CAPTURED:
        return FOLLOW_CAPTURED
    if status == CANCELED:
        return FOLLOW_CANCELED
    return NOTHING


@dataclass(frozen=True)
class Expiry:
    """When an authorization expires, and whether the follow-up must act on it now."""

    expires_at: datetime
    act_now: bool
    expired: bool


def expiry(
    authorized_at, now, days=DEFAULT_AUTHORIZATION_DAYS, warning_hours=DEFAULT_WARNING_HOURS
):
    """The expiry of an authorization made at ``authorized_at``: it expires ``days`` later;
    the follow-up acts from ``warning_hours`` before (a to-do, or the capture)."""
    expires_at = authorized_at + timedelta(days=days)
    return Expiry(
        expires_at=expires_at,
        act_now=now >= expires_at - timedelta(hours=warning_hours),
        expired=now >= expires_at,
    )
