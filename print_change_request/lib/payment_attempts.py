"""Whether a customer's payment of an order is under way (plain Python, no ORM).

While one is, the order's page offers no payment form and its transaction route refuses a
second payment: two browser tabs paying at the same moment make one payment, not two."""

from datetime import timedelta

#: A payment just started (a draft transaction: the customer is on the provider's form, or
#: a second tab's request came at the same moment) counts as under way this long.  Short, so
#: that a customer whose card was declined can try again soon.
DRAFT_UNDER_WAY_SECONDS = 30

#: Sent to the provider, not settled yet (Stripe's "processing", a bank transfer).
PENDING = "pending"
DRAFT = "draft"


def is_under_way(state, created_at, now, draft_seconds=DRAFT_UNDER_WAY_SECONDS):
    """A payment transaction in ``state``, created at ``created_at``, is under way at ``now``:
    pending at the provider, or a draft started less than ``draft_seconds`` ago."""
    if state == PENDING:
        return True
    if state == DRAFT and created_at is not None:
        return now - created_at < timedelta(seconds=draft_seconds)
    return False
