from urllib.parse import urlencode

from odoo import http
from odoo.addons.payment.controllers import portal as payment_portal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request
from odoo.tools.misc import human_size

from ..lib import communication_state as cs
from ..models.print_job import COLOR_MODES, FINISHINGS, SIDES, TICKET_FIELDS
from . import payment_options
from .portal_display import get_print_order_display_values

#: Notices shown after a successful POST (``?notice=``), by key.
NOTICES = (
    "uploaded",
    "removed",
    "ticket",
    "unchanged",
    "submitted",
    "job_added",
    "submitted_order",
    "submitted_pay",
    "saved",
    "not_sent",
    "too_large",
)
#: Where the page opens after a notice (its HTML anchor): the payment after a submission the
#: customer pays at once.
NOTICE_ANCHORS = {"submitted_pay": "print_order_payment"}
#: Room for the form's other fields beside a file of the largest size allowed.
UPLOAD_BODY_MARGIN = 1024 * 1024


def read_ticket_fields(params, prefix=""):
    """The job ticket's fields among the posted ``params``, where each is named
    ``<prefix><field>``: ``{field: value as posted}``."""
    return {name: params[prefix + name] for name in TICKET_FIELDS if prefix + name in params}


def check_no_nul(params):
    """Refuse posted ``params`` whose text holds a NUL character, which the database cannot
    store (raised as our message before anything is written, not as a server error)."""
    if any(isinstance(value, str) and "\x00" in value for value in params.values()):
        raise UserError(
            request.env._(
                "Your text contains a character that cannot be saved (a NUL character, often "
                "pasted from another program): remove it and try again."
            )
        )


def _upload_body_limit(controller):
    """The upload route's request size limit: one file of Odoo's upload limit and the form,
    so that a file just too large gets our message naming it (larger bodies: our page with
    the limit, see ``ir.http._handle_error``).

    Called by Odoo before the form is read, it also lets werkzeug hold a part of that size
    while it looks for the part's end: Odoo's 10 MB ``max_form_memory_size`` refuses an
    ordinary file with no line break in its first 10 MB (an uncompressed TIFF) with HTTP
    413, whatever the shop's limit (werkzeug 2.2's multipart parser)."""
    limit = request.env["print.job"]._get_max_upload_size() + UPLOAD_BODY_MARGIN
    wrapped = getattr(request.httprequest, "_HTTPRequest__wrapped", request.httprequest)
    wrapped.max_form_memory_size = max(wrapped.max_form_memory_size or 0, limit)
    return limit


