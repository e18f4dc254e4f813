"""The background preflight's queue: how long a cron run may work, and in which order it
reads the files waiting (no ORM here; ``print.job._cron_preflight_pending`` is the glue).

Odoo's watchdog of a cron worker (``odoo/service/server.py``, ``PreforkServer.process_timeout``)
kills it once ``limit_time_real_cron`` (else ``limit_time_real``) seconds have passed since
the worker last pinged it.  The worker pings once per loop, *before* it sleeps waiting for
jobs (``WorkerCron.sleep``: up to ``SLEEP_INTERVAL`` + ``pid % 10`` seconds, less when a
trigger wakes it), then runs every job ready in that pass without pinging again.  The sleep
and the jobs run before ours count: a run only knows it has at most
:func:`worker_capacity` seconds from the start of its pass.
"""

from collections import defaultdict

#: What the worker's loop adds to its sleep (the ``pid % 10`` jitter, a random pause, the
#: poll of the databases), at most.
SLEEP_JITTER = 10.0
#: Seconds kept for what a run does after its last file (judging the jobs, committing).
MARGIN = 5.0
#: Share of a pass a single file may take: a pass that starts a little late still has room
#: for one file, and the run never starts a file it could not finish in time.
FILE_SHARE = 0.8
#: A pass's capacity when Odoo sets no time limit (threaded server without limits).
DEFAULT_CAPACITY = 90.0
#: A check started this many times without an outcome (its run was killed each time) is not
#: started again: the file is marked as not checkable.
MAX_ATTEMPTS = 3


def worker_capacity(limit, prefork, sleep_interval, run_seconds=None):
    """The seconds a cron pass may work for sure, from its start.

    ``limit``: the watchdog's limit of a cron worker (0 or None: none); ``prefork``: Odoo runs
    cron *workers* (``--workers``), whose idle sleep before the pass counts against the limit
    (``sleep_interval``: Odoo's ``SLEEP_INTERVAL``); a threaded server's cron thread counts
    from the pass's start.  ``run_seconds``: the shop's own cap of a run, if any."""
    if limit and limit > 0:
        idle = (sleep_interval + SLEEP_JITTER) if prefork else 0.0
        capacity = limit - idle - MARGIN
    else:
        capacity = DEFAULT_CAPACITY
    if run_seconds and run_seconds > 0:
        capacity = min(capacity, run_seconds)
    return max(capacity, 1.0)


def file_time_limit(capacity, background_timeout):
    """The time one file may take in the background: the shop's setting, within the pass."""
    return max(0.5, min(background_timeout, FILE_SHARE * capacity))


def fair_order(files):
    """The order to read ``files`` in: one per customer in turn (round robin), each
    customer's files oldest first; the customer served longest ago (or never) goes first.

    ``files``: ``[(item, customer, position, last_served)]`` where ``position`` orders a
    customer's files (oldest first) and ``last_served`` is when a file of that customer was
    last read (None: never; comparable values otherwise).  Returns the items."""
    queues = defaultdict(list)
    served = {}
    for item, customer, position, last_served in files:
        queues[customer].append((position, item))
        if last_served is not None and (
            served.get(customer) is None or last_served > served[customer]
        ):
            served[customer] = last_served
        else:
            served.setdefault(customer, None)
    for queue in queues.values():
        queue.sort(key=lambda entry: entry[0])
    customers = sorted(
        queues,
        key=lambda customer: (
            served[customer] is not None,
            served[customer] if served[customer] is not None else 0,
            queues[customer][0][0],
        ),
    )
    ordered = []
    for rank in range(max((len(queue) for queue in queues.values()), default=0)):
        for customer in customers:
            if rank < len(queues[customer]):
                ordered.append(queues[customer][rank][1])
    return ordered
