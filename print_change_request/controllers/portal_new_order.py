from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from ..models.print_job import COLOR_MODES, FINISHINGS, SIDES
from ..models.print_row_lock_mixin import lock_rows
from .portal import PrintOrderPortal, check_no_nul, read_ticket_fields


class PrintOrderNewPortal(PrintOrderPortal):
    """Customers place print orders in the portal: a draft order they fill (jobs, files,
    tickets) and then submit.  The draft's page is the order page; its files, ticket and
    submit forms use the same routes as an answer to a request for change."""

    def _prepare_print_order_values(self, order_sudo, access_token):
        values = super()._prepare_print_order_values(order_sudo, access_token)
        if order_sudo.portal_draft:
            # The customer fills every job of the draft; payment comes after submission.
            values.update(
                {
                    "can_change": True,
                    "asked_jobs": order_sudo.job_ids,
                    "is_portal_draft": True,
                    "amount_due": 0.0,
                    "new_job_media": order_sudo.company_id.print_portal_media_ids,
                }
            )
        return values

    def _get_customer_draft(self):
        partner = request.env.user.partner_id
        return (
            request.env["print.order"]
            .sudo()
            .search(
                [("partner_id", "=", partner.id), ("portal_draft", "=", True)],
                order="id desc",
                limit=1,
            )
        )

    @http.route("/my/print_orders/new", type="http", auth="user", methods=["GET"], website=True)
    def portal_print_order_new_page(self, **kwargs):
        """The customer's draft, to finish it; or the form that starts one."""
        draft = self._get_customer_draft()
        if draft:
            return request.redirect(draft.access_url)
        return self._render_new_order_page()

    def _render_new_order_page(self, error=None, status=200):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "print_order_new",
                "error": error,
                "media": request.env.company.sudo().print_portal_media_ids,
                "color_modes": COLOR_MODES,
                "sides_options": SIDES,
                "finishings": FINISHINGS,
            }
        )
        response = request.render("print_change_request.portal_print_order_new", values)
        response.status_code = status
        return response

    @http.route("/my/print_orders/new", type="http", auth="user", methods=["POST"], website=True)
    def portal_print_order_new(self, name=None, **kwargs):
        """Create the customer's draft (with its first job when ``name`` is given) and answer
        with its page.

        A customer has one draft: when theirs is open (this form posted twice, from a double
        click, a reload or a second tab), they get it back and no new order (nor number) is
        made; the job is added to it unless the draft already has a job of that name (the
        same form posted again)."""
        raw = read_ticket_fields(kwargs)
        partner = request.env.user.partner_id
        # Two of these requests at once queue on the customer's row; the second one then sees
        # the first one's draft (its transaction is played again by Odoo, see lock_rows).
        lock_rows(request.env.cr, partner._table, partner.ids, touch=True, nowait=False)
        draft = self._get_customer_draft()
        job_name = (name or "").strip() if isinstance(name, str) else ""
        if draft and (not job_name or job_name in draft.job_ids.mapped("name")):
            return request.redirect(draft.access_url)
        if draft:  # a job for the open draft, as its own "Add the job" form does
            return self.portal_print_order_add_job(draft.id, name=name, **raw)
        try:
            check_no_nul(request.params)
            with request.env.cr.savepoint():
                draft = request.env["print.order"]._create_portal_draft(partner)
                if name not in (None, ""):
                    draft._add_portal_job(name, raw)
        except UserError as error:
            request.env.invalidate_all()
            return self._render_new_order_page(error=error.args[0], status=400)
        return request.redirect(draft.access_url)

    @http.route(
        ["/my/print_orders/<int:order_id>/jobs"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_print_order_add_job(self, order_id, access_token=None, name=None, **kwargs):
        """Add a job (its name and ticket) to the customer's draft."""

        def add_job(order_sudo, requests, job, author):
            order_sudo._add_portal_job(name, read_ticket_fields(kwargs))
            return "job_added"

        return self._print_order_post(order_id, access_token, None, add_job)
