"""What the benchmark scripts share about the database they measure (not a test)."""

import psycopg2

import odoo.sql_db


def vacuum(database):
    """``VACUUM ANALYZE`` ``database``, outside the figures: what PostgreSQL's autovacuum
    does on a live database (it may be off, as on the CI machine), without which the rows a
    committed run leaves dead (500 dialog lines, findings, files...) slow the next runs'
    reads and let the planner work from stale statistics."""
    connection = psycopg2.connect(**odoo.sql_db.connection_info_for(database)[1])
    try:
        connection.autocommit = True
        with connection.cursor() as cr:
            cr.execute("VACUUM ANALYZE")
    finally:
        connection.close()
