"""Communication states of print orders and jobs: keys, precedence, colors, transitions.

Plain Python, no ORM: the models import these tables and functions, and tests reach them
without a database.  Labels are English source strings; the models translate them.
"""

NEW = "new"
CHANGE_REQUESTED = "change_requested"
CHANGED = "changed"
ACCEPTED = "accepted"
CANCELED = "canceled"
DISPATCHED = "dispatched"
FINALIZED = "finalized"

#: (key, label) in the order the status bar shows them.
STATES = [
    (NEW, "New"),
    (CHANGE_REQUESTED, "Request for change"),
    (CHANGED, "Job is changed"),
    (ACCEPTED, "Accepted"),
    (DISPATCHED, "Dispatched"),
    (FINALIZED, "Finalized"),
    (CANCELED, "Canceled"),
]

#: The order shows the job state that needs the most attention: first is strongest.
PRECEDENCE = (CHANGE_REQUESTED, CHANGED, NEW, ACCEPTED, DISPATCHED, FINALIZED)

#: States waiting for the customer (used by filters and reminders).
WAITING_ON_CUSTOMER = (CHANGE_REQUESTED,)

#: States that never change again, except dispatched which may still be finalized.
LOCKED = (DISPATCHED, FINALIZED)

#: Odoo color index per state (kanban stripe, list color square).  The seven are told
#: apart with every kind of color vision: of Odoo's eleven colors, this set keeps the
#: closest two furthest apart (delta E >= 13 under protanopia, deuteranopia and
#: tritanopia, see tests/color_vision.py); New (blue) and Job is changed (fuchsia) no longer
#: look alike.
COLORS = {
    NEW: 8,  # blue
    CHANGE_REQUESTED: 3,  # yellow
    CHANGED: 9,  # fuchsia
    ACCEPTED: 7,  # teal
    DISPATCHED: 11,  # lavender
    FINALIZED: 6,  # salmon
    CANCELED: 1,  # red
}

DECORATIONS = {
    NEW: "info",
    CHANGE_REQUESTED: "warning",
    CHANGED: "primary",
    ACCEPTED: "success",
    DISPATCHED: "success",
    FINALIZED: "muted",
    CANCELED: "danger",
}

#: Allowed moves of a job's state.  Everything else is refused.
TRANSITIONS = {
    NEW: {CHANGE_REQUESTED, ACCEPTED, CANCELED},
    CHANGE_REQUESTED: {CHANGED, ACCEPTED, CANCELED},
    CHANGED: {CHANGE_REQUESTED, ACCEPTED, CANCELED},
    ACCEPTED: {DISPATCHED, CANCELED},
    DISPATCHED: {FINALIZED},
    FINALIZED: set(),
    CANCELED: set(),
}

#: Job states on which an operator may send a request for change.
CHANGE_REQUESTABLE = (NEW, CHANGE_REQUESTED, CHANGED)

#: Job states an order may be accepted with, without further decision (accepted jobs stay
#: as they are).  A job still waiting for the customer can be accepted only after the
#: operator chose not to wait.
ACCEPTABLE = (NEW, CHANGED, ACCEPTED)


def order_state(job_states):
    """Return the order's state from its jobs' states.

    The strongest state by :data:`PRECEDENCE` wins; canceled jobs are ignored unless every
    job is canceled.  An order without jobs is new.
    """
    states = set(job_states)
    if not states:
        return NEW
    live = states - {CANCELED}
    if not live:
        return CANCELED
    for state in PRECEDENCE:
        if state in live:
            return state
    raise ValueError(f"unknown communication state(s): {sorted(live)}")


def color(state):
    """Odoo color index of a state (0, no color, when unknown or empty)."""
    return COLORS.get(state, 0)


def can_move(current, target):
    """True when a job may go from ``current`` to ``target``."""
    return target in TRANSITIONS.get(current, set())


def is_locked(state):
    """True when a record in this state may no longer change (except dispatched -> finalized)."""
    return state in LOCKED
