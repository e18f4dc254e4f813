import contextlib

import psycopg2
import psycopg2.errorcodes

from odoo import models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY
from odoo.tools import SQL


class PrintRowLockMixin(models.AbstractModel):
    """Row locks taken without waiting, so that two users cannot act on one record at once:
    the second one is told at once instead of waiting for (or undoing) the first."""

    _name = "print.row.lock.mixin"
    _description = "Row locks for money and state changes"

    def _try_lock_rows(self, touch=False):
        """Lock the records' rows until the transaction ends; False when another transaction
        holds one of them.  Values are read again afterwards: the other transaction may have
        changed them just before.

        With ``touch``, the rows are also updated (to the same values): a concurrent
        transaction that started before this one commits then cannot lock them with a stale
        view of the data (PostgreSQL refuses it with a serialization failure, and Odoo retries
        that request from scratch), so whatever is decided under this lock is decided on
        what was committed last."""
        if not lock_rows(self.env.cr, self._table, self.ids, touch=touch):
            return False
        self.invalidate_recordset()
        return True

    def _wait_for_rows(self):
        """Lock the records' rows until the transaction ends, waiting for a transaction that
        holds one of them to end first.  For writes that need no decision of their own but
        must take the locks in the addon's order (an order before its jobs), so that they
        queue behind a money path instead of deadlocking with it."""
        if self.ids:
            lock_rows(self.env.cr, self._table, self.ids, nowait=False)


def lock_rows(cr, table, ids, touch=False, nowait=True):
    """``SELECT ... FOR NO KEY UPDATE NOWAIT`` the rows ``ids`` of ``table`` (and, with
    ``touch``, update them to the same values); False when another transaction holds one of
    them.  Without ``nowait``, waits for that transaction instead.  Rows are locked in id
    order, so that two transactions locking the same rows cannot deadlock on them.

    ``NO KEY UPDATE``, the lock PostgreSQL's own updates take: two such locks exclude each
    other as ``FOR UPDATE`` would, but the foreign-key checks of rows that reference the
    locked one (``FOR KEY SHARE``: a request-for-change dialog linking an order, a job added
    to it) do not queue behind a money path that holds the order during a provider call."""
    if not ids:
        return True
    try:
        with cr.savepoint(flush=False):
            cr.execute(
                SQL(
                    "SELECT id FROM %s WHERE id IN %s ORDER BY id FOR NO KEY UPDATE%s",
                    SQL.identifier(table),
                    tuple(ids),
                    SQL(" NOWAIT") if nowait else SQL(),
                ),
                log_exceptions=False,
            )
    except psycopg2.OperationalError as error:
        # waiting, a lock_timeout of the server is an error like any other
        if error.pgcode != psycopg2.errorcodes.LOCK_NOT_AVAILABLE or not nowait:
            raise
        return False
    if touch:
        cr.execute(
            SQL(
                "UPDATE %s SET id = id WHERE id IN %s",
                SQL.identifier(table),
                tuple(ids),
            )
        )
    return True


@contextlib.contextmanager
def left_for_next_run(cr, logger, message, *args, errors=()):
    """Run the block of a scheduled action's loop in a savepoint; when it is refused (a
    ``UserError``: another user holds the record) or meets a concurrent transaction (a lock
    or serialization failure), or raises one of ``errors``, roll the block back, log
    ``message % (*args, error)`` at info level and carry on: the next run does it.  Any other
    error, database errors included, is raised."""
    try:
        with cr.savepoint():
            yield
    except (UserError, psycopg2.OperationalError, *errors) as error:
        if getattr(error, "pgcode", None) not in (None, *PG_CONCURRENCY_ERRORS_TO_RETRY):
            raise
        logger.info(message, *args, error)
