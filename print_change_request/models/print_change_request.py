from datetime import timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime

from ..lib import communication_state as cs

REQUEST_STATES = [
    ("waiting", "Waiting for the customer"),
    ("answered", "Changed by the customer"),
    ("not_waited", "Not waited for"),
    ("canceled", "Canceled"),
]
MAIL_STATES = [
    ("queued", "Being sent"),
    ("sent", "Sent"),
    ("failed", "The email was not sent"),
]
#: mail.notification statuses meaning the customer did not get the e-mail.
FAILED_NOTIFICATION_STATUSES = ("exception", "bounce", "canceled")
#: Jobs the request's e-mail lists one by one; the others are counted in one line (the
#: customer's page lists them all).  An e-mail of 100 jobs listed was 21 kB of HTML, which
#: the customer scrolls and Odoo sanitizes twice while the operator waits.
MAIL_JOBS_LISTED = 20


class PrintChangeRequest(models.Model):
    _name = "print.change.request"
    _description = "Request for change"
    _inherit = ["print.sequence.mixin"]
    _order = "date_requested desc, id desc"
    _check_company_auto = True
    _sequence_code = "print.change.request"

    order_id = fields.Many2one(
        comodel_name="print.order",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="order_id.partner_id", string="Customer")
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Requested by",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    date_requested = fields.Datetime(
        string="Requested on", required=True, readonly=True, default=fields.Datetime.now
    )
    job_ids = fields.Many2many(
        comodel_name="print.job",
        relation="print_change_request_job_rel",
        column1="request_id",
        column2="job_id",
        string="Jobs to change",
        readonly=True,
    )
    item_ids = fields.One2many(
        comodel_name="print.change.request.item",
        inverse_name="request_id",
        string="What must change",
        readonly=True,
    )
    file_item_ids = fields.One2many(
        comodel_name="print.change.request.item",
        inverse_name="request_id",
        string="Files to change",
        domain=[("kind", "=", "file")],
        readonly=True,
    )
    ticket_item_ids = fields.One2many(
        comodel_name="print.change.request.item",
        inverse_name="request_id",
        string="Job tickets to change",
        domain=[("kind", "=", "ticket")],
        readonly=True,
    )
    message = fields.Text(string="Message to the customer", readonly=True)
    state = fields.Selection(
        selection=REQUEST_STATES, default="waiting", required=True, readonly=True, index=True
    )
    mail_message_id = fields.Many2one(
        comodel_name="mail.message", string="E-mail", readonly=True, ondelete="set null"
    )
    mail_state = fields.Selection(selection=MAIL_STATES, compute="_compute_mail_state")
    mail_failure = fields.Char(string="E-mail problem", compute="_compute_mail_failure")
    reminder_count = fields.Integer(readonly=True)
    date_last_reminder = fields.Datetime(string="Last reminder", readonly=True)
    deadline_notified = fields.Boolean(readonly=True)
    refund_ids = fields.One2many(
        comodel_name="print.refund", inverse_name="request_id", string="Refunds", readonly=True
    )
    # The customer's answer (portal), or the operator's "Customer changed it".
    date_answered = fields.Datetime(string="Answered on", readonly=True, copy=False)
    answered_by_id = fields.Many2one(
        comodel_name="res.partner", string="Answered by", readonly=True, copy=False
    )
    answer_message = fields.Text(string="Customer's message", readonly=True, copy=False)
    released_transaction_ids = fields.Many2many(
        comodel_name="payment.transaction",
        relation="print_change_request_released_tx_rel",
        column1="request_id",
        column2="transaction_id",
        string="Authorizations released",
        readonly=True,
        copy=False,
        help="The customer's authorized payments this request released (or is releasing): "
        "nothing was charged.",
    )
    change_ids = fields.One2many(
        comodel_name="print.job.change",
        inverse_name="request_id",
        string="Customer's changes",
        readonly=True,
        help="What the customer changed in answer: files added, replaced (the old files stay "
        "here), removed, and job-ticket values before and after.",
    )

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends(
        "mail_message_id.notification_ids.notification_status",
        "mail_message_id.notification_ids.failure_type",
    )
    def _compute_mail_state(self):
        for request in self:
            notifications = request._get_customer_notifications()
            failed = notifications.filtered(
                lambda notif: notif.notification_status in FAILED_NOTIFICATION_STATUSES
            )
            if not request.mail_message_id or not notifications or failed:
                request.mail_state = "failed"
            elif all(notif.notification_status == "sent" for notif in notifications):
                request.mail_state = "sent"
            else:
                request.mail_state = "queued"

    @api.depends(
        "mail_message_id.notification_ids.notification_status",
        "mail_message_id.notification_ids.failure_type",
    )
    def _compute_mail_failure(self):
        """Why the customer did not get the e-mail (apart from mail_state: lists only need
        the state, and this reads the customer)."""
        for request in self:
            if request.mail_state != "failed":
                request.mail_failure = False
                continue
            failed = request._get_customer_notifications().filtered(
                lambda notif: notif.notification_status in FAILED_NOTIFICATION_STATUSES
            )
            request.mail_failure = request._describe_mail_failure(failed[:1])

    def _get_customer_notifications(self):
        """The e-mail notifications of the request's message to its customer."""
        self.ensure_one()
        return self.mail_message_id.notification_ids.filtered(
            lambda notif: (
                notif.res_partner_id == self.partner_id and notif.notification_type == "email"
            )
        )

    def _describe_mail_failure(self, notification):
        self.ensure_one()
        if not self.partner_id.email:
            return self.env._("The customer has no e-mail address.")
        if not notification:
            return self.env._("No e-mail was sent to the customer.")
        failure = dict(notification._fields["failure_type"]._description_selection(self.env))
        return failure.get(notification.failure_type) or notification.failure_reason or ""

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_resend(self):
        """Send the request's e-mail again (after fixing the customer's address...)."""
        self.order_id._check_operator()
        self._notify_customer()
        return True

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    def _insert_items(self, files, tickets, ticket_note):
        """What these requests ask, in one INSERT (``print.batch.insert.mixin``): an item per
        file of ``files`` (dicts of the item's columns, checked by
        ``print.order._check_change_request``) and per job of ``tickets`` (``ticket_note``
        saying what must change), each on the request of its job.  Items are records of
        what happened: written by Odoo, read by users."""
        request_of_job = {job.id: request.id for request in self for job in request.job_ids}
        vals_list = [
            {**vals, "request_id": request_of_job[vals["job_id"]], "kind": "file"}
            for vals in files
        ]
        vals_list += [
            {
                "request_id": request_of_job[job.id],
                "job_id": job.id,
                "kind": "ticket",
                "note": ticket_note,
            }
            for job in tickets
        ]
        return self.env["print.change.request.item"].sudo()._insert_batch(vals_list)

    def _notify_customer(self, template_xmlid="print_change_request.mail_template_change_request"):
        """E-mail the customer from the order's chatter, and remember the message so the
        order can show whether the customer was told."""
        template = self.env.ref(template_xmlid)
        for request in self:
            order = request.order_id.with_context(
                print_change_request_id=request.id,
                print_notify_customer_only=True,
                print_cache_inline_templates=True,  # models/ir_qweb.py
                print_render_body_at_send=True,  # wizards/mail_compose_message.py
            )
            order._portal_ensure_token()
            user = self.env.user
            author = (
                user.partner_id
                if user._is_internal() and not user._is_superuser()
                else order._get_print_shop_author()  # the reminders' cron: the shop
            )
            message = order.message_post_with_source(
                template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                **order._get_print_mail_authorship(template, author),
                partner_ids=order.partner_id.ids,
            )
            request.sudo().mail_message_id = message[:1]

    def _record_released_holds(self, transactions):
        """Remember, on each request, the authorized payments of its order that it released
        (or left to release): ``transactions``, as the release returned them."""
        for request in self:
            held = transactions.filtered(
                lambda tx, request=request: request.order_id in tx.print_order_ids
            )
            if held:
                request.sudo().released_transaction_ids = [
                    fields.Command.link(tx.id) for tx in held
                ]

    def _get_released_holds(self):
        """``{"released": payments voided, "releasing": payments still to be released}`` of
        the request (empty for none, or for payments captured meanwhile)."""
        transactions = self.sudo().released_transaction_ids
        return {
            "released": transactions.filtered(lambda tx: tx.state == "cancel"),
            "releasing": transactions.filtered(lambda tx: tx.state == "authorized"),
        }

    def _mark_answered(self):
        self.filtered(lambda request: request.state in ("waiting", "not_waited")).sudo().write(
            {"state": "answered"}
        )

    def _mark_not_waited(self):
        self.filtered(lambda request: request.state == "waiting").sudo().write(
            {"state": "not_waited"}
        )

    # ------------------------------------------------------------
    # BUSINESS METHODS: the customer's answer
    # ------------------------------------------------------------

    @api.model
    def _get_open_for_customer(self, order):
        """The requests of ``order`` the customer may still answer; raise a clear UserError
        saying why not when the order no longer waits for the customer."""
        order.ensure_one()
        requests = order.change_request_ids.filtered(lambda request: request.state == "waiting")
        if requests and order._is_waiting_on_customer():
            return requests
        raise UserError(self._get_not_open_message(order))

    @api.model
    def _get_not_open_message(self, order):
        if order.customer_wait_skipped and order.communication_state == cs.CHANGE_REQUESTED:
            return self.env._(
                "The print shop went on with order %(order)s without waiting for your changes, "
                "so it can no longer be changed here. Contact the print shop if something must "
                "still change.",
                order=order.name,
            )
        answered = order.change_request_ids.filtered(lambda request: request.date_answered)[:1]
        if order.communication_state == cs.CHANGED and answered:
            return self.env._(
                "Your changes to order %(order)s were already sent to the print shop on "
                "%(date)s. There is nothing more to do.",
                order=order.name,
                date=format_datetime(self.env, answered.date_answered),
            )
        labels = dict(order._fields["communication_state"]._description_selection(self.env))
        return self.env._(
            "Order %(order)s is %(state)s: it does not wait for changes from you. Contact the "
            "print shop if something must still change.",
            order=order.name,
            state=labels.get(order.communication_state, order.communication_state),
        )

    def _get_missing_answers(self, message=None):
        """What the customer has not answered yet, one line each (empty: complete)."""
        missing = []
        has_word = bool((message or "").strip())
        for request in self:
            for item in request.file_item_ids:
                if item.attachment_id and item.attachment_id in item.job_id.attachment_ids:
                    missing.append(
                        self.env._(
                            "%(job)s / %(file)s: replace or remove this file (%(reason)s).",
                            job=item.job_id.name,
                            file=item.file_name or item.attachment_id.name,
                            reason=item.reason_id.name or "",
                        )
                    )
            for item in request.ticket_item_ids:
                changed = request.change_ids.filtered(
                    lambda change, item=item: (
                        change.kind == "ticket" and change.job_id == item.job_id
                    )
                )
                if not changed and not has_word:
                    missing.append(
                        self.env._(
                            "%(job)s: change the job ticket as asked (%(note)s), or write us a "
                            "word why it stays as it is.",
                            job=item.job_id.name,
                            note=item.note or "",
                        )
                    )
            for job in request.job_ids:
                if not job.attachment_ids:
                    missing.append(
                        self.env._("%(job)s has no file any more: upload one.", job=job.name)
                    )
        return list(dict.fromkeys(missing))

    def _submit_answer(self, message=None, author=None):
        """The customer sends their changes: the jobs asked to change become "Job is
        changed" (``print.order._apply_customer_change``), the requests are answered (when,
        by whom, with which changes), the order's responsible gets an activity, the chatter a
        summary and the customer a confirmation e-mail.  ``self``: the order's open requests
        (:meth:`_get_open_for_customer`), in sudo."""
        order = self.order_id
        order.ensure_one()
        message = (message or "").strip()
        missing = self._get_missing_answers(message)
        if missing:
            raise UserError(
                self.env._(
                    "Your changes to order %(order)s are not complete yet:\n%(missing)s\n"
                    "Make these changes, then send them again.",
                    order=order.name,
                    missing="\n".join(f"- {line}" for line in missing),
                )
            )
        author = author or order.partner_id
        jobs = self.job_ids.filtered(
            lambda job: job.communication_state == cs.CHANGE_REQUESTED and job.order_id == order
        )
        order._apply_customer_change(jobs)
        self._mark_answered()
        self.write(
            {
                "date_answered": fields.Datetime.now(),
                "answered_by_id": author.id,
                "answer_message": message or False,
            }
        )
        summary = self._answer_summary_html(author, message)
        # The summary is the addon's note for the shop; the customer's words are theirs.
        order.message_post(
            body=summary,
            author_id=order._get_print_system_author().id,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        order._post_customer_message(message, author=author)
        order.activity_schedule(
            "print_change_request.mail_activity_type_check_changes",
            summary=self.env._("Check the customer's changes to %s", order.name),
            note=summary,
            user_id=(order.user_id or self[:1].user_id).id,
        )
        self._send_answer_confirmation()
        return jobs

    def _answer_summary_html(self, author, message):
        """The customer's answer for the order's chatter and the responsible's activity."""
        rows = [
            Markup("<li>%s: %s</li>") % (change.job_id.name, change._describe())
            for change in self.change_ids.sorted("id")
        ]
        body = Markup("<p>%s</p>") % self.env._(
            "%(customer)s sent changes in answer to %(requests)s:",
            customer=author.display_name,
            requests=", ".join(self.mapped("name")),
        )
        if rows:
            body += Markup("<ul>%s</ul>") % Markup("").join(rows)
        if message:
            body += Markup("<p>%s</p>") % escape(message)
        return body

    def _send_answer_confirmation(self):
        """Tell the customer by e-mail that the shop received their changes."""
        self.order_id._send_print_confirmation(
            "print_change_request.mail_template_customer_answered", request=self[:1]
        )

    def _mail_groups(self):
        """What must change, grouped for the customer's e-mail: one entry per job, its files
        grouped by reason and note, and each reason's explanation once.  The e-mail stays
        short for orders of many jobs and files; the portal page has every detail: beyond
        ``MAIL_JOBS_LISTED`` jobs, one last entry says how many more jobs, files and job
        tickets the page lists (the reasons are all explained)."""
        self.ensure_one()
        # The items as plain rows, read in one query (a request on 100 jobs of 5 files has
        # 500 items); the jobs' and reasons' names once each.
        Item = self.env["print.change.request.item"]
        query = Item._search([("request_id", "=", self.id)])
        columns = ("job_id", "kind", "reason_id", "note", "file_name")
        rows = self.env.execute_query(
            query.select(*(Item._field_to_sql(query.table, name, query) for name in columns))
        )
        job_names = {
            job.id: job.name for job in self.env["print.job"].browse({row[0] for row in rows})
        }
        reason_records = {
            reason.id: reason
            for reason in self.env["print.change.reason"].browse(
                {row[2] for row in rows if row[2]}
            )
        }
        jobs = {}
        reasons = {}
        for job_id, kind, reason_id, note, file_name in rows:
            entry = jobs.setdefault(job_id, {"job": job_names[job_id], "files": {}, "tickets": []})
            if kind == "ticket":
                entry["tickets"].append(note or "")
                continue
            reason = reason_records.get(reason_id)
            if reason and reason_id not in reasons:
                reasons[reason_id] = {
                    "name": reason.name,
                    "description": reason.description,
                    "how_to": reason.how_to,
                }
            key = (reason.name if reason else "", note or "")
            entry["files"].setdefault(key, []).append(file_name or "")
        entries = list(jobs.values())
        groups = [
            {
                "job": entry["job"],
                "files": [
                    {"reason": reason, "note": note, "names": ", ".join(names)}
                    for (reason, note), names in entry["files"].items()
                ],
                "tickets": entry["tickets"],
            }
            for entry in entries[:MAIL_JOBS_LISTED]
        ]
        hidden = entries[MAIL_JOBS_LISTED:]
        if hidden:  # an entry of its own, so that a template edited by the shop shows it too
            groups.append(
                {
                    "job": self.env._(
                        "... and %(jobs)s more jobs (files to change: %(files)s, job tickets "
                        "to change: %(tickets)s): each one is on your order's page.",
                        jobs=len(hidden),
                        files=sum(
                            len(names) for entry in hidden for names in entry["files"].values()
                        ),
                        tickets=sum(len(entry["tickets"]) for entry in hidden),
                    ),
                    "files": [],
                    "tickets": [],
                }
            )
        return {"jobs": groups, "reasons": list(reasons.values())}

    # ------------------------------------------------------------
    # SCHEDULED ACTIONS
    # ------------------------------------------------------------

    @api.model
    def _cron_remind_customers(self):
        """Remind customers who did not answer, and give the order's responsible a to-do
        once the deadline passed.  Each company's settings apply to its orders."""
        now = fields.Datetime.now()
        waiting = self.search(
            [("state", "=", "waiting"), ("order_id.communication_state", "=", "change_requested")]
        )
        to_remind = waiting.filtered(lambda request: request._reminder_due(now))
        for request in to_remind:
            request._notify_customer("print_change_request.mail_template_change_request_reminder")
            request.sudo().write(
                {"reminder_count": request.reminder_count + 1, "date_last_reminder": now}
            )
        late = waiting.filtered(lambda request: request._deadline_passed(now))
        for request in late:
            order = request.order_id
            order.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("The customer did not answer %s", request.name),
                note=self.env._(
                    "The customer has not changed order %(order)s since %(date)s. Decide "
                    "whether to go on without the customer's response, or cancel the order.",
                    order=order.name,
                    date=fields.Datetime.to_string(request.date_requested),
                ),
                user_id=(order.user_id or request.user_id).id,
            )
        late.sudo().write({"deadline_notified": True})
        return to_remind, late

    def _reminder_due(self, now):
        self.ensure_one()
        company = self.company_id
        if company.print_reminder_days <= 0 or self.reminder_count >= company.print_reminder_max:
            return False
        last = self.date_last_reminder or self.date_requested
        return now - last >= timedelta(days=company.print_reminder_days)

    def _deadline_passed(self, now):
        self.ensure_one()
        days = self.company_id.print_deadline_days
        return (
            days > 0
            and not self.deadline_notified
            and not self.order_id.customer_wait_skipped
            and now - self.date_requested >= timedelta(days=days)
        )
