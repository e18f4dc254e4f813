"""Before the update to 18.0.1.3.0: a job's ticket on the customer's order page is a
template of its own (``portal_print_order_form_ticket``, stamped once per page, see
controllers/portal_display.py), and its price block inherits that template instead of the
page.  The stored price view (``portal_print_order_page_prices``) still looks for the
ticket in the page: Odoo would refuse the new page while checking it.  It is dropped here
and loaded again, as it is now, with the module's views."""

import logging

_logger = logging.getLogger(__name__)

MODULE = "print_change_request"
STALE_VIEWS = ["portal_print_order_page_prices"]


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        DELETE FROM ir_model_data
         WHERE module = %s AND model = 'ir.ui.view' AND name = ANY(%s)
        RETURNING res_id
        """,
        (MODULE, STALE_VIEWS),
    )
    view_ids = [row[0] for row in cr.fetchall()]
    if view_ids:
        cr.execute("DELETE FROM ir_ui_view WHERE id = ANY(%s)", (view_ids,))
        _logger.info("dropped the stale views %s, loaded again with the module", STALE_VIEWS)
