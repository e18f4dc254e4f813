import psycopg2
import psycopg2.errorcodes

from odoo import models
from odoo.tools import SQL


class PrintRowLockMixin(models.AbstractModel):
    """Row locks taken without waiting, so that two users cannot act on one record at once:
    the second one is told at once instead of waiting for (or undoing) the first."""

    _name = "print.row.lock.mixin"
    _description = "Row locks for money and state changes"

    def _try_lock_rows(self):
        """Lock the records' rows until the transaction ends; False when another transaction
        holds one of them.  Values are read again afterwards: the other transaction may have
        changed them just before."""
        if not self:
            return True
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM %s WHERE id IN %s FOR UPDATE NOWAIT",
                        SQL.identifier(self._table),
                        tuple(self.ids),
                    ),
                    log_exceptions=False,
                )
        except psycopg2.OperationalError as error:
            if error.pgcode != psycopg2.errorcodes.LOCK_NOT_AVAILABLE:
                raise
            return False
        self.invalidate_recordset()
        return True
