import psycopg2
import psycopg2.errorcodes

from odoo import models
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


def lock_rows(cr, table, ids, touch=False):
    """``SELECT ... FOR UPDATE NOWAIT`` the rows ``ids`` of ``table`` (and, with ``touch``,
    update them to the same values); False when another transaction holds one of them."""
    if not ids:
        return True
    try:
        with cr.savepoint(flush=False):
            cr.execute(
                SQL(
                    "SELECT id FROM %s WHERE id IN %s ORDER BY id FOR UPDATE NOWAIT",
                    SQL.identifier(table),
                    tuple(ids),
                ),
                log_exceptions=False,
            )
    except psycopg2.OperationalError as error:
        if error.pgcode != psycopg2.errorcodes.LOCK_NOT_AVAILABLE:
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
