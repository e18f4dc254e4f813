"""Before the update to 18.0.1.2.0: the two fields spelt "colour" take Odoo's spelling, beside
their siblings (``color_mode``, ``print_bw_page_product_id``):

- ``print.job.preflight_is_colour`` -> ``preflight_is_color``
- ``res.company.print_colour_page_product_id`` -> ``print_color_page_product_id`` (and its
  setting, ``res.config.settings``, a related field without a column)

The columns, the fields' records (so their history, defaults and access stay theirs) and
their XML ids are renamed, and the old names are replaced in the stored views, filters and
export lists, before Odoo loads the new code: it then finds the fields as they are now
instead of dropping the old columns and creating empty new ones.
"""

import logging

from psycopg2 import sql

_logger = logging.getLogger(__name__)

MODULE = "print_change_request"

#: (model, table or None for a model without its own column, old name, new name)
RENAMES = [
    ("print.job", "print_job", "preflight_is_colour", "preflight_is_color"),
    ("res.company", "res_company", "print_colour_page_product_id", "print_color_page_product_id"),
    ("res.config.settings", None, "print_colour_page_product_id", "print_color_page_product_id"),
]


def _column_exists(cr, table, column):
    cr.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
        (table, column),
    )
    return bool(cr.rowcount)


def migrate(cr, version):
    if not version:
        return
    for model, table, old, new in RENAMES:
        if table and _column_exists(cr, table, old) and not _column_exists(cr, table, new):
            cr.execute(
                sql.SQL("ALTER TABLE {} RENAME COLUMN {} TO {}").format(
                    sql.Identifier(table), sql.Identifier(old), sql.Identifier(new)
                )
            )
            # its foreign key too, named after the column as Odoo names it
            old_key, new_key = f"{table}_{old}_fkey", f"{table}_{new}_fkey"
            cr.execute(
                "SELECT 1 FROM pg_constraint WHERE conname = %s AND contype = 'f'", (old_key,)
            )
            if cr.rowcount:
                cr.execute(
                    sql.SQL("ALTER TABLE {} RENAME CONSTRAINT {} TO {}").format(
                        sql.Identifier(table), sql.Identifier(old_key), sql.Identifier(new_key)
                    )
                )
                cr.execute(
                    "UPDATE ir_model_constraint SET name = %s WHERE name = %s AND type = 'f'",
                    (new_key, old_key),
                )
        cr.execute(
            "UPDATE ir_model_fields SET name = %s WHERE model = %s AND name = %s",
            (new, model, old),
        )
        model_part = model.replace(".", "_")
        cr.execute(
            """
            UPDATE ir_model_data SET name = %s
             WHERE module = %s AND model = 'ir.model.fields' AND name = %s
            """,
            (f"field_{model_part}__{new}", MODULE, f"field_{model_part}__{old}"),
        )
    # The old names wherever a stored text names them: views (the addon's, and any
    # customisation), saved filters and export lists.  Both old names are long and
    # specific to this addon; a plain replace cannot hit anything else.
    for old, new in {(old, new) for _model, _table, old, new in RENAMES}:
        pattern = f"%{old}%"
        cr.execute(
            "UPDATE ir_ui_view SET arch_db = replace(arch_db::text, %s, %s)::jsonb"
            " WHERE arch_db::text LIKE %s",
            (old, new, pattern),
        )
        views = cr.rowcount
        cr.execute(
            "UPDATE ir_filters SET domain = replace(domain, %s, %s),"
            " context = replace(context, %s, %s), sort = replace(sort, %s, %s)"
            " WHERE domain LIKE %s OR context LIKE %s OR sort LIKE %s",
            (old, new, old, new, old, new, pattern, pattern, pattern),
        )
        filters = cr.rowcount
        cr.execute(
            "UPDATE ir_exports_line SET name = replace(name, %s, %s) WHERE name LIKE %s",
            (old, new, pattern),
        )
        _logger.info(
            "%s: %s renamed %s (%s views, %s filters, %s export lines)",
            MODULE,
            old,
            new,
            views,
            filters,
            cr.rowcount,
        )
