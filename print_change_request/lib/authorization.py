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


@dataclass(frozen=True)
class DuePlan:
    """Which of an order's authorized payments to capture, and which to release, so that
    no more than the amount due is captured.  ``keep``: authorizations whose capture just
    failed, left as they are while something is still due (the operator tries again)."""

    capture: tuple
    release: tuple
    too_large: tuple
    keep: tuple


def plan_due_captures(due, authorizations, failed=(), digits=2):
    """Choose among ``authorizations`` (``(key, amount)`` pairs, oldest first) what to capture
    for ``due`` (what the order still has to receive, authorizations not counted), always
    whole (Stripe captures an authorization in full only), never more than ``due`` in all:

    - the oldest authorization of exactly ``due``, if there is one;
    - else, oldest first, each authorization that still fits in what is left to capture;
    - every other authorization is released (``too_large``: those released although
      something is still due, because capturing them would take more than is due).

    ``failed`` authorizations (their capture failed just now) are not captured again; they
    are released when nothing is left due, else kept."""
    failed = set(failed)

    def cmp(left, right):
        difference = round(left - right, digits)
        return (difference > 0) - (difference < 0)

    candidates = [(key, amount) for key, amount in authorizations if key not in failed]
    exact = [key for key, amount in candidates if cmp(amount, due) == 0]
    capture = []
    if cmp(due, 0.0) > 0:
        if exact:
            capture = [exact[0]]
        else:
            left = due
            for key, amount in candidates:
                if cmp(amount, left) <= 0:
                    capture.append(key)
                    left = round(left - amount, digits)
    captured = sum(amount for key, amount in candidates if key in capture)
    left = round(due - captured, digits)
    release, too_large, keep = [], [], []
    for key, _amount in authorizations:
        if key in capture:
            continue
        if cmp(left, 0.0) <= 0:
            release.append(key)
        elif key in failed:
            keep.append(key)
        else:  # more than what is left: capturing it would take more than is due
            release.append(key)
            too_large.append(key)
    return DuePlan(tuple(capture), tuple(release), tuple(too_large), tuple(keep))
