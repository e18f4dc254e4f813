"""Before the update to 18.0.1.4.0: the items of a request for change and the lines of its
dialog have a company (their request's, their job's), which the multi-company rules read.
The columns are made and filled here in one UPDATE each, so that Odoo finds them and does
not compute them row by row in Python."""

import logging

_logger = logging.getLogger(__name__)

#: (table, the SQL adding its company_id, the SQL filling it)
TABLES = [
    (
        "print_change_request_item",
        "ALTER TABLE print_change_request_item ADD COLUMN IF NOT EXISTS company_id int4",
        """
        UPDATE print_change_request_item item
           SET company_id = request.company_id
          FROM print_change_request request
         WHERE request.id = item.request_id
        """,
    ),
    (
        "print_change_request_line",
        "ALTER TABLE print_change_request_line ADD COLUMN IF NOT EXISTS company_id int4",
        """
        UPDATE print_change_request_line line
           SET company_id = job.company_id
          FROM print_job job
         WHERE job.id = line.job_id
        """,
    ),
]


def migrate(cr, version):
    if not version:
        return
    for table, add, fill in TABLES:
        cr.execute("SELECT 1 FROM information_schema.tables WHERE table_name = %s", (table,))
        if not cr.fetchone():
            continue
        cr.execute(add)
        cr.execute(fill)
        _logger.info("%s: the company of %s rows filled", table, cr.rowcount)
