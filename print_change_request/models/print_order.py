from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import create_index, float_compare, float_is_zero

from ..lib import communication_state as cs
from ..lib import refund_planning
from .print_row_lock_mixin import lock_rows

COMMUNICATION_STATES = cs.STATES
#: Fields only the addon's own methods write (in sudo, after checking the user): money,
#: states and the links that decide what is paid and refunded.
PROTECTED_FIELDS = frozenset(
    {
        "communication_state",
        "amount_untaxed",
        "amount_tax",
        "amount_total",
        "amount_paid",
        "amount_refunded",
        "is_paid",
        "transaction_ids",
        "refund_ids",
        "change_request_ids",
        "customer_wait_skipped",
        "portal_draft",
        # set by _submit_portal_draft only
        "portal_submitted",
        # set by portal.mixin's _portal_ensure_token only
        "access_token",
    }
)
#: Transaction states in which money is on its way or received: the order's currency then
#: stays as it is.
MONEY_TX_STATES = ("pending", "authorized", "done")


class PrintOrder(models.Model):
    _name = "print.order"
    _description = "Print Order"
    _inherit = [
        "print.sequence.mixin",
        "print.row.lock.mixin",
        "portal.mixin",
        "print.mail.sender.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _order = "date_submitted desc, id desc"
    _check_company_auto = True
    _sequence_code = "print.order"

    name = fields.Char(string="Order Reference")
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=10,
        check_company=True,
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(
        comodel_name="res.currency",
        compute="_compute_currency_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=20,
        check_company=True,
        domain="[('share', '=', False)]",
    )
    date_submitted = fields.Datetime(
        string="Submitted on",
        required=True,
        default=fields.Datetime.now,
        tracking=30,
    )
    job_ids = fields.One2many(
        comodel_name="print.job",
        inverse_name="order_id",
        string="Jobs",
        copy=True,
    )
    job_count = fields.Integer(compute="_compute_job_count")
    amount_total = fields.Monetary(
        string="Total",
        compute="_compute_amounts",  # print_order_pricing.py
        store=True,
        tracking=40,
    )
    communication_state = fields.Selection(
        selection=COMMUNICATION_STATES,
        string="Communication state",
        compute="_compute_communication_state",
        store=True,
        index=True,
        tracking=1,
        group_expand="_group_expand_communication_state",
    )
    color = fields.Integer(compute="_compute_color")
    transaction_ids = fields.Many2many(
        comodel_name="payment.transaction",
        relation="print_order_transaction_rel",
        column1="order_id",
        column2="transaction_id",
        string="Transactions",
        readonly=True,
        copy=False,
    )
    invoice_ids = fields.One2many(
        comodel_name="account.move",
        inverse_name="print_order_id",
        string="Invoices",
        readonly=True,
        copy=False,
    )
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    amount_paid = fields.Monetary(
        string="Amount paid",
        compute="_compute_amount_paid",
        store=True,
        help="What the customer paid for this order and was not refunded: confirmed payment "
        "transactions and paid invoices, less the refunds sent or under way.",
    )
    is_paid = fields.Boolean(
        string="Job is paid",
        compute="_compute_amount_paid",
        store=True,
        index=True,
        tracking=50,
    )
    change_request_ids = fields.One2many(
        comodel_name="print.change.request",
        inverse_name="order_id",
        string="Requests for change",
        readonly=True,
        copy=False,
    )
    change_request_count = fields.Integer(compute="_compute_change_request_count")
    last_change_request_id = fields.Many2one(
        comodel_name="print.change.request",
        string="Last request for change",
        compute="_compute_last_change_request_id",
    )
    mail_change_request_id = fields.Many2one(
        comodel_name="print.change.request",
        string="Request for change to e-mail",
        compute="_compute_mail_change_request_id",
        help="Technical: the request the change-request e-mails speak of.",
    )
    customer_not_told = fields.Boolean(
        string="Customer not told",
        compute="_compute_customer_not_told",
        help="The e-mail of the last request for change could not be sent.",
    )
    communication_state_label = fields.Char(
        string="Communication",
        compute="_compute_customer_not_told",
        help='The communication state, with "(The email was not sent)" when the customer '
        "was not told of the last request for change.",
    )
    customer_not_told_reason = fields.Char(
        string="Why the customer was not told",
        compute="_compute_customer_not_told_reason",
        groups="base.group_user",  # the mail server's error text: not for customers
        help="What went wrong with the e-mail of the last request for change.",
    )
    mail_warning = fields.Char(
        string="E-mail to the customer",
        compute="_compute_customer_not_told",
        help='"(The email was not sent)" when the customer was not told of the last request '
        "for change.",
    )
    customer_wait_skipped = fields.Boolean(
        string="Not waiting for the customer",
        readonly=True,
        groups="base.group_user",  # the portal shows its effect, read in sudo
        copy=False,
        tracking=60,
        help='The operator chose "I do not wait for the response of the customer" and may go '
        "on with the order as it was; the customer can no longer change it in the portal.",
    )
    refund_ids = fields.One2many(
        comodel_name="print.refund",
        inverse_name="order_id",
        string="Refunds",
        readonly=True,
        copy=False,
    )
    refund_count = fields.Integer(compute="_compute_refund_count")
    job_change_ids = fields.One2many(
        comodel_name="print.job.change",
        inverse_name="order_id",
        string="Customer's changes",
        readonly=True,
        help="Files added, replaced or removed and job-ticket changes, by the customer or on "
        "their behalf; replaced files stay here.",
    )
    amount_refunded = fields.Monetary(
        string="Refunded",
        compute="_compute_amount_paid",
        store=True,
        help="Refunds decided, on their way or done.",
    )

    amount_refund_pending = fields.Monetary(
        string="Refund pending",
        compute="_compute_amount_refund_split",
        help="Refunds decided or on their way that the customer has not received yet.",
    )
    amount_refund_done = fields.Monetary(
        string="Refunded to the customer",
        compute="_compute_amount_refund_split",
        help="Refunds the customer has received.",
    )

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends("company_id")
    def _compute_currency_id(self):
        for order in self:
            order.currency_id = order.currency_id or order.company_id.currency_id

    @api.depends("job_ids")
    def _compute_job_count(self):
        # Counted in SQL: reading job_ids would sort the jobs by their order's
        # "date_submitted desc", joining the orders only for that.
        counts = {}
        if self.ids:
            counts = {
                order.id: count
                for order, count in self.env["print.job"]._read_group(
                    [("order_id", "in", self.ids)], ["order_id"], ["__count"]
                )
            }
        for order in self:
            order.job_count = counts.get(order.id, 0) if order.id else len(order.job_ids)

    @api.depends("invoice_ids")
    def _compute_invoice_count(self):
        for order in self:
            order.invoice_count = len(order.invoice_ids)

    @api.depends("job_ids.communication_state")
    def _compute_communication_state(self):
        for order in self:
            order.communication_state = cs.order_state(order.job_ids.mapped("communication_state"))

    @api.depends("change_request_ids")
    def _compute_change_request_count(self):
        for order in self:
            order.change_request_count = len(order.change_request_ids)

    @api.depends("change_request_ids.date_requested")
    def _compute_last_change_request_id(self):
        for order in self:
            order.last_change_request_id = order.change_request_ids.sorted(
                lambda request: (request.date_requested, request.id), reverse=True
            )[:1]

    @api.depends("change_request_ids")
    @api.depends_context("print_change_request_id")
    def _compute_mail_change_request_id(self):
        request_id = self.env.context.get("print_change_request_id")
        for order in self:
            requested = order.change_request_ids.filtered(lambda request: request.id == request_id)
            order.mail_change_request_id = requested or order.last_change_request_id

    @api.depends(
        "communication_state", "change_request_ids.date_requested", "change_request_ids.mail_state"
    )
    def _compute_customer_not_told(self):
        labels = dict(self._fields["communication_state"]._description_selection(self.env))
        not_sent = self.env._("(The email was not sent)")
        for order in self:
            request = (
                order.last_change_request_id
                if order.communication_state == cs.CHANGE_REQUESTED
                else order.env["print.change.request"]
            )
            order.customer_not_told = bool(request) and request.mail_state == "failed"
            order.mail_warning = order.customer_not_told and not_sent
            label = labels.get(order.communication_state, "")
            if order.customer_not_told:
                label = self.env._("%s (The email was not sent)", label)
            order.communication_state_label = label

    @api.depends("customer_not_told")
    def _compute_customer_not_told_reason(self):
        for order in self:
            order.customer_not_told_reason = (
                order.customer_not_told and order.last_change_request_id.mail_failure
            )

    @api.depends("refund_ids")
    def _compute_refund_count(self):
        for order in self:
            order.refund_count = len(order.refund_ids)

    @api.depends("refund_ids.state", "refund_ids.amount", "refund_ids.currency_id")
    def _compute_amount_refund_split(self):
        for order in self:
            pending = done = 0.0
            for refund in order.refund_ids:
                amount = order._to_order_currency(refund.amount, refund.currency_id)
                if refund.state == "done":
                    done += amount
                elif refund.state in refund_planning.COMMITTED_STATES:
                    pending += amount
            order.amount_refund_pending = pending
            order.amount_refund_done = done

    @api.depends("communication_state")
    def _compute_color(self):
        for order in self:
            order.color = cs.color(order.communication_state)

    @api.depends(
        "amount_total",
        "currency_id",
        "transaction_ids.state",
        "transaction_ids.amount",
        "transaction_ids.operation",
        "transaction_ids.invoice_ids",
        "invoice_ids.state",
        "invoice_ids.move_type",
        "invoice_ids.payment_state",
        "invoice_ids.amount_total",
        "invoice_ids.amount_residual",
        "refund_ids.state",
        "refund_ids.amount",
    )
    def _compute_amount_paid(self):
        for order in self:
            order.amount_refunded = order._get_amount_refunded()
            paid = order._get_amount_received() - order.amount_refunded
            rounding = order.currency_id.rounding
            order.amount_paid = max(paid, 0.0)
            order.is_paid = not float_is_zero(order.amount_paid, precision_rounding=rounding) and (
                float_compare(order.amount_paid, order.amount_total, precision_rounding=rounding)
                >= 0
            )

    def _group_expand_communication_state(self, states, domain):
        return [key for key, _label in COMMUNICATION_STATES]

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model
    def default_get(self, fields_list):
        """A kanban or list grouped by state passes the group as a default
        (``default_communication_state``): a new order starts New all the same, its
        customer editable.  States and money are never defaults."""
        values = super().default_get(fields_list)
        for name in PROTECTED_FIELDS.intersection(values):
            if f"default_{name}" in self.env.context:
                del values[name]
        return values

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                self._check_protected_fields(vals)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._check_protected_fields(vals)
        return super().write(vals)

    @api.model
    def _check_protected_fields(self, vals):
        """Money, states and payment links move only through the orders' actions; the
        currency only while no money moved (on ``self``, the orders written, if any)."""
        if "currency_id" in vals:
            self._check_currency_change(vals["currency_id"])
        protected = PROTECTED_FIELDS.intersection(vals)
        if protected:
            names = ", ".join(
                sorted(self._fields[name]._description_string(self.env) for name in protected)
            )
            raise AccessError(
                self.env._(
                    "%(fields)s of a print order cannot be written: they follow the jobs, the "
                    "payments and the refunds, and change only through the order's buttons.",
                    fields=names,
                )
            )

    def _check_currency_change(self, currency_id):
        """The currency of an order is an active currency, and changes only while nothing was
        paid, is being paid, invoiced or refunded: amounts already received stay in the
        currency they were received in.

        :raise UserError: saying what to do."""
        currency = self.env["res.currency"].sudo().browse(currency_id or []).exists()
        changed = self.sudo().filtered(lambda order: order.currency_id != currency)
        if currency_id and (not self or changed) and (not currency or not currency.active):
            raise UserError(
                self.env._(
                    "Currency %(currency)s is not active: activate it in the accounting "
                    "settings first, or choose an active currency.",
                    currency=currency.name or currency_id,
                )
            )
        for order in changed:
            money_moved = (
                not order.currency_id.is_zero(order.amount_paid)
                or not order.currency_id.is_zero(order.amount_refunded)
                or order.refund_ids
                or order.transaction_ids.filtered(lambda tx: tx.state in MONEY_TX_STATES)
                or order.invoice_ids.filtered(lambda move: move.state == "posted")
            )
            if money_moved:
                raise UserError(
                    self.env._(
                        "The currency of order %(order)s cannot change: it was already paid, "
                        "invoiced or refunded in %(currency)s. Refund the customer and create a "
                        "new order in the other currency instead.",
                        order=order.name,
                        currency=order.currency_id.name,
                    )
                )

    def _check_operator(self):
        """Every action on orders checks the caller itself (they write in sudo)."""
        if not self.env.su and not self.env.user.has_group(
            "print_change_request.group_print_operator"
        ):
            raise AccessError(
                self.env._("Only print shop operators can change the state of print orders.")
            )

    def init(self):
        """Index the default order of lists and kanban (``date_submitted desc, id desc``):
        PostgreSQL then reads the first rows in order instead of sorting every order."""
        res = super().init()
        create_index(
            self.env.cr,
            "print_order_date_submitted_id_index",
            self._table,
            ["date_submitted DESC", "id DESC"],
        )
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_only_new_or_canceled_unpaid(self):
        for order in self:
            if (
                order.communication_state not in (cs.NEW, cs.CANCELED)
                or order.is_paid
                or order.refund_ids
            ):
                raise UserError(
                    self.env._(
                        "Order %(order)s cannot be deleted: it is being processed, paid or "
                        "refunded. Cancel it instead.",
                        order=order.name,
                    )
                )

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for order in self:
            order.access_url = f"/my/print_orders/{order.id}"
        return res

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_accept(self):
        """Accept the orders: every live job must be ready, and paid when the shop says so.

        Asks first when an order waits for the customer ("I do not wait for the response of
        the customer."); when the shop requires payment and one order is not paid, opens the
        dialog that says why and offers the ways forward (payment link, invoice, or a
        manager's acceptance without payment)."""
        self._check_operator()
        self._lock_for_update()
        ask = self._check_acceptable()
        if ask:
            return ask
        unpaid = self.filtered(lambda order: order._is_payment_missing())
        if unpaid:
            if len(self) == 1:
                return self.env["print.order.unpaid.wizard"]._open_for(self)
            raise UserError(unpaid[0]._get_unpaid_message())
        self._get_live_jobs()._mark_accepted()
        return True

    def action_cancel(self):
        """Cancel the orders and all their jobs that are not canceled yet."""
        self._check_operator()
        self._lock_for_update()
        for order in self:
            order._check_not_locked()
        self._get_live_jobs()._mark_canceled()
        return True

    def action_dispatch(self):
        """Dispatch accepted orders."""
        self._check_operator()
        self._lock_for_update()
        for order in self:
            order._check_not_locked()
        ask = self._get_continue_without_customer_action("dispatch")
        if ask:
            return ask
        for order in self:
            if order.communication_state != cs.ACCEPTED:
                raise UserError(
                    self.env._(
                        "Order %(order)s cannot be dispatched: accept it first.",
                        order=order.name,
                    )
                )
        self._get_live_jobs()._mark_dispatched()
        return True

    def action_finalize(self):
        """Finalize dispatched orders.  After this nothing changes any more."""
        self._check_operator()
        self._lock_for_update()
        for order in self:
            if order.communication_state != cs.DISPATCHED:
                raise UserError(
                    self.env._(
                        "Order %(order)s cannot be finalized: only dispatched orders can.",
                        order=order.name,
                    )
                )
        self._get_live_jobs()._mark_finalized()
        return True

    def action_request_change(self):
        """Open "Send a change request for <orders>" for these orders."""
        self._check_operator()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "print_change_request.print_change_request_wizard_action"
        )
        names = self.mapped("name")
        action["name"] = (
            self.env._("Send a change request for %s", ", ".join(names))
            if len(names) <= 3
            else self.env._("Send a change request for %s orders", len(names))
        )
        action["context"] = {
            "active_model": "print.order",
            "active_ids": self.ids,
            "dialog_size": "extra-large",
        }
        action["res_id"] = self.env["print.change.request.wizard"]._create_for_orders(self).id
        return action

    def action_continue_without_customer(self):
        """ "I do not wait for the response of the customer.": go on with the order as it
        was (:meth:`_go_ahead_without_customer`, print_order_talk.py).

        The decision is recorded in the chatter; the customer can no longer send changes in
        the portal, the refunds not paid out yet are canceled and the customer is told."""
        self._check_operator()
        self._lock_for_update()
        waiting = self.filtered(lambda order: order._is_waiting_on_customer())
        if not waiting:
            raise UserError(self.env._("These orders are not waiting for the customer."))
        return waiting._go_ahead_without_customer()

    def action_customer_changed(self):
        """The customer changed the order (new files or ticket sent by other means than the
        portal): the jobs waiting for it become "Job is changed"."""
        self._check_operator()
        self._lock_for_update()
        for order in self:
            if not order.job_ids.filtered(
                lambda job: job.communication_state == cs.CHANGE_REQUESTED
            ):
                raise UserError(
                    self.env._(
                        "Order %(order)s has no job waiting for the customer.", order=order.name
                    )
                )
        self._apply_customer_change()
        return True

    def action_resend_change_request(self):
        """Send the last request's e-mail again, and say what happened."""
        self._check_operator()
        self.ensure_one()
        if not self.last_change_request_id:
            raise UserError(self.env._("No request for change was sent for this order."))
        if not self.partner_id.email:
            raise UserError(
                self.env._(
                    "The customer %(customer)s has no e-mail address: add one, then resend.",
                    customer=self.partner_id.display_name,
                )
            )
        request = self.last_change_request_id
        request.action_resend()
        self._send_change_request_mails_now(request)
        customer = self.partner_id.display_name
        if request.mail_state == "failed":
            kind, sticky = "danger", True
            message = self.env._(
                "The email was not sent to %(customer)s again: %(problem)s Check the address "
                "or the mail server, then resend.",
                customer=customer,
                problem=request.mail_failure or "",
            )
            self.message_post(
                body=self.env._(
                    "%(user)s resent request %(request)s to %(customer)s: the e-mail was not "
                    "sent again (%(problem)s).",
                    user=self.env.user.name,
                    request=request.name,
                    customer=customer,
                    problem=request.mail_failure or "",
                ),
                subtype_xmlid="mail.mt_note",
            )
        elif request.mail_state == "sent":
            kind, sticky = "success", False
            message = self.env._(
                "The request for change was e-mailed to %(customer)s.", customer=customer
            )
        else:
            kind, sticky = "info", False
            message = self.env._(
                "The request for change to %(customer)s is queued and will be sent shortly.",
                customer=customer,
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": kind,
                "sticky": sticky,
                "title": self.env._("Resend the request for change"),
                "message": message,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _send_change_request_mails_now(self, requests):
        """Send the e-mails of ``requests`` to their customers now, in this transaction,
        instead of after the commit: the operator then learns at once whether the customer
        was told (an e-mail failing after the commit came after a green "sent").  Mails
        sent here are no longer outgoing, so the after-commit sending skips them."""
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("mail_message_id", "in", requests.mail_message_id.ids),
                    ("state", "=", "outgoing"),
                ]
            )
        )
        if mails:
            mails.send(raise_exception=False)
        requests.invalidate_recordset(["mail_state", "mail_failure"])
        self.invalidate_recordset(
            ["customer_not_told", "customer_not_told_reason", "mail_warning"]
        )

    def _close_check_changes_activities(self):
        """The operator went on with the orders (accepted, dispatched, finalized, canceled
        or asked again): the "Check the customer's changes" to-dos are done."""
        self.sudo().activity_feedback(
            ["print_change_request.mail_activity_type_check_changes"],
            feedback=self.env._("Done: %s went on with the order.", self.env.user.name),
        )

    def action_preview(self):
        """Customer Preview: the order's portal page, as the customer sees it."""
        self.ensure_one()
        self._portal_ensure_token()
        return {"type": "ir.actions.act_url", "target": "self", "url": self.get_portal_url()}

    def action_view_refunds(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "print_change_request.print_refund_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def action_view_change_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "print_change_request.print_change_request_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        return action

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", self.invoice_ids.ids)]
        action["context"] = {
            "default_move_type": "out_invoice",
            "default_partner_id": self.partner_id.id,
            "default_print_order_id": self.id,
        }
        return action

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    def _check_acceptable(self):
        """Raise when an order cannot be accepted whatever its payment; return the "do not
        wait for the customer" dialog when one waits for the customer, else False."""
        for order in self:
            order._check_not_locked()
            if not order._get_live_jobs():
                raise UserError(
                    self.env._("Order %(order)s has no job to accept.", order=order.name)
                )
        ask = self._get_continue_without_customer_action("accept")
        if ask:
            return ask
        for order in self:
            not_ready = order._get_live_jobs().filtered(
                lambda job, order=order: (
                    job.communication_state not in order._get_acceptable_job_states()
                )
            )
            if not_ready:
                raise UserError(order._get_not_ready_message(not_ready))
        return False

    def _accept_unpaid(self, reason=""):
        """A manager accepts the order although the shop requires payment; the decision
        and its reason are written in the order's chatter."""
        self.ensure_one()
        self._check_can_accept_unpaid()
        self._lock_for_update()
        ask = self._check_acceptable()
        if ask:
            return ask
        if self._is_payment_missing():
            self.message_post(
                body=Markup("<p>%s</p>%s")
                % (
                    self.env._(
                        "%(user)s accepted the order without payment (%(due)s due).",
                        user=self.env.user.name,
                        due=self.currency_id.format(self._get_amount_due()),
                    ),
                    Markup("<p>%s</p>") % reason if reason else "",
                )
            )
        self._get_live_jobs()._mark_accepted()
        return True

    def _check_can_accept_unpaid(self):
        """Only a Print Shop manager accepts an order without payment."""
        self.ensure_one()
        if not self.env.user.has_group("print_change_request.group_print_manager"):
            raise UserError(
                self.env._(
                    "Only a Print Shop manager may accept order %(order)s without payment. "
                    "Ask a manager, or get the order paid first.",
                    order=self.name,
                )
            )

    def _get_amount_due(self):
        """What the customer still has to pay for the order."""
        self.ensure_one()
        return max(self.amount_total - self.amount_paid, 0.0)

    def _get_open_invoices(self):
        """Posted customer invoices of the order that wait for payment."""
        self.ensure_one()
        return self.sudo().invoice_ids.filtered(
            lambda move: (
                move.move_type == "out_invoice"
                and move.state == "posted"
                and move.payment_state in ("not_paid", "partial")
            )
        )

    def _get_unpaid_message(self):
        """Why the order cannot be accepted without payment, in the operator's words."""
        self.ensure_one()
        due = self.currency_id.format(self._get_amount_due())
        invoices = self._get_open_invoices()
        rounding = self.currency_id.rounding
        if not float_is_zero(self.amount_refund_pending, precision_rounding=rounding):
            why = self.env._(
                "Order %(order)s is not paid: after a request for change, a refund of "
                "%(pending)s of the customer's payment is pending (the customer has not got "
                "it back yet), and %(due)s is due again.",
                order=self.name,
                pending=self.currency_id.format(self.amount_refund_pending),
                due=due,
            )
        elif not float_is_zero(self.amount_refunded, precision_rounding=rounding):
            why = self.env._(
                "Order %(order)s is not paid: the customer's payment was refunded "
                "(%(refunded)s) after a request for change, and %(due)s is due again.",
                order=self.name,
                refunded=self.currency_id.format(self.amount_refunded),
                due=due,
            )
        elif invoices:
            why = self.env._(
                "Order %(order)s is not paid: %(due)s is due.", order=self.name, due=due
            )
        else:
            why = self.env._(
                "Order %(order)s is not paid and has no invoice: %(due)s is due.",
                order=self.name,
                due=due,
            )
        parts = [why]
        if invoices:
            parts.append(
                self.env._(
                    "Invoice %(invoice)s waits for the customer's payment.",
                    invoice=", ".join(invoices.mapped("name")),
                )
            )
        parts.append(self.env._("This shop requires payment before an order is accepted."))
        return " ".join(parts)

    def _get_invoice_for_payment(self):
        """The invoice the customer pays the amount due with: the open one, or a new posted
        invoice of the live jobs (less what was paid already).  Needs invoicing rights."""
        self.ensure_one()
        invoice = self._get_open_invoices()[-1:].sudo(False)
        if invoice:
            return invoice
        line_vals = self._prepare_print_invoice_line_vals()
        paid = self.amount_paid
        if not float_is_zero(paid, precision_rounding=self.currency_id.rounding):
            line_vals += self._prepare_already_paid_line_vals(line_vals, paid)
        lines = [Command.create(vals) for vals in line_vals]
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.partner_id.id,
                "company_id": self.company_id.id,
                "currency_id": self.currency_id.id,
                "print_order_id": self.id,
                "invoice_origin": self.name,
                "fiscal_position_id": self.fiscal_position_id.id,
                "invoice_line_ids": lines,
            }
        )
        invoice._round_to_total(self.amount_total - paid)
        invoice.action_post()
        self.message_post(
            body=self.env._(
                "Invoice %(invoice)s created for the amount due.", invoice=invoice.name
            )
        )
        return invoice

    def _get_live_jobs(self):
        """The orders' jobs that are not canceled."""
        return self.job_ids.filtered(lambda job: job.communication_state != cs.CANCELED)

    def _get_acceptable_job_states(self):
        """Job states from which this order can be accepted.  Hook: extend to allow more."""
        self.ensure_one()
        if self.customer_wait_skipped:
            return (*cs.ACCEPTABLE, cs.CHANGE_REQUESTED)
        return cs.ACCEPTABLE

    def _is_waiting_on_customer(self):
        self.ensure_one()
        return (
            self.communication_state in cs.WAITING_ON_CUSTOMER and not self.customer_wait_skipped
        )

    def _get_continue_without_customer_action(self, step):
        """The dialog asking whether to go on without the customer's response, when one of
        the orders waits for the customer; False when none does.  ``step`` is the workflow
        step the operator asked for ("accept" or "dispatch"); OK in the dialog does it."""
        if not self.filtered(lambda order: order._is_waiting_on_customer()):
            return False
        wizard = self.env["print.order.continue.wizard"].create(
            {"order_ids": [Command.set(self.ids)], "next_step": step}
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("The customer has not changed the order yet"),
            "res_model": wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def _apply_customer_change(self, jobs=None):
        """The customer answered: ``jobs`` (default: every job waiting for the customer)
        become "Job is changed".  The portal calls this when the customer resubmits."""
        waiting = self.job_ids.filtered(lambda job: job.communication_state == cs.CHANGE_REQUESTED)
        jobs = waiting if jobs is None else jobs & waiting
        jobs._mark_changed()
        for order in jobs.order_id:
            if not order.job_ids.filtered(
                lambda job: job.communication_state == cs.CHANGE_REQUESTED
            ):
                order.change_request_ids._mark_answered()
                order.sudo().customer_wait_skipped = False
            order.sudo().message_post(
                body=self.env._(
                    "The customer changed the order: %(jobs)s.",
                    jobs=", ".join((jobs & order.job_ids).mapped("name")),
                ),
                author_id=(
                    self.env.user.partner_id
                    if not self.env.user.share
                    else order._get_print_system_author()
                ).id,
            )
        return jobs

    def _lock_for_update(self):
        """Take the orders' row locks so that two operators cannot act on them at once."""
        if not self._try_lock_rows():
            raise UserError(
                self.env._(
                    "Another user is working on %(orders)s right now. Try again in a moment.",
                    orders=", ".join(self.mapped("name")),
                )
            )
        self.job_ids.invalidate_recordset()
        self.refund_ids.invalidate_recordset()

    def _wait_to_lock_for_update(self):
        """Take the orders' row locks as ``_lock_for_update``, but wait for a transaction that
        holds one of them instead of refusing: for a customer's click repeated while the first
        is under way (a double click on submit).  The rows are touched, so the waiting request
        is played again by Odoo on what the first one committed (see ``lock_rows``)."""
        lock_rows(self.env.cr, self._table, self.ids, touch=True, nowait=False)
        self.invalidate_recordset()
        self.job_ids.invalidate_recordset()
        self.refund_ids.invalidate_recordset()

    def _get_not_ready_message(self, jobs):
        """The error shown when ``jobs`` keep the order from being accepted."""
        self.ensure_one()
        labels = dict(self._fields["communication_state"]._description_selection(self.env))
        return self.env._(
            "Order %(order)s cannot be accepted yet: %(jobs)s.",
            order=self.name,
            jobs=", ".join(f"{job.name} ({labels[job.communication_state]})" for job in jobs),
        )

    def _check_not_locked(self):
        """Refuse any change of state on a dispatched or finalized order."""
        for order in self:
            if cs.is_locked(order.communication_state):
                raise UserError(
                    self.env._(
                        "Order %(order)s is %(state)s: its state can no longer change.",
                        order=order.name,
                        state=dict(
                            order._fields["communication_state"]._description_selection(order.env)
                        )[order.communication_state],
                    )
                )

    def _is_payment_missing(self):
        """True when the shop requires payment and this order is not paid."""
        self.ensure_one()
        return (
            self.company_id.print_payment_required
            and not float_is_zero(self.amount_total, precision_rounding=self.currency_id.rounding)
            and not self.is_paid
        )

    def _accepts_job_changes(self):
        """Jobs may be added or removed only while the order is not accepted and not paid."""
        self.ensure_one()
        return self.communication_state in cs.CHANGE_REQUESTABLE and not self.is_paid

    def _check_jobs_can_change(self):
        """Raise a clear error when jobs may not be added to or removed from these orders."""
        for order in self:
            if not order._accepts_job_changes():
                raise UserError(
                    self.env._(
                        "Jobs of order %(order)s can no longer be added or removed: the order "
                        "is accepted or paid. Request a change from the customer, or create a "
                        "new order.",
                        order=order.name,
                    )
                )

    def _get_amount_received(self):
        """Money received for this order, in its currency: confirmed payment transactions,
        plus paid customer invoices that were not paid through one of those transactions."""
        self.ensure_one()
        total = 0.0
        done_txs = self.transaction_ids.filtered(
            lambda tx: tx.state == "done" and tx.operation != "refund" and tx.amount > 0
        )
        for tx in done_txs:
            total += self._to_order_currency(tx.amount, tx.currency_id)
        paid_by_tx = done_txs.invoice_ids
        for invoice in self.invoice_ids - paid_by_tx:
            if invoice.state != "posted" or invoice.move_type != "out_invoice":
                continue
            if invoice.payment_state in ("paid", "in_payment"):
                amount = invoice.amount_total
            elif invoice.payment_state == "partial":
                amount = invoice.amount_total - invoice.amount_residual
            else:
                continue
            total += self._to_order_currency(amount, invoice.currency_id)
        return total

    def _get_amount_refunded(self):
        """Money given back, or decided or on its way back, to the customer."""
        self.ensure_one()
        return sum(
            self._to_order_currency(refund.amount, refund.currency_id)
            for refund in self.refund_ids
            if refund.state in refund_planning.COMMITTED_STATES
        )

    def _get_refund_sources(self):
        """The order's confirmed online payments, newest first, with what each can still
        give back (refunds decided, under way or done already count)."""
        self.ensure_one()
        committed = {}
        for refund in self.refund_ids:
            if refund.state in refund_planning.COMMITTED_STATES and refund.source_transaction_id:
                committed.setdefault(refund.source_transaction_id.id, []).append(refund.amount)
        transactions = self.sudo().transaction_ids.filtered(
            lambda tx: tx.state == "done" and tx.operation != "refund" and tx.amount > 0
        )
        return [
            refund_planning.Source(
                key=tx.id,
                amount=tx.amount,
                refundable=refund_planning.refundable(tx.amount, committed.get(tx.id, [])),
                support=tx.provider_id.support_refund or "none",
            )
            for tx in transactions.sorted(lambda tx: (tx.last_state_change, tx.id), reverse=True)
        ]

    def _get_refundable_invoice(self):
        """The customer invoice a refund's credit note reverses: the newest posted one."""
        self.ensure_one()
        invoices = self.sudo().invoice_ids.filtered(
            lambda move: move.move_type == "out_invoice" and move.state == "posted"
        )
        return invoices.sorted(lambda move: (move.invoice_date or move.date, move.id))[-1:]

    def _to_order_currency(self, amount, currency):
        self.ensure_one()
        if not currency or currency == self.currency_id:
            return amount
        return currency._convert(
            amount, self.currency_id, self.company_id, fields.Date.context_today(self)
        )

    # ------------------------------------------------------------
    # INVOICING (the "Create invoice" button, the invoice at online payment)
    # ------------------------------------------------------------

    def action_create_invoice(self):
        """Create and post the customer invoice of each order (its live jobs as lines), reconcile
        it with the online payments of the order that no invoice covers yet, and open it.

        Only operators who may also invoice (Odoo's Billing group) can do it; an order that
        already has an invoice waiting for payment, or nothing to invoice, is refused."""
        self._check_operator()
        if not self.env.su and not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(
                self.env._(
                    "Only users who may create invoices (Invoicing / Billing) can invoice print "
                    "orders: ask your accountant."
                )
            )
        self._lock_for_update()
        invoices = self.env["account.move"]
        for order in self:
            invoices |= order._create_print_invoice()
        return invoices._get_records_action(name=self.env._("Invoices"))

    def _check_can_invoice(self):
        self.ensure_one()
        if self.communication_state == cs.CANCELED:
            raise UserError(
                self.env._(
                    "Order %(order)s is canceled: there is nothing to invoice.", order=self.name
                )
            )
        open_invoices = self.sudo().invoice_ids.filtered(
            lambda move: (
                move.move_type == "out_invoice"
                and move.state in ("draft", "posted")
                and move.payment_state in ("not_paid", "partial")
            )
        )
        if open_invoices:
            raise UserError(
                self.env._(
                    "Order %(order)s already has invoice %(invoice)s waiting for payment: send "
                    "or cancel that one first.",
                    order=self.name,
                    invoice=", ".join(open_invoices.mapped(lambda move: move.name or "/")),
                )
            )
        if not self._get_live_jobs():
            raise UserError(
                self.env._(
                    "Order %(order)s has no job to invoice: add a job first.", order=self.name
                )
            )

    def _prepare_print_invoice_line_vals(self):
        """The live jobs' priced lines (media, printing, finishing; or the price set by hand),
        copies as quantity, with the taxes the order's amounts were computed with: the
        invoice's total is the order's."""
        self.ensure_one()
        return [
            {
                "name": line["name"],
                "product_id": line["product"].id,
                "quantity": line["quantity"],
                "price_unit": line["price_unit"],
                "tax_ids": [Command.set(line["taxes"].ids)],
            }
            for job in self._get_live_jobs()
            for line in job._get_price_lines()
        ]

    def _prepare_already_paid_line_vals(self, line_vals, amount):
        """Lines that deduct ``amount`` (taxes included), paid already, from an invoice of
        ``line_vals``, with their taxes in proportion (:meth:`_split_by_taxes`).  The invoice
        then declares the taxes of what it still asks for only; an untaxed deduction would
        declare the taxes of the whole order again, those of the part paid before included."""
        self.ensure_one()
        AccountTax = self.env["account.tax"]
        weighted = []
        for vals in line_vals:
            taxes = AccountTax.browse(
                [tax_id for command in vals.get("tax_ids", []) for tax_id in command[2] or []]
            )
            base_line = AccountTax._prepare_base_line_for_taxes_computation(
                {},
                tax_ids=taxes,
                price_unit=vals["price_unit"],
                quantity=vals["quantity"],
                currency_id=self.currency_id,
            )
            AccountTax._add_tax_details_in_base_line(base_line, self.company_id)
            weighted.append((taxes, base_line["tax_details"]["raw_total_included_currency"]))
        return [
            {
                "name": self.env._("Already paid"),
                "quantity": 1,
                "price_unit": -excluded,
                "tax_ids": [Command.set(taxes.ids)],
            }
            for taxes, excluded, _index in self._split_by_taxes(weighted, amount)
        ]

    def _split_by_taxes(self, weighted, amount):
        """Share ``amount`` (taxes included) among ``weighted`` ``[(taxes, total included)]``
        as their totals are, one share per set of taxes: ``[(taxes, share less those taxes,
        index of the first line of that set)]``.  Without a total to share by, one untaxed
        share.  Used for what goes back or was paid before, so that its taxes follow the
        taxes of what it stands for."""
        self.ensure_one()
        AccountTax = self.env["account.tax"]
        currency = self.currency_id
        shares = {}
        for index, (taxes, total) in enumerate(weighted):
            share = shares.setdefault(
                tuple(sorted(taxes.ids)), {"taxes": taxes, "total": 0.0, "index": index}
            )
            share["total"] += total
        grand_total = sum(share["total"] for share in shares.values())
        if currency.is_zero(grand_total):
            shares, grand_total = {(): {"taxes": AccountTax, "total": 1.0, "index": 0}}, 1.0
        result = []
        for share in shares.values():
            base_line = AccountTax._prepare_base_line_for_taxes_computation(
                {},
                tax_ids=share["taxes"],
                price_unit=amount * share["total"] / grand_total,
                quantity=1.0,
                currency_id=currency,
                special_mode="total_included",
            )
            AccountTax._add_tax_details_in_base_line(base_line, self.company_id)
            excluded = base_line["tax_details"]["raw_total_excluded_currency"]
            result.append((share["taxes"], excluded, share["index"]))
        return result

    def _prepare_print_invoice_vals(self, line_vals):
        self.ensure_one()
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "print_order_id": self.id,
            "invoice_origin": self.name,
            "invoice_user_id": self.user_id.id,
            "fiscal_position_id": self.fiscal_position_id.id,
            "invoice_line_ids": [Command.create(vals) for vals in line_vals],
        }

    def _get_uninvoiced_payment_transactions(self):
        """Done online payments of the order that no invoice covers yet."""
        self.ensure_one()
        return self.sudo().transaction_ids.filtered(
            lambda tx: (
                tx.state == "done"
                and tx.operation not in ("refund", "validation")
                and not tx.invoice_ids
            )
        )

    def _create_print_invoice(self):
        """Create and post the order's invoice as the caller (Odoo's invoicing rights apply),
        then link and reconcile the order's payments that no invoice covers yet."""
        self.ensure_one()
        self._check_can_invoice()
        invoice = self.env["account.move"].create(
            self._prepare_print_invoice_vals(self._prepare_print_invoice_line_vals())
        )
        invoice.action_post()
        invoice._portal_ensure_token()
        for tx in self._get_uninvoiced_payment_transactions():
            # As Odoo's own post-processing does for a payment made for an invoice.
            tx.invoice_ids = [Command.link(invoice.id)]
            if tx.payment_id:
                (tx.payment_id.move_id.line_ids + invoice.line_ids).filtered(
                    lambda line, tx=tx: (
                        line.account_id == tx.payment_id.destination_account_id
                        and not line.reconciled
                    )
                ).reconcile()
        self.message_post(
            body=self.env._("Invoice %(invoice)s created.", invoice=invoice._get_html_link())
        )
        return invoice

    def _create_invoice_for_transaction(self, tx):
        """The draft invoice an online payment pays (Odoo posts and reconciles it after the
        transaction): the live jobs, less what the order had been paid before."""
        self.ensure_one()
        line_vals = self._prepare_print_invoice_line_vals()
        paid = tx.currency_id._convert(tx.amount, self.currency_id, self.company_id)
        # The order's amount paid already counts this (done) transaction.
        before = self.currency_id.round(self.amount_paid - paid)
        if self.currency_id.compare_amounts(before, 0) > 0:
            line_vals += self._prepare_already_paid_line_vals(line_vals, before)
        else:
            before = 0.0
        invoice = (
            self.env["account.move"].sudo().create(self._prepare_print_invoice_vals(line_vals))
        )
        invoice._round_to_total(self.amount_total - before)
        invoice._portal_ensure_token()
        self.message_post(
            body=self.env._(
                "Invoice %(invoice)s created for the online payment %(payment)s.",
                invoice=invoice._get_html_link(),
                payment=tx.reference,
            )
        )
        return invoice

    # ------------------------------------------------------------
    # ORDERS FROM THE PORTAL (drafts the customer fills, then submits)
    # ------------------------------------------------------------

    # A draft is the customer's until submitted: operators' lists leave it out (the action's
    # domain), and it becomes New with its submission date when the customer submits it.
    portal_draft = fields.Boolean(
        string="Draft from the portal",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The customer is still filling this order in the portal: it is not submitted yet.",
    )

    @api.model
    def _create_portal_draft(self, partner):
        """The customer's draft order (called in sudo by the portal for the logged-in user)."""
        return self.sudo().create(
            {
                "partner_id": partner.id,
                "portal_draft": True,
                "user_id": False,
                "company_id": partner.company_id.id or self.env.company.id,
            }
        )

    def _check_portal_draft(self):
        self.ensure_one()
        if not self.portal_draft:
            raise UserError(
                self.env._(
                    "Order %(order)s was already sent to the print shop: jobs can no longer be "
                    "added. Start a new order for more jobs.",
                    order=self.name,
                )
            )

    def _add_portal_job(self, name, raw_ticket):
        """Add a job (its name and ticket, from the portal's form strings) to the draft."""
        self.ensure_one()
        self._check_portal_draft()
        name = (name or "").strip()
        if not name:
            raise UserError(self.env._('Give the job a name, e.g. "Flyer A5".'))
        if len(name) > 200:
            raise UserError(self.env._("The job's name is too long: at most 200 characters."))
        Job = self.env["print.job"].sudo()
        draft_job = Job.new({"order_id": self.id, "name": name})
        values = draft_job._parse_ticket_values(raw_ticket)
        return Job.create(
            {
                "order_id": self.id,
                "name": name,
                "sequence": len(self.job_ids) + 1,
                **values,
            }
        )

    def _get_portal_responsible(self):
        """The operator who gets a newly submitted portal order: the shop's setting, else the
        next operator after the one who got the last portal order (round robin)."""
        self.ensure_one()
        if self.company_id.print_portal_user_id:
            return self.company_id.print_portal_user_id
        operators = (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("share", "=", False),
                    ("company_ids", "in", self.company_id.id),
                    (
                        "groups_id",
                        "in",
                        self.env.ref("print_change_request.group_print_operator").id,
                    ),
                ],
                order="id",
            )
        )
        if not operators:
            return self.env["res.users"]
        last = self.sudo().search(
            [
                ("company_id", "=", self.company_id.id),
                ("portal_submitted", "=", True),
                ("id", "!=", self.id),
                ("user_id", "in", operators.ids),
            ],
            order="date_submitted desc, id desc",
            limit=1,
        )
        if not last:
            return operators[0]
        following = operators.filtered(lambda user: user.id > last.user_id.id)
        return following[:1] or operators[0]

    portal_submitted = fields.Boolean(
        string="Submitted in the portal",
        readonly=True,
        copy=False,
        help="The customer placed this order in the portal.",
    )

    def _submit_portal_draft(self, author=None, message=None):
        """Submit the customer's draft: it becomes a New order submitted now, with its
        responsible, an activity for them, the customer's ``message`` on the chatter in their
        name and the shop's confirmation to the customer.
        A second submit (double click, replay) changes nothing and returns False.  Call under
        the order's row lock."""
        self.ensure_one()
        if not self.portal_draft:
            return False
        if not self.job_ids:
            raise UserError(
                self.env._("Order %(order)s has no job yet: add a job first.", order=self.name)
            )
        no_file = self.job_ids.filtered(lambda job: not job.attachment_ids)
        if no_file:
            raise UserError(
                self.env._(
                    "Add the files of %(jobs)s before you submit the order.",
                    jobs=", ".join(no_file.mapped("name")),
                )
            )
        order = self.sudo()
        responsible = order._get_portal_responsible()
        order.write(
            {
                "portal_draft": False,
                "portal_submitted": True,
                "date_submitted": fields.Datetime.now(),
                "user_id": responsible.id,
            }
        )
        # The customer's own words in their name; the confirmation in the shop's.
        order._post_customer_message(message, author=author or order.partner_id)
        order._send_print_confirmation("print_change_request.mail_template_order_submitted")
        if responsible:
            order.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=responsible.id,
                summary=self.env._("New order from the portal"),
                note=self.env._(
                    "%(customer)s submitted order %(order)s in the portal.",
                    customer=order.partner_id.display_name,
                    order=order.name,
                ),
            )
            order._notify_portal_responsible(responsible)
        return True

    def _is_paid_at_portal_submission(self):
        """Whether the customer is asked to pay the order right after submitting it in the
        portal: the shop's setting, and something to pay."""
        self.ensure_one()
        return (
            self.company_id.print_portal_pay_on_submit
            and self.currency_id.compare_amounts(self._get_amount_due(), 0.0) > 0
        )

    def _notify_portal_responsible(self, responsible):
        """Tell the responsible at once, in their open Odoo (a notification through the bus),
        that a customer submitted this order; the activity stays as their to-do."""
        self.ensure_one()
        responsible.sudo()._bus_send(
            "simple_notification",
            {
                "type": "info",
                "sticky": False,
                "title": self.env._("New print order"),
                "message": self.env._(
                    "%(customer)s submitted order %(order)s in the portal.",
                    customer=self.partner_id.display_name,
                    order=self.name,
                ),
            },
        )
