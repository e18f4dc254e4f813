"""What the customer typed on the order page and has not sent yet: their word for the print
shop and the job they are adding (``print.order.portal_form_draft``).  The page posts its whole
form at each button and opens again (a redirection): these fields, which no button saves
elsewhere, are kept on the order in between and shown again.  Plain code: picks the fields
among the posted ones."""

#: The prefix of the fields of the draft's "Add a job".
NEW_JOB_PREFIX = "new_job_"
#: The fields of a ticket its price follows.
PRICED_FIELDS = ("product_id", "copies", "color_mode", "sides", "finishing")
#: The fields kept, each with the longest value the page's form lets a person type (its
#: ``maxlength``; the selects and the number of copies are short).
DRAFT_FIELDS = {
    "message": 5000,
    NEW_JOB_PREFIX + "name": 200,
    NEW_JOB_PREFIX + "product_id": 20,
    NEW_JOB_PREFIX + "copies": 20,
    NEW_JOB_PREFIX + "color_mode": 20,
    NEW_JOB_PREFIX + "sides": 20,
    NEW_JOB_PREFIX + "finishing": 20,
    NEW_JOB_PREFIX + "ticket_note": 2000,
}


def typed_values(params, without_new_job=False):
    """The fields of :data:`DRAFT_FIELDS` among the posted ``params`` (``{name: value}``), as
    posted: ``{name: text}``.  Left out: a field not posted, not text or empty, one longer than
    the form lets a person type (only a script sends it), and with ``without_new_job`` the
    new job's fields (the job was just added: its form starts empty again)."""
    typed = {}
    for name, max_length in DRAFT_FIELDS.items():
        if without_new_job and name.startswith(NEW_JOB_PREFIX):
            continue
        value = params.get(name)
        if isinstance(value, str) and value and len(value) <= max_length:
            typed[name] = value
    return typed


def new_job_priced(values):
    """Whether ``values`` (``{name: text}``, as the page shows them) give the new job a field
    of its price: its price block, rendered for the defaults, is then computed again from
    the form as it shows (``static/src/js/print_job_price.js``)."""
    return any(NEW_JOB_PREFIX + name in values for name in PRICED_FIELDS)
