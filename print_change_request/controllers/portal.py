from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.exceptions import AccessError, MissingError
from odoo.http import request


class PrintOrderPortal(CustomerPortal):
    """The customer's read-only page of a print order: what must change, and why.

    The change-request e-mails link here (``print.order.get_portal_url()``, with the order's
    access token).  Portal users have no access rights on print orders, so the page is opened
    through the token only: ``_document_check_access`` then returns the order in sudo.

    Known limitation, for now: a logged-in portal user without the token gets an AccessError
    (no ACL) and is sent to /my.  There is no /my/print_orders list and no home counter
    either, as both would need access rights for portal users."""

    @http.route(["/my/print_orders/<int:order_id>"], type="http", auth="public", website=True)
    def portal_print_order_page(self, order_id, access_token=None, **kwargs):
        try:
            order_sudo = self._document_check_access(
                "print.order", order_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")

        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "print_order",
                "print_order": order_sudo,
                "backend_url": (
                    f"/odoo/action-print_change_request.print_order_action/{order_sudo.id}"
                ),
                "res_company": order_sudo.company_id,  # the company logo in the layout
            }
        )
        values = self._get_page_view_values(
            order_sudo, access_token, values, "my_print_orders_history", False
        )
        return request.render("print_change_request.portal_print_order_page", values)