class PrintOrderPortal(payment_portal.PaymentPortal):
    """The customer's side of a print order: the list, the order page and the routes that change
    the order while it waits for the customer (files, ticket, submit).

    Every route reaches the order through ``_document_check_access`` (the owner logged in, or
    anyone holding the order's ``access_token`` from the e-mail), then acts in sudo on exactly
    that order and its jobs, through the models' methods.  Refusals answer with the order page
    and the error (HTTP 400), or 404 for an order or job the caller may not reach; the order
    page itself (GET) redirects such a caller to ``/my`` instead."""

    # ------------------------------------------------------------
    # /my home and list
    # ------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        partner = request.env.user.partner_id
        PrintOrder = request.env["print.order"]
        can_read = PrintOrder.has_access("read")
        if "print_order_count" in counters:
            values["print_order_count"] = (
                PrintOrder.search_count(self._prepare_print_orders_domain(partner))
                if can_read
                else 0
            )
        if "print_order_waiting_count" in counters:
            values["print_order_waiting_count"] = (
                PrintOrder.search_count(
                    self._prepare_print_orders_domain(partner, filterby="waiting")
                )
                if can_read
                else 0
            )
        if not counters and can_read:  # /my itself: its alert says how many, in words
            values["print_order_waiting"] = PrintOrder.search_count(
                self._prepare_print_orders_domain(partner, filterby="waiting")
            )
        return values

    def _prepare_print_orders_domain(self, partner, filterby=None):
        domain = [("partner_id", "child_of", [partner.commercial_partner_id.id])]
        filters = self._get_print_order_searchbar_filters()
        return domain + filters.get(filterby or "all", filters["all"])["domain"]

    def _get_print_order_searchbar_sortings(self):
        return {
            "date": {"label": request.env._("Newest"), "order": "date_submitted desc, id desc"},
            "name": {"label": request.env._("Reference"), "order": "name desc, id desc"},
            "state": {
                "label": request.env._("Status"),
                "order": "communication_state, date_submitted desc, id desc",
            },
        }

    def _get_print_order_searchbar_filters(self):
        return {
            "all": {"label": request.env._("All"), "domain": []},
            "waiting": {
                "label": request.env._("Waiting for your changes"),
                "domain": [
                    ("communication_state", "in", cs.WAITING_ON_CUSTOMER),
                    # an internal field: searched in sudo, the orders stay the caller's
                    (
                        "id",
                        "not in",
                        request.env["print.order"]
                        .sudo()
                        ._search([("customer_wait_skipped", "=", True)]),
                    ),
                ],
            },
        }

    @http.route(
        ["/my/print_orders", "/my/print_orders/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_print_orders(self, page=1, sortby=None, filterby=None, **kwargs):
        PrintOrder = request.env["print.order"]
        sortings = self._get_print_order_searchbar_sortings()
        filters = self._get_print_order_searchbar_filters()
        sortby = sortby if sortby in sortings else "date"
        filterby = filterby if filterby in filters else "all"
        partner = request.env.user.partner_id
        values = self._prepare_portal_layout_values()
        orders = PrintOrder
        if not PrintOrder.has_access("read"):
            total = 0
        else:
            domain = self._prepare_print_orders_domain(partner, filterby)
            total = PrintOrder.search_count(domain)
        pager = portal_pager(
            url="/my/print_orders",
            url_args={"sortby": sortby, "filterby": filterby},
            total=total,
            page=page,
            step=self._items_per_page,
        )
        if total:
            orders = PrintOrder.search(
                domain,
                order=sortings[sortby]["order"],
                limit=self._items_per_page,
                offset=pager["offset"],
            )
        request.session["my_print_orders_history"] = orders.ids[:100]
        values.update(
            {
                "print_orders": orders.sudo(),
                "page_name": "print_orders",
                "pager": pager,
                "default_url": "/my/print_orders",
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters,
                "filterby": filterby,
            }
        )
        return request.render("print_change_request.portal_my_print_orders", values)

    # ------------------------------------------------------------
    # The order page
    # ------------------------------------------------------------

    @http.route(["/my/print_orders/<int:order_id>"], type="http", auth="public", website=True)
    def portal_print_order_page(self, order_id, access_token=None, notice=None, **kwargs):
        try:
            order_sudo = self._document_check_access(
                "print.order", order_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        return self._render_print_order_page(
            order_sudo, access_token, notice=notice if notice in NOTICES else None
        )

    def _render_print_order_page(
        self, order_sudo, access_token, error=None, notice=None, status=200
    ):
        values = self._prepare_portal_layout_values()
        values.update(self._prepare_print_order_values(order_sudo, access_token))
        values.update({"error": error, "notice": notice})
        if notice == "too_large":
            values["upload_limit"] = human_size(request.env["print.job"]._get_max_upload_size())
        values.setdefault("posted_form", {})
        # The price blocks of the job forms, with the order's totals computed once.
        values["price_quotes"] = order_sudo._get_portal_price_quotes(values["asked_jobs"])
        values = self._get_page_view_values(
            order_sudo, access_token, values, "my_print_orders_history", False
        )
        response = request.render("print_change_request.portal_print_order_page", values)
        response.status_code = status
        return response

    def _prepare_print_order_values(self, order_sudo, access_token):
        open_requests = order_sudo.change_request_ids.filtered(
            lambda change_request: change_request.state == "waiting"
        )
        can_change = bool(open_requests) and order_sudo._is_waiting_on_customer()
        shown_requests = open_requests or order_sudo.last_change_request_id
        flagged = {}
        for item in shown_requests.file_item_ids:
            flagged.setdefault(item.attachment_id.id, []).append(item)
        ticket_asked = {}
        for item in shown_requests.ticket_item_ids:
            ticket_asked.setdefault(item.job_id.id, []).append(item)
        asked_jobs = open_requests.job_ids.filtered(
            lambda job: job.communication_state == cs.CHANGE_REQUESTED
        )
        values = {
            "page_name": "print_order",
            "print_order": order_sudo,
            "backend_url": f"/odoo/action-print_change_request.print_order_action/{order_sudo.id}",
            "res_company": order_sudo.company_id,  # the company logo in the layout
            "open_requests": open_requests,
            "can_change": can_change,
            "asked_jobs": asked_jobs if can_change else asked_jobs.browse(),
            "flagged": flagged,
            "ticket_asked": ticket_asked,
            "color_modes": COLOR_MODES,
            "sides_options": SIDES,
            "finishings": FINISHINGS,
            **self._get_print_order_display_values(order_sudo),
            "token": access_token or "",
            "token_query": f"?{urlencode({'access_token': access_token})}" if access_token else "",
            "amount_due": order_sudo._get_amount_due(),
            "payments_under_way": order_sudo._get_payments_under_way(),
        }
        if values["amount_due"] > 0 and not values["payments_under_way"]:
            values.update(self._get_print_order_payment_values(order_sudo))
        return values

    _get_print_order_display_values = staticmethod(get_print_order_display_values)

    def _get_print_order_payment_values(self, order_sudo):
        """The values of Odoo's payment form for the amount due, as ``sale`` prepares them;
        the options offered are those the transaction route accepts (``payment_options``)."""
        company = order_sudo.company_id
        amount = order_sudo._get_amount_due()
        currency = order_sudo.currency_id
        options = payment_options.get_payment_options(order_sudo, amount)
        providers_sudo = options["providers_sudo"]
        return {
            "company_mismatch": options["company_mismatch"],
            "expected_company": company,
            "show_tokenize_input_mapping": self._compute_show_tokenize_input_mapping(
                providers_sudo
            ),
            "amount": amount,
            "currency": currency,
            "partner_id": options["partner_sudo"].id,
            "providers_sudo": providers_sudo,
            "payment_methods_sudo": options["payment_methods_sudo"],
            "tokens_sudo": options["tokens_sudo"],
            "availability_report": options["availability_report"],
            "transaction_route": order_sudo.get_portal_url(suffix="/transaction"),
            "landing_route": order_sudo.get_portal_url(),
            "access_token": order_sudo._portal_ensure_token(),
            **self._get_extra_payment_form_values(),
        }

    @http.route(
        ["/my/print_orders/<int:order_id>/files/<int:attachment_id>"],
        type="http",
        auth="public",
        methods=["GET"],
    )
    def portal_print_order_file(self, order_id, attachment_id, access_token=None, **kwargs):
        """Download one of the order's files: a job's file or one kept in its history."""
        order_sudo = self._get_print_order_or_404(order_id, access_token)
        files = (
            order_sudo.job_ids.attachment_ids
            | order_sudo.job_change_ids.old_attachment_id
            | order_sudo.job_change_ids.new_attachment_id
        )
        attachment = files.filtered(lambda file: file.id == attachment_id)
        if not attachment:
            raise request.not_found()
        return (
            request.env["ir.binary"]._get_stream_from(attachment).get_response(as_attachment=True)
        )

    # ------------------------------------------------------------
    # Changing and resubmitting
    # ------------------------------------------------------------

    def _print_order_post(self, order_id, access_token, job_id, action, wait=False):
        """Run ``action(order_sudo, requests, job, author) -> notice`` on the order waiting for
        the customer, under the order's row lock; answer with a redirection to the page and a
        notice, or the page with the error (400), or 404.  With ``wait``, a request that finds
        the order locked waits for the other one and is then played again (a double click)."""
        order_sudo = self._get_print_order_or_404(order_id, access_token)
        # Act in sudo, but as the caller: the changes record who made them.
        order_sudo = order_sudo.with_user(request.env.user).sudo()
        job = order_sudo.job_ids.browse()
        if job_id is not None:
            job = order_sudo.job_ids.filtered(lambda candidate: candidate.id == job_id)
            if not job:
                raise request.not_found()
        user = request.env.user
        author = order_sudo.partner_id if user._is_public() else user.partner_id
        try:
            check_no_nul(request.params)
            with request.env.cr.savepoint():
                if wait:
                    order_sudo._wait_to_lock_for_update()
                else:
                    order_sudo._lock_for_update()
                order_sudo.invalidate_recordset()
                requests = self._get_open_requests(order_sudo)
                if job:
                    job._check_portal_may_change(order_sudo._get_portal_editable_jobs(requests))
                notice = action(order_sudo, requests, job, author)
        except UserError as error:
            request.env.invalidate_all()
            return self._render_print_order_page(
                order_sudo, access_token, error=error.args[0], status=400
            )
        return self._redirect_with_notice(order_sudo, access_token, notice)

    @staticmethod
    def _get_open_requests(order_sudo):
        """The requests for change the customer answers now (in sudo); none for a draft, which
        has no request to answer."""
        requests = request.env["print.change.request"].sudo()
        if order_sudo.portal_draft:
            return requests
        return requests._get_open_for_customer(order_sudo)

    def _submit_print_order(self, order_sudo, requests, message, author):
        """Submit the customer's draft, or send their answer to the open ``requests``, with
        their ``message`` (posted on the order); return the notice to show.  Call under the
        order's row lock (``_print_order_post``)."""
        text = order_sudo._check_portal_message(message)
        # What the customer typed and kept on the page is sent now: the page forgets it.
        order_sudo._keep_portal_form_draft({})
        if order_sudo.portal_draft:
            order_sudo._submit_portal_draft(author=author, message=text)
            return self._submitted_order_notice(order_sudo)
        requests._submit_answer(text, author=author)
        return "submitted"

    def _get_print_order_or_404(self, order_id, access_token):
        """The order in sudo when the caller may reach it (its owner, or the access token);
        otherwise 404, so that nobody learns whether another customer's order exists."""
        try:
            return self._document_check_access("print.order", order_id, access_token=access_token)
        except (AccessError, MissingError) as error:
            raise request.not_found() from error

    @staticmethod
    def _submitted_order_notice(order_sudo):
        """The notice after a new order's submit: pay now (the page opens on Odoo's payment
        form), or only that it is submitted."""
        if order_sudo._is_paid_at_portal_submission():
            return "submitted_pay"
        return "submitted_order"

    @staticmethod
    def _redirect_with_notice(order_sudo, access_token, notice):
        """Back to the order's page after a POST, with the notice that says what was done
        (and the access token the customer came with), opened where the notice says."""
        query = {"notice": notice}
        if access_token:
            query["access_token"] = access_token
        anchor = NOTICE_ANCHORS.get(notice)
        return request.redirect(
            f"{order_sudo.access_url}?{urlencode(query)}{f'#{anchor}' if anchor else ''}"
        )

    @staticmethod
    def _request_of(requests, job):
        return requests.filtered(lambda change_request: job in change_request.job_ids)[:1]

    @http.route(
        ["/my/print_orders/<int:order_id>/jobs/<int:job_id>/files"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        max_content_length=_upload_body_limit,
    )
    def portal_print_job_upload(
        self, order_id, job_id, access_token=None, replaces_id=None, **kwargs
    ):
        def upload(order_sudo, requests, job, author):
            replaces = None
            if replaces_id not in (None, ""):
                try:
                    replaces = request.env["ir.attachment"].sudo().browse(int(replaces_id))
                except (TypeError, ValueError):
                    replaces = request.env["ir.attachment"].sudo()
                if not replaces.exists():
                    raise UserError(
                        request.env._(
                            "The file to replace is not one of the files of job %(job)s.",
                            job=job.name,
                        )
                    )
            uploads = self._read_uploads(job)
            changes = job._add_files(
                uploads, replaces=replaces, request=self._request_of(requests, job), author=author
            )
            return "uploaded" if changes else "unchanged"

        return self._print_order_post(order_id, access_token, job_id, upload)

    @staticmethod
    def _read_uploads(job):
        """The uploaded ``files`` as ``[(filename, bytes)]``; each read up to one byte beyond
        the limit, so a huge file is refused without being kept in memory whole."""
        limit = job._get_max_upload_size() + 1
        storages = request.httprequest.files.getlist("files")
        job._check_upload_file_cap(len(storages))  # before reading any
        uploads = []
        for storage in storages:
            data = storage.stream.read(limit)
            if not storage.filename and not data:
                continue  # an empty file input
            uploads.append((storage.filename or "", data))
        return uploads

    @http.route(
        ["/my/print_orders/<int:order_id>/jobs/<int:job_id>/files/<int:attachment_id>/remove"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_print_job_remove_file(
        self, order_id, job_id, attachment_id, access_token=None, **kwargs
    ):
        def remove(order_sudo, requests, job, author):
            attachment = request.env["ir.attachment"].sudo().browse(attachment_id)
            changes = job._remove_file(
                attachment, request=self._request_of(requests, job), author=author
            )
            return "removed" if changes else "unchanged"

        return self._print_order_post(order_id, access_token, job_id, remove)

    @http.route(
        ["/my/print_orders/<int:order_id>/jobs/<int:job_id>/ticket"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_print_job_ticket(self, order_id, job_id, access_token=None, **kwargs):
        def change_ticket(order_sudo, requests, job, author):
            values = job._parse_ticket_values(read_ticket_fields(kwargs))
            changes = job._change_ticket(
                values, request=self._request_of(requests, job), author=author
            )
            return "ticket" if changes else "unchanged"

        return self._print_order_post(order_id, access_token, job_id, change_ticket)

    def _answer_submitted_again(self, order_id, access_token):
        """A portal order submitted again before the shop has done anything with it (a double
        click, a reload that posts again): answer as the first submit did, and change
        nothing.  None for every other case, which the submit route handles; 404 for an
        order out of reach."""
        order_sudo = self._get_print_order_or_404(order_id, access_token)
        if (
            order_sudo.portal_draft
            or not order_sudo.portal_submitted
            or order_sudo.communication_state != cs.NEW
            or order_sudo.change_request_ids
        ):
            return None
        return self._redirect_with_notice(
            order_sudo, access_token, self._submitted_order_notice(order_sudo)
        )

    @http.route(
        ["/my/print_orders/<int:order_id>/submit"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_print_order_submit(self, order_id, access_token=None, message=None, **kwargs):
        already = self._answer_submitted_again(order_id, access_token)
        if already:
            return already

        def submit(order_sudo, requests, job, author):
            return self._submit_print_order(order_sudo, requests, message, author)

        return self._print_order_post(order_id, access_token, None, submit, wait=True)

    # ------------------------------------------------------------
    # The price while the customer fills a ticket
    # ------------------------------------------------------------

    @http.route(
        ["/my/print_orders/<int:order_id>/price"],
        type="json",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_print_order_price(self, order_id, access_token=None, job_id=None, **kwargs):
        """The price of a job with the ticket fields given (``product_id``, ``copies``,
        ``color_mode``, ``sides``, ``finishing``), and the order's totals with it; without
        ``job_id``, of a job to add to the draft.  Same access as the forms (the owner, or the
        order's access token; a draft, or a job the shop asked to change).  Writes nothing.

        Answers ``{"price": {...}}`` (amounts as numbers and as the customer reads them), or
        ``{"error": message}`` for a wrong value; an order or job out of reach is not found."""
        order_sudo = self._get_print_order_or_404(order_id, access_token)
        order_sudo = order_sudo.with_user(request.env.user).sudo()
        job = order_sudo.job_ids.browse()
        if job_id not in (None, "", False):
            try:
                job_id = int(job_id)
            except (TypeError, ValueError) as error:
                raise request.not_found() from error
            job = order_sudo.job_ids.filtered(lambda candidate: candidate.id == job_id)
            if not job:
                raise request.not_found()
        try:
            if not order_sudo.portal_draft and (
                not job
                or job
                not in order_sudo._get_portal_editable_jobs(self._get_open_requests(order_sudo))
            ):
                raise UserError(
                    request.env._(
                        "Only the jobs the print shop asked you to change can be priced "
                        "again here; the other jobs keep their price."
                    )
                )
            return {"price": self._get_portal_price(order_sudo, job, kwargs)}
        except UserError as error:
            return {"error": error.args[0]}

    @staticmethod
    def _get_portal_price(order_sudo, job, params):
        """The price quote of ``job`` with the ticket fields among ``params`` (the notes left
        out), and the order's totals with it; without ``job``, of a job to add to the order,
        read as the draft's "Add the job" reads its form (a job in memory only).
        :raise UserError: a wrong value."""
        raw = read_ticket_fields(params)
        raw.pop("ticket_note", None)
        parser = job or request.env["print.job"].sudo().new({"order_id": order_sudo, "name": "-"})
        return order_sudo._get_portal_price_quote(job, parser._parse_ticket_values(raw))

    @http.route(
        ["/my/print_orders/new/price"],
        type="json",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_print_order_new_price(self, **kwargs):
        """The price of the first job of a new order (``/my/print_orders/new``), for the
        logged-in customer, before any order exists: computed on an order in memory only."""
        partner = request.env.user.partner_id
        Order = request.env["print.order"].sudo()
        order = Order.new(
            {
                "partner_id": partner.id,
                "company_id": partner.company_id.id or request.env.company.id,
            }
        )
        try:
            return {
                "price": self._get_portal_price(order, request.env["print.job"].sudo(), kwargs)
            }
        except UserError as error:
            return {"error": error.args[0]}
