"""Authorized payments (capture manually): when one expires, which of an order's to capture.

Plain Python, no ORM.  A payment authorized at submission is captured when the shop accepts
the order, released (voided) when the shop asks for a change or cancels the order, and
followed when the provider moved it by itself (captured or canceled in its dashboard, an
authorization that expired).  What to do from a Stripe PaymentIntent's status is
``print_change_request_stripe/lib/intent_planning.py``.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

#: Stripe keeps a card authorization 7 days, then cancels it.
DEFAULT_AUTHORIZATION_DAYS = 7
#: The hourly follow-up acts this long before an authorization expires.
DEFAULT_WARNING_HOURS = 24


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
