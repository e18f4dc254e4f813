from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import create_index

from ..lib import communication_state as cs

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
        # print_order_talk.py: set by "I do not wait for the response of the customer." only
        "date_customer_wait_skipped",
    }
)
#: Transaction states in which money is on its way or received: the order's currency then
#: stays as it is.
MONEY_TX_STATES = ("pending", "authorized", "done")


class PrintOrder(models.Model):
    _name = "print.order"
    _description = "Print Order"
    _inherit = [
        "print.protected.fields.mixin",
        "print.sequence.mixin",
        "print.row.lock.mixin",
        "portal.mixin",
        "print.mail.sender.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _order = "date_submitted desc, id desc"
    _protected_fields = PROTECTED_FIELDS
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
    job_change_ids = fields.One2many(
        comodel_name="print.job.change",
        inverse_name="order_id",
        string="Customer's changes",
        readonly=True,
        help="Files added, replaced or removed and job-ticket changes, by the customer or on "
        "their behalf; replaced files stay here.",
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

    @api.depends("communication_state")
    def _compute_color(self):
        for order in self:
            order.color = cs.color(order.communication_state)

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
        for name in self._protected_fields.intersection(values):
            if f"default_{name}" in self.env.context:
                del values[name]
        return values

    def _check_protected_fields(self, vals, create=False):
        """Money, states and payment links move only through the orders' actions
        (``PROTECTED_FIELDS``); the currency only while no money moved (on ``self``, the
        orders written, if any)."""
        if "currency_id" in vals:
            self._check_currency_change(vals["currency_id"])
        if "partner_id" in vals:
            self._check_partner_change(vals["partner_id"])
        return super()._check_protected_fields(vals, create=create)

    def _get_protected_fields_message(self, names, create=False):
        return self.env._(
            "%(fields)s of a print order cannot be written: they follow the jobs, the "
            "payments and the refunds, and change only through the order's buttons.",
            fields=self._get_field_labels(names),
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
            if order._has_money_moved():
                raise UserError(
                    self.env._(
                        "The currency of order %(order)s cannot change: it was already paid, "
                        "invoiced or refunded in %(currency)s. Refund the customer and create a "
                        "new order in the other currency instead.",
                        order=order.name,
                        currency=order.currency_id.name,
                    )
                )

    def _check_partner_change(self, partner_id):
        """The customer of an order stays who paid, is paying, or was invoiced or refunded:
        the money received and its receipts are theirs.

        :raise UserError: saying what to do."""
        for order in self.sudo().filtered(lambda order: order.partner_id.id != partner_id):
            if order._has_money_moved():
                raise UserError(
                    self.env._(
                        "The customer of order %(order)s cannot change: %(customer)s already "
                        "paid it, authorized a payment, or was invoiced or refunded for it. "
                        "Refund %(customer)s and create a new order for the other customer "
                        "instead.",
                        order=order.name,
                        customer=order.partner_id.display_name,
                    )
                )

    def _has_money_moved(self):
        """True when money was received, authorized or is on its way for the order, or it
        was invoiced or refunded."""
        self.ensure_one()
        return bool(
            not self.currency_id.is_zero(self.amount_paid)
            or not self.currency_id.is_zero(self.amount_refunded)
            or self.refund_ids
            or self.transaction_ids.filtered(lambda tx: tx.state in MONEY_TX_STATES)
            or self.invoice_ids.filtered(lambda move: move.state == "posted")
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
    # BUSINESS METHODS
    # ------------------------------------------------------------

    def _get_live_jobs(self):
        """The orders' jobs that are not canceled."""
        return self.job_ids.filtered(lambda job: job.communication_state != cs.CANCELED)
