from odoo import api, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

#: Columns every INSERT of the mixin writes itself, as the ORM does.
LOG_COLUMNS = ("id", "create_uid", "write_uid", "create_date", "write_date")

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
    """Many records of plain values created in one INSERT (a request for change of 100
    jobs x 5 files has 500 dialog lines and 500 items).  Every INSERT of the mixin's
    models (``_insert_batch`` and the models' own ``INSERT ... SELECT``) is followed by
    :meth:`_after_sql_insert`: what ``create()`` guarantees after it writes (defaults,
    valid selections, the record rules and companies of the new rows, the Python
    constraints and the computed fields that depend on them)."""

    _name = "print.batch.insert.mixin"
    _description = "Plain records created in one INSERT"
    #: The columns ``_insert_batch`` writes: stored fields of plain values (many2one,
    #: integer, char, selection, text, boolean), no computed, translated or x2many field.
    _BATCH_COLUMNS = ()

    @api.model
    def _insert_batch(self, vals_list):
        """Create the records of ``vals_list`` in one INSERT and return them, with what
        ``create()`` guarantees (:meth:`_after_sql_insert`)."""
        self.check_access("create")
        if not vals_list:
            return self.browse()
        unknown = set().union(*vals_list) - set(self._BATCH_COLUMNS)
        if unknown:
            raise ValueError(f"_insert_batch does not write {sorted(unknown)}")
        defaults = self.default_get(list(self._BATCH_COLUMNS))
        vals_list = [{**defaults, **vals} for vals in vals_list]
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
        records._after_sql_insert(self._BATCH_COLUMNS)
        return records

    def _after_sql_insert(self, written):
        """What ``create()`` does once its rows are written, for the records ``self`` just
        inserted in SQL with the stored fields ``written``: the other stored fields take
        their defaults; selection values are checked; the computed fields that depend on
        the new records are marked to recompute (``modified``); the companies
        (``_check_company``), the Python constraints and the record rules for creating are
        checked on the new rows.  Any refusal raises, and the caller's transaction (or
        savepoint) drops the rows."""
        if not self:
            return
        written = set(written)
        missing = [
            name
            for name, field in self._fields.items()
            if field.store
            and not field.compute
            and not field.related
            and name not in written
            and name not in LOG_COLUMNS
        ]
        defaults = self.default_get(missing) if missing else {}
        if defaults:
            self.write(defaults)
            written |= set(defaults)
        for name in written:
            field = self._fields[name]
            if field.type != "selection":
                continue
            allowed = {value for value, _label in field._description_selection(self.env)}
            wrong = {value for value in self.mapped(name) if value and value not in allowed}
            if wrong:
                raise ValidationError(
                    self.env._(
                        "Wrong value for %(field)s: %(values)s.",
                        field=field._description_string(self.env),
                        values=", ".join(sorted(map(str, wrong))),
                    )
                )
        self.modified(self._fields, create=True)
        if self._check_company_auto:
            # the field the company is read from (``company_id`` related to it) agrees with
            # it by construction: the others are checked
            company = self._fields.get("company_id")
            source = company.related.split(".")[0] if company and company.related else None
            checked = [
                name
                for name in written
                if getattr(self._fields[name], "check_company", False) and name != source
            ]
            if checked:
                self._check_company(checked)
        self._validate_fields(written)
        self.check_access("create")

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
