from odoo import api, models
from odoo.tools import SQL

#: The PostgreSQL array type of each kind of field ``_insert_batch`` writes.
SQL_ARRAY_TYPES = {
    "many2one": "int4[]",
    "integer": "int4[]",
    "char": "varchar[]",
    "selection": "varchar[]",
    "text": "text[]",
    "boolean": "bool[]",
}


class PrintBatchInsertMixin(models.AbstractModel):
    """Many records of plain values created in one INSERT: a request for change of 100 jobs
    x 5 files has 500 dialog lines and 500 items, which took through ``create()`` about a
    third of the operator's wait each."""

    _name = "print.batch.insert.mixin"
    _description = "Plain records created in one INSERT"
    #: The columns ``_insert_batch`` writes: stored fields of plain values (many2one,
    #: integer, char, selection, text, boolean), no computed, translated or x2many field.
    _BATCH_COLUMNS = ()

    @api.model
    def _insert_batch(self, vals_list):
        """Create the records of ``vals_list`` in one INSERT and return them.  Access is
        checked as ``create()`` does; the records' one2many fields on the records they link
        to are invalidated.  Python constraints are not run: a model checks what it needs
        after calling this."""
        self.check_access("create")
        if not vals_list:
            return self.browse()
        unknown = set().union(*vals_list) - set(self._BATCH_COLUMNS)
        if unknown:
            raise ValueError(f"_insert_batch does not write {sorted(unknown)}")
        fields = [self._fields[column] for column in self._BATCH_COLUMNS]
        comodels = {field.comodel_name for field in fields if field.type == "many2one"}
        for comodel in comodels:  # the rows linked to exist in the database
            self.env[comodel].flush_model()
        arrays = [
            SQL(
                "%s::%s",
                [
                    bool(vals.get(field.name))
                    if field.type == "boolean"
                    else (vals.get(field.name) or None)
                    for vals in vals_list
                ],
                SQL(SQL_ARRAY_TYPES[field.type]),
            )
            for field in fields
        ]
        uid = self.env.uid
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO %s (%s, create_uid, write_uid, create_date, write_date)
                SELECT *, %s, %s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                  FROM unnest(%s)
                RETURNING id
                """,
                SQL.identifier(self._table),
                SQL(", ").join(SQL.identifier(field.name) for field in fields),
                uid,
                uid,
                SQL(", ").join(arrays),
            )
        )
        records = self.browse([row[0] for row in self.env.cr.fetchall()])
        self._invalidate_inverses(comodels)
        return records

    @api.model
    def _invalidate_inverses(self, comodels=None):
        """Forget the one2many fields of ``comodels`` (model names; by default those of every
        many2one of this model) on this model: the records inserted in SQL belong to them
        now."""
        if comodels is None:
            comodels = {
                field.comodel_name for field in self._fields.values() if field.type == "many2one"
            }
        for comodel in comodels:
            self.env[comodel].invalidate_model(
                [
                    name
                    for name, field in self.env[comodel]._fields.items()
                    if field.type == "one2many" and field.comodel_name == self._name
                ]
            )
