"""What to do with an authorized Stripe payment, from its PaymentIntent's status: plain
Python, no ORM.  Capture it while it is authorized, release (cancel) it when the shop asks for
a change or cancels the order, and follow it when Stripe moved it by itself (captured or
canceled in Stripe's dashboard, an authorization that expired)."""

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
