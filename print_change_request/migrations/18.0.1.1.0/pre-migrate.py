"""Before the update to 18.0.1.1.0: drop the addon's views that extend another of its views.

Their parents changed shape in this version (the portal's order page became one form, the
order's list and form changed), and Odoo validates a parent as it is updated together with
the children still stored from the previous version, whose XPaths no longer match: the update
would stop on "Element ... cannot be located in parent view".  The views dropped here are all
defined in the addon's XML files, which the update loads right after: they come back as this
version defines them.  A view that another module extends is left alone.
"""

import logging

_logger = logging.getLogger(__name__)

MODULE = "print_change_request"


def migrate(cr, version):
    if not version:
        return
    dropped = 0
    while True:  # leaves first: a view's children must go before it (inherit_id restricts)
        cr.execute(
            """
            DELETE FROM ir_ui_view view
             WHERE view.id IN (SELECT res_id FROM ir_model_data
                                WHERE module = %(module)s AND model = 'ir.ui.view')
               AND view.inherit_id IN (SELECT res_id FROM ir_model_data
                                        WHERE module = %(module)s AND model = 'ir.ui.view')
               AND NOT EXISTS (SELECT 1 FROM ir_ui_view child WHERE child.inherit_id = view.id)
            RETURNING view.id
            """,
            {"module": MODULE},
        )
        if not cr.rowcount:
            break
        dropped += cr.rowcount
    cr.execute(
        """
        DELETE FROM ir_model_data data
         WHERE data.module = %(module)s AND data.model = 'ir.ui.view'
           AND NOT EXISTS (SELECT 1 FROM ir_ui_view view WHERE view.id = data.res_id)
        """,
        {"module": MODULE},
    )
    _logger.info("%s: %s extending views dropped before the update", MODULE, dropped)
