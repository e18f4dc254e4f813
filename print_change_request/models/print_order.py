import logging
from dataclasses import dataclass

from markupsafe import Markup, escape

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import create_index, float_compare, float_is_zero, float_round

from ..lib import (
    authorization,
    notifications,
    payment_attempts,
    preflight,
    pricing,
    refund_planning,
    text_limits,
)
from ..lib import communication_state as cs
from .print_row_lock_mixin import left_for_next_run, lock_rows

_logger = logging.getLogger(__name__)

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
        # set by "I do not wait for the response of the customer." only
        "date_customer_wait_skipped",
        # set by the file-errors dialog's OK only (_confirm_error_files)
        "error_file_confirmed_ids",
    }
)
#: The authorized payments' fields, also written by the addon's methods only; refused with
#: their own message (they follow the payments).
CAPTURE_PROTECTED_FIELDS = frozenset(
    {"amount_authorized", "is_payment_authorized", "payment_capture_failure"}
)
#: Transaction states in which money is on its way or received: the order's currency then
#: stays as it is.
MONEY_TX_STATES = ("pending", "authorized", "done")
#: Which preflight state an order shows when its jobs differ: the one that needs the most
#: attention.
PREFLIGHT_PRECEDENCE = ["error", "warning", "pending", "ok"]
#: Authorizations last this many days at the provider (Stripe: 7 for cards).
AUTHORIZATION_DAYS_PARAM = "print_change_request.authorization_days"
#: The hourly follow-up acts this many hours before an authorization expires.
AUTHORIZATION_WARNING_PARAM = "print_change_request.authorization_warning_hours"
#: The customer's status e-mail of each state an order reaches (the shop edits them in
#: Settings > Technical > Email Templates, "Print Shop: order ...").
STATUS_TEMPLATES = {
    cs.ACCEPTED: "print_change_request.mail_template_order_accepted",
    cs.DISPATCHED: "print_change_request.mail_template_order_dispatched",
    cs.FINALIZED: "print_change_request.mail_template_order_finalized",
}
#: Once the order is in one of these states, its "New order from the portal" to-do is done.
NEW_ORDER_DONE_STATES = (cs.ACCEPTED, cs.DISPATCHED, cs.FINALIZED, cs.CANCELED)
NEW_ORDER_ACTIVITY = "print_change_request.mail_activity_type_new_order"
#: The refund question's buttons cancel through ``action_cancel`` with this very object in
#: the context (``print_cancel_answered``): no RPC call can send it (JSON has no such value),
#: so a paid order canceled over RPC always asks first.
_ANSWERED = object()


@dataclass
class ChangeRequestResult:
    """What ``print.order._send_change_request`` did: the requests sent, the refunds made,
    and the authorized payments ``(released, left to the accountants, failed)``."""

    requests: object
    refunds: object
    releases: tuple


@dataclass
class DueCaptureResult:
    """What ``print.order._print_capture_due`` did: the payments captured and released, the
    reasons of the captures that failed, and the texts of the authorizations released because
    they were more than what was due."""

    captured: object
    released: object
    reasons: list
    too_large_texts: list


class PrintOrder(models.Model):
    """A print order: the customer's jobs, and the operator's workflow on them (accept,
    request changes, go on without the customer, dispatch, finalize, cancel).

    - Money: what is due, received, authorized and refunded; payments authorized for manual
      capture ("Capture Amount Manually" on the provider) are captured when the shop accepts
      the order, and released instead of refunded by a request for change or a cancellation;
      canceling an order that holds the customer's money asks the refund question first
      (``print.order.cancel.wizard``), nothing is kept silently.
    - The order's amounts, taxes included, computed with Odoo's tax helpers as ``sale.order``
      does, and the prices of its jobs (:mod:`lib.pricing` with the customer's pricelist);
      its invoices.
    - Orders from the portal: the drafts a customer fills, their submission, and the operator
      who takes them (round robin, live notification).
    - The customer and the shop talk on the order: the customer's own words are posted in
      their name, the shop's confirmations and status e-mails in the shop's (the order's
      responsible, or the company) and to the customer only, all on the order's chatter the
      portal shows.
    - The preflight state of the job that needs the most attention; the files with errors
      the operator is warned of before going ahead."""

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
    _protected_fields = PROTECTED_FIELDS | CAPTURE_PROTECTED_FIELDS
    _check_company_auto = True
    _sequence_code = "print.order"

    # === FIELDS === #

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

    fiscal_position_id = fields.Many2one(
        comodel_name="account.fiscal.position",
        compute="_compute_fiscal_position_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        help="Maps the products' taxes for this customer (from the customer, as on invoices).",
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

    # The jobs; the order's states follow theirs.

    job_ids = fields.One2many(
        comodel_name="print.job",
        inverse_name="order_id",
        string="Jobs",
        copy=True,
    )

    job_count = fields.Integer(compute="_compute_job_count")

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

    preflight_state = fields.Selection(
        selection=preflight.STATES,
        string="Preflight",
        compute="_compute_preflight_state",
        store=True,
        index=True,
        help="The worst preflight state of the order's jobs.",
    )

    job_change_ids = fields.One2many(
        comodel_name="print.job.change",
        inverse_name="order_id",
        string="Customer's changes",
        readonly=True,
        help="Files added, replaced or removed and job-ticket changes, by the customer or on "
        "their behalf; replaced files stay here.",
    )

    # Requests for change, the customer's answer, and going ahead without it.

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

    date_customer_wait_skipped = fields.Datetime(
        string="Went ahead without the customer on",
        readonly=True,
        copy=False,
        help='When the operator chose "I do not wait for the response of the customer.": '
        "the order went ahead as it was.",
    )

    error_file_confirmed_ids = fields.Many2many(
        comodel_name="ir.attachment",
        relation="print_order_error_file_confirmed_rel",
        column1="order_id",
        column2="attachment_id",
        string="Files with errors gone ahead with",
        readonly=True,
        copy=False,
        help="Files in which the preflight found errors, that an operator confirmed going "
        "ahead with (the dialog before Accept or before going on without the customer).",
    )

    # Amounts, taxes included.

    amount_untaxed = fields.Monetary(
        string="Untaxed Amount", compute="_compute_amounts", store=True, tracking=39
    )

    amount_tax = fields.Monetary(string="Taxes", compute="_compute_amounts", store=True)

    amount_total = fields.Monetary(
        string="Total",
        compute="_compute_amounts",
        store=True,
        tracking=40,
    )

    tax_totals = fields.Binary(compute="_compute_tax_totals", exportable=False)

    # Payments (authorized ones included) and refunds.

    transaction_ids = fields.Many2many(
        comodel_name="payment.transaction",
        relation="print_order_transaction_rel",
        column1="order_id",
        column2="transaction_id",
        string="Transactions",
        readonly=True,
        copy=False,
    )

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

    amount_authorized = fields.Monetary(
        string="Authorized",
        compute="_compute_amount_authorized",
        store=True,
        help="Payments the customer authorized that are not captured yet: the money is "
        "taken when the order is accepted.",
    )

    is_payment_authorized = fields.Boolean(
        string="Payment authorized",
        compute="_compute_amount_authorized",
        store=True,
        tracking=55,
        help="The customer's payment is authorized, not captured yet: Accept captures it.",
    )

    payment_capture_failure = fields.Char(
        string="Capture failed",
        readonly=True,
        copy=False,
        groups="base.group_user",  # the provider's own words: not for the customer
        help="Why the last capture of an authorized payment failed at Accept.",
    )

    refund_ids = fields.One2many(
        comodel_name="print.refund",
        inverse_name="order_id",
        string="Refunds",
        readonly=True,
        copy=False,
    )

    refund_count = fields.Integer(compute="_compute_refund_count")

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

    # Invoices.

    invoice_ids = fields.One2many(
        comodel_name="account.move",
        inverse_name="print_order_id",
        string="Invoices",
        readonly=True,
        copy=False,
    )

    invoice_count = fields.Integer(compute="_compute_invoice_count")

    # Orders from the portal.

    # A draft is the customer's until submitted: operators' lists leave it out (the action's
    # domain), and it becomes New with its submission date when the customer submits it.
    portal_draft = fields.Boolean(
        string="Draft from the portal",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The customer is still filling this order in the portal: it is not submitted yet.",
    )

    portal_submitted = fields.Boolean(
        string="Submitted in the portal",
        readonly=True,
        copy=False,
        help="The customer placed this order in the portal.",
    )

    # What the customer typed on the order page and has not sent yet, and the files their last
    # post refused: the page shows them again after each of its buttons (a redirection), and
    # they are written with what the button did, in its transaction.  The customer's own
    # words before they send them: not the shop's to read.
    portal_form_draft = fields.Json(
        string="Typed in the portal, not sent yet",
        readonly=True,
        copy=False,
        groups="base.group_system",
        help="The order page's fields the customer typed and has not sent yet (their word for "
        "the print shop, the job they are adding), by the form's field names.",
    )

    portal_refused_files = fields.Json(
        string="Files refused at the customer's last post",
        readonly=True,
        copy=False,
        groups="base.group_system",
        help="The files the customer's last post of the order page refused, each with its job "
        "and why, while the other files of the post were stored.",
    )

    # Technical: what the e-mails speak of.

    mail_change_request_id = fields.Many2one(
        comodel_name="print.change.request",
        string="Request for change to e-mail",
        compute="_compute_mail_change_request_id",
        help="Technical: the request the change-request e-mails speak of.",
    )

    mail_refund_id = fields.Many2one(
        comodel_name="print.refund",
        string="Refund to e-mail",
        compute="_compute_mail_refund_id",
        help="Technical: the refund the refund e-mail speaks of.",
    )

    mail_transaction_id = fields.Many2one(
        comodel_name="payment.transaction",
        string="Payment to e-mail",
        compute="_compute_mail_transaction_id",
        help="Technical: the payment the payment e-mail speaks of.",
    )

    # === COMPUTE METHODS === #

    @api.depends("company_id")
    def _compute_currency_id(self):
        for order in self:
            order.currency_id = order.currency_id or order.company_id.currency_id

    @api.depends("partner_id", "company_id")
    def _compute_fiscal_position_id(self):
        cache = {}
        for order in self:
            if not order.partner_id:
                order.fiscal_position_id = False
                continue
            key = (order.company_id.id, order.partner_id.id)
            if key not in cache:
                cache[key] = (
                    self.env["account.fiscal.position"]
                    .with_company(order.company_id)
                    ._get_fiscal_position(order.partner_id)
                    .id
                )
            order.fiscal_position_id = cache[key]

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

    @api.depends("communication_state")
    def _compute_color(self):
        for order in self:
            order.color = cs.color(order.communication_state)

    def _group_expand_communication_state(self, states, domain):
        return [key for key, _label in COMMUNICATION_STATES]

    @api.depends("job_ids.preflight_state")
    def _compute_preflight_state(self):
        for order in self:
            states = set(order.job_ids.mapped("preflight_state"))
            order.preflight_state = next(
                (state for state in PREFLIGHT_PRECEDENCE if state in states), False
            )

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

    @api.depends(
        "job_ids.price_subtotal",
        "job_ids.price_total",
        "job_ids.communication_state",
        "currency_id",
    )
    def _compute_amounts(self):
        for order in self:
            totals = order._get_print_tax_totals()
            order.amount_untaxed = totals["base_amount_currency"]
            order.amount_tax = totals["tax_amount_currency"]
            order.amount_total = totals["total_amount_currency"]

    @api.depends(
        "job_ids.price_subtotal",
        "job_ids.price_total",
        "job_ids.communication_state",
        "currency_id",
    )
    def _compute_tax_totals(self):
        for order in self:
            order.tax_totals = order._get_print_tax_totals()

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

    @api.depends(
        "currency_id",
        "transaction_ids.state",
        "transaction_ids.amount",
        "transaction_ids.operation",
        "transaction_ids.print_release_state",
    )
    def _compute_amount_authorized(self):
        for order in self:
            order.amount_authorized = sum(
                order._to_order_currency(tx.amount, tx.currency_id)
                for tx in order._get_authorized_transactions()
            )
            order.is_payment_authorized = not order.currency_id.is_zero(order.amount_authorized)

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

    @api.depends("invoice_ids")
    def _compute_invoice_count(self):
        for order in self:
            order.invoice_count = len(order.invoice_ids)

    @api.depends("change_request_ids")
    @api.depends_context("print_change_request_id")
    def _compute_mail_change_request_id(self):
        request_id = self.env.context.get("print_change_request_id")
        for order in self:
            requested = order.change_request_ids.filtered(lambda request: request.id == request_id)
            order.mail_change_request_id = requested or order.last_change_request_id

    @api.depends("refund_ids.state")
    @api.depends_context("print_refund_id")
    def _compute_mail_refund_id(self):
        refund_id = self.env.context.get("print_refund_id")
        for order in self:
            refunds = order.sudo().refund_ids
            order.mail_refund_id = (
                refunds.filtered(lambda refund: refund.id == refund_id)
                or (
                    refunds.filtered(lambda refund: refund.state == "done").sorted("date_done")[
                        -1:
                    ]
                )
            )

    @api.depends("transaction_ids.state")
    @api.depends_context("print_transaction_id")
    def _compute_mail_transaction_id(self):
        tx_id = self.env.context.get("print_transaction_id")
        for order in self:
            txs = order.sudo().transaction_ids
            order.mail_transaction_id = (
                txs.filtered(lambda tx: tx.id == tx_id)
                or (txs._filter_print_paid().sorted("id")[-1:])
            )

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for order in self:
            order.access_url = f"/my/print_orders/{order.id}"
        return res

    # === CONSTRAINT METHODS === #

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
        if CAPTURE_PROTECTED_FIELDS & names:
            return self.env._(
                "%(fields)s of a print order cannot be written: they follow the payments.",
                fields=self._get_field_labels(CAPTURE_PROTECTED_FIELDS & names),
            )
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

    # === CRUD METHODS === #

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

    # === ACTION METHODS === #

    def action_accept(self):
        """Accept the orders: every live job must be ready, and paid when the shop says so.
        The customer's authorized payments are captured first.

        Asks first when an order waits for the customer ("I do not wait for the response of
        the customer.") or has files with errors not confirmed yet; when the shop requires
        payment and one order is not paid, opens the dialog that says why and offers the ways
        forward (payment link, invoice, or a manager's acceptance without payment).  A
        capture that fails does not accept its order: the same dialog says why (for one
        order; for several, the others are accepted and a notification names the failures)."""
        self._check_operator()
        self._lock_for_update()
        ask = self._check_acceptable()
        if ask:
            return ask
        authorized = self.filtered(lambda order: order._get_authorized_transactions())
        failures = authorized._capture_authorized_payments()
        if not failures:
            unpaid = self.filtered(lambda order: order._is_payment_missing())
            if unpaid:
                if len(self) == 1:
                    return self.env["print.order.unpaid.wizard"]._open_for(self)
                raise UserError(unpaid[0]._get_unpaid_message())
            self._get_live_jobs()._mark_accepted()
            return True
        if len(self) == 1:
            return self.env["print.order.unpaid.wizard"]._open_for(self)
        # The orders whose capture did not fail are accepted as above, unless one is not
        # paid: several, refused; a single one is not accepted and the notification says why.
        accepted = self - self.browse(list(failures))
        unpaid = accepted.filtered(lambda order: order._is_payment_missing())
        if unpaid and len(accepted) > 1:
            raise UserError(unpaid[0]._get_unpaid_message())
        lines = list(failures.values())
        if unpaid:
            lines.append(unpaid._get_unpaid_message())
        elif accepted:
            accepted._get_live_jobs()._mark_accepted()
        return notifications.notification(
            self.env._("Payment not captured"),
            lines,
            kind="warning",
            then=notifications.RELOAD,
        )

    def action_cancel(self):
        """Cancel the orders and all their jobs that are not canceled yet, then release their
        authorized payments: nothing is charged.

        When one holds the customer's payment, nothing is canceled yet: the refund question
        opens (its buttons cancel, see :meth:`_print_cancel_with_refunds`, which answers it
        through ``print_cancel_answered``).  Otherwise the customers whose authorized
        payments are released are told."""
        answered = self.env.context.get("print_cancel_answered") is _ANSWERED
        orders = self.with_context(print_cancel_answered=False) if answered else self
        orders._check_operator()
        orders._lock_for_update()
        orders._check_not_locked()
        authorized = orders.browse()
        held = {}
        if not answered:
            live = orders.filtered(lambda order: order.communication_state != cs.CANCELED)
            if live.filtered(lambda order: order._print_holds_paid_money()):
                return self.env["print.order.cancel.wizard"]._open_for(live)
            authorized = live.filtered(lambda order: order._get_authorized_transactions())
            if authorized:
                authorized._check_print_sender()
                held = {order.id: order._get_authorized_transactions() for order in authorized}
        orders._get_live_jobs()._mark_canceled()
        orders.filtered(
            lambda order: order._get_authorized_transactions()
        )._release_authorized_payments()
        authorized._print_tell_customer_canceled(held)
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
        was (:meth:`_go_ahead_without_customer`).

        The decision is recorded in the chatter; the customer can no longer send changes in
        the portal, the refunds not paid out yet are canceled and the customer is told."""
        self._check_operator()
        self._lock_for_update()
        waiting = self.filtered(lambda order: order._is_waiting_on_customer())
        if not waiting:
            raise UserError(self.env._("These orders are not waiting for the customer."))
        ask = waiting._get_error_files_action("continue")
        if ask:
            return ask
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
        return notifications.notification(
            self.env._("Resend the request for change"),
            message,
            kind=kind,
            sticky=sticky,
            then=notifications.RELOAD,
        )

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

    def action_preview(self):
        """Customer Preview: the order's portal page, as the customer sees it."""
        self.ensure_one()
        self._portal_ensure_token()
        return {"type": "ir.actions.act_url", "target": "self", "url": self.get_portal_url()}

    def action_view_change_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "print_change_request.print_change_request_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        return action

    def action_view_refunds(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "print_change_request.print_refund_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"create": False}
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

    # === BUSINESS METHODS - WORKFLOW === #

    def _get_live_jobs(self):
        """The orders' jobs that are not canceled."""
        return self.job_ids.filtered(lambda job: job.communication_state != cs.CANCELED)

    def _check_operator(self):
        """Every action on orders checks the caller itself (they write in sudo)."""
        if not self.env.su and not self.env.user.has_group(
            "print_change_request.group_print_operator"
        ):
            raise AccessError(
                self.env._("Only print shop operators can change the state of print orders.")
            )

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

    def _get_acceptable_job_states(self):
        """Job states from which this order can be accepted.  Hook: extend to allow more."""
        self.ensure_one()
        if self.customer_wait_skipped:
            return (*cs.ACCEPTABLE, cs.CHANGE_REQUESTED)
        return cs.ACCEPTABLE

    def _check_acceptable(self):
        """Raise when an order cannot be accepted whatever its payment; return the "do not
        wait for the customer" dialog when one waits for the customer, the dialog naming
        the files with errors not confirmed yet, else False."""
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
        return self._get_error_files_action("accept")

    def _get_not_ready_message(self, jobs):
        """The error shown when ``jobs`` keep the order from being accepted."""
        self.ensure_one()
        labels = dict(self._fields["communication_state"]._description_selection(self.env))
        return self.env._(
            "Order %(order)s cannot be accepted yet: %(jobs)s.",
            order=self.name,
            jobs=", ".join(f"{job.name} ({labels[job.communication_state]})" for job in jobs),
        )

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

    def _accepts_job_changes(self):
        """Jobs may be added or removed only while the order is not accepted and not paid,
        and holds no authorized payment: that one holds the order's total as it was (a
        request for change releases it first)."""
        self.ensure_one()
        return (
            self.communication_state in cs.CHANGE_REQUESTABLE
            and not self.is_paid
            and not self.is_payment_authorized
        )

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

    def _print_jobs_moved(self, target, previous):
        """Jobs of these orders moved to ``target``; ``previous`` maps the orders' ids to
        their states before.  Orders that reached ``target`` now: the new-order to-do is
        done, the customer is told."""
        reached = self.filtered(
            lambda order: order.communication_state == target and previous.get(order.id) != target
        )
        if target in NEW_ORDER_DONE_STATES:
            reached._close_new_order_activities()
        if target in STATUS_TEMPLATES:
            reached._send_status_mail(target)

    def _close_new_order_activities(self):
        """Mark done the "New order from the portal" to-dos of the orders."""
        if not self:
            return
        self.sudo().activity_feedback(
            [NEW_ORDER_ACTIVITY],
            feedback=self.env._("Done: %s went on with the order.", self.env.user.name),
        )

    # === BUSINESS METHODS - REQUESTS FOR CHANGE === #

    def _send_change_request(
        self,
        files=(),
        ticket_job_ids=(),
        ticket_note=None,
        message=None,
        refund_method=None,
        release_method=None,
    ):
        """Ask the customers of these orders to change files and job tickets: one request
        per order, the jobs' states in one write, the refunds, then the e-mails.

        :param files: the files to change, a dict each: ``job_id``, ``attachment_id`` (a
            file of that job), ``reason_id`` (a ``print.change.reason``), ``note`` (what to
            fix; required when the reason says so) and optionally ``file_name`` (the name
            the customer reads, by default the file's).
        :param ticket_job_ids: ids of the jobs whose ticket must change, as ``ticket_note``
            says.
        :param message: the message to the customer.
        :param refund_method: for paid orders, "automatic" (through the provider), "manual"
            (by the accountants) or None (no refund).
        :param release_method: the same for payments only authorized; ``refund_method`` by
            default.
        :return: :class:`ChangeRequestResult`

        The caller is checked here (an operator, who may write these orders), then
        everything under the orders' row locks: a second operator on the same orders waits
        for the first one, and what the first one did (states, refunds) is read again."""
        self._check_change_request_caller()
        self._lock_for_update()
        files = self._check_change_request(
            files, ticket_job_ids, ticket_note, message, refund_method, release_method
        )
        Job = self.env["print.job"]
        tickets = Job.browse(ticket_job_ids)
        jobs = Job.browse(dict.fromkeys(vals["job_id"] for vals in files)) | tickets
        # Requests and refunds are records of what happened: written by Odoo, read by users.
        requests = (
            self.env["print.change.request"]
            .sudo()
            .create(
                [
                    {
                        "order_id": order.id,
                        "job_ids": [Command.set((jobs & order.job_ids).ids)],
                        "message": message,
                    }
                    for order in jobs.order_id
                ]
            )
            .sudo(False)
        )
        requests._insert_items(files, tickets, ticket_note)
        jobs._mark_change_requested()
        jobs.order_id.filtered("customer_wait_skipped").sudo().write(
            {"customer_wait_skipped": False}
        )
        refunds = requests.order_id._refund_for_change_requests(requests, refund_method)
        releases = requests.order_id._release_for_change_requests(
            requests, release_method or refund_method
        )
        requests._notify_customer()
        requests.order_id._send_change_request_mails_now(requests)
        return ChangeRequestResult(requests, refunds, releases)

    def _check_change_request_caller(self):
        """Only operators request changes, of orders they may write (their companies')."""
        self._check_operator()
        self.check_access("write")

    def _check_change_request(
        self, files, ticket_job_ids, ticket_note, message, refund_method=None, release_method=None
    ):
        """Refuse an empty or impossible request of :meth:`_send_change_request` with a
        message saying what to do; return ``files`` checked, each with its file's name."""
        self._check_change_request_caller()
        self._check_print_sender()
        if not files and not ticket_job_ids:
            raise UserError(
                self.env._(
                    "Select at least one file the customer must change, or a job ticket to "
                    "change, then click OK."
                )
            )
        if {refund_method, release_method} - {None, "automatic", "manual"}:
            raise UserError(
                self.env._("The payments are refunded or released automatically or by hand.")
            )
        files = self._prepare_change_request_files(files)
        self._check_change_request_reasons(files)
        if ticket_job_ids and not (ticket_note or "").strip():
            raise UserError(self.env._("Tell the customer what must change in the job ticket(s)."))
        self._check_change_request_jobs(files, ticket_job_ids)
        files = self._name_change_request_files(files)
        self._check_change_request_texts(files, ticket_note, message)
        return files

    @api.model
    def _prepare_change_request_files(self, files):
        """``files`` of :meth:`_send_change_request` as dicts of the items' columns."""
        return [
            {
                name: vals.get(name) or False
                for name in ("job_id", "attachment_id", "file_name", "reason_id", "note")
            }
            for vals in files
        ]

    def _check_change_request_texts(self, files, ticket_note, message):
        """The message and the notes stay under their lengths (``lib/text_limits.py``)."""
        if len(message or "") > text_limits.MESSAGE_MAX_LENGTH:
            raise ValidationError(
                self.env._(
                    "The message to the customer is too long (%(length)s characters): "
                    "keep it under %(max)s and put details in the notes of the files.",
                    length=len(message),
                    max=text_limits.MESSAGE_MAX_LENGTH,
                )
            )
        if len(ticket_note or "") > text_limits.NOTE_MAX_LENGTH:
            raise ValidationError(
                self.env._(
                    "The note on the job tickets is too long (%(length)s characters): "
                    "keep it under %(max)s.",
                    length=len(ticket_note),
                    max=text_limits.NOTE_MAX_LENGTH,
                )
            )
        for vals in files:
            if len(vals["note"] or "") > text_limits.NOTE_MAX_LENGTH:
                raise ValidationError(
                    self.env._(
                        "The note on %(file)s is too long (%(length)s characters): keep it "
                        "under %(max)s.",
                        file=vals["file_name"],
                        length=len(vals["note"]),
                        max=text_limits.NOTE_MAX_LENGTH,
                    )
                )

    @api.model
    def _check_change_request_reasons(self, files):
        """Each file to change has a reason, and the note its reason requires."""
        reasons = {
            reason.id: reason
            for reason in self.env["print.change.reason"]
            .browse({vals["reason_id"] for vals in files if vals["reason_id"]})
            .exists()
        }
        missing_reason = [vals for vals in files if vals["reason_id"] not in reasons]
        if missing_reason:
            raise UserError(
                self.env._(
                    "Give a reason for each file to change: %(files)s.",
                    files=", ".join(vals["file_name"] or "" for vals in missing_reason),
                )
            )
        missing_note = [
            vals
            for vals in files
            if reasons[vals["reason_id"]].note_required and not (vals["note"] or "").strip()
        ]
        if missing_note:
            raise UserError(
                self.env._(
                    "Say in the note what the customer must change for: %(files)s.",
                    files=", ".join(
                        f"{vals['file_name']} ({reasons[vals['reason_id']].name})"
                        for vals in missing_note
                    ),
                )
            )

    def _check_change_request_jobs(self, files, ticket_job_ids):
        """The files are their jobs' own, the jobs these orders' and still requestable."""
        Job = self.env["print.job"]
        file_jobs = Job.browse(dict.fromkeys(vals["job_id"] for vals in files))
        job_files = file_jobs._get_file_pairs()
        foreign = [
            vals for vals in files if (vals["job_id"], vals["attachment_id"]) not in job_files
        ]
        if foreign:
            raise UserError(
                self.env._(
                    "%(files)s is not a file of the job it is listed under: only the jobs' own "
                    "files can be asked to change.",
                    files=", ".join(vals["file_name"] or "" for vals in foreign),
                )
            )
        jobs = file_jobs | Job.browse(ticket_job_ids)
        if jobs - self.job_ids:
            raise UserError(
                self.env._(
                    "Only jobs of %(orders)s can be changed from this dialog.",
                    orders=", ".join(self.mapped("name")),
                )
            )
        jobs._check_change_requestable()

    @api.model
    def _name_change_request_files(self, files):
        """``files`` (checked: the jobs' own), each with its file's name when it has none."""
        unnamed = self.env["ir.attachment"].browse(
            vals["attachment_id"] for vals in files if not vals["file_name"]
        )
        if not unnamed:
            return files
        names = {attachment.id: attachment.name for attachment in unnamed}
        return [
            {**vals, "file_name": vals["file_name"] or names[vals["attachment_id"]]}
            for vals in files
        ]

    def _refund_for_change_requests(self, requests, method):
        """Refund the paid orders of ``requests``: ``method`` "automatic" through the
        provider, "manual" by the accountants, None not at all.  Returns the refunds."""
        Refund = self.env["print.refund"]
        refunds = Refund
        if method:
            for request in requests:
                refunds |= Refund._create_for_order(
                    request.order_id, request, automatic=method == "automatic"
                )
        refunds._send()
        return refunds

    def _release_for_change_requests(self, requests, method):
        """Release the authorized payments of these orders, those of ``requests``:
        ``method`` "automatic" through the provider, "manual" by the accountants, None not
        at all.  Returns ``(released, manual, failed)`` payments."""
        Transaction = self.env["payment.transaction"].sudo()
        if not method:
            return Transaction, Transaction, Transaction
        held = Transaction
        for order in self:
            held |= order._get_authorized_transactions()
        failed = self._release_authorized_payments(manual=method == "manual")
        requests._record_released_holds(held)  # the customer's e-mail and page say so
        manual = held if method == "manual" else Transaction
        return held - failed - manual, manual, failed

    # === BUSINESS METHODS - GOING AHEAD WITHOUT THE CUSTOMER === #

    @api.model
    def _split_refunds_going_ahead(self, refunds):
        """``(to cancel, staying)`` of ``refunds`` when an order goes ahead as it was: those
        not gone back to the customer that can still be called back (manual ones not paid
        out yet, failed ones) are canceled; those done or under way at the provider stay."""
        to_cancel = refunds.filtered(
            lambda refund: (
                refund_planning.allowed("cancel", refund.state, refund.method)
                and (refund.method == refund_planning.MANUAL or refund.state == "failed")
            )
        )
        staying = refunds.filtered(lambda refund: refund.state in ("draft", "pending", "done"))
        return to_cancel, staying - to_cancel

    def _get_not_waited_refunds(self):
        """The refunds to cancel of the requests not waited for."""
        refunds = self.change_request_ids.filtered(
            lambda request: request.state == "not_waited"
        ).refund_ids
        return self._split_refunds_going_ahead(refunds)[0]

    def _cancel_not_waited_refunds(self):
        """The order goes ahead as it was, so the customer keeps what they paid for it: the
        refunds not paid out yet are canceled (their accountant's to-do closed), under the
        money lock.  Call it after the requests are marked not waited for."""
        refunds = self.sudo().refund_ids
        if not refunds:
            return refunds
        refunds._lock_money(orders=self.sudo())
        refunds._check_credit_note_paid()  # a credit note paid meanwhile: that one is done
        to_cancel = self.sudo()._get_not_waited_refunds()
        posted = to_cancel.credit_note_id.filtered(
            lambda move: move.state == "posted" and move.payment_state == "not_paid"
        )
        if posted:
            posted.button_draft()
        to_cancel._set_canceled(
            self.env._(
                "%(user)s went ahead with the order as it was (I do not wait for the response "
                "of the customer.): the customer keeps their payment.",
                user=self.env.user.name,
            )
        )
        return to_cancel

    def _go_ahead_without_customer(self):
        """Record "I do not wait for the response of the customer." on orders waiting for
        the customer (the caller checked the operator and holds the orders' locks): the
        requests are not waited for any more, the portal no longer takes changes, the refunds
        not paid out are canceled, and the customer is told by the shop."""
        self.sudo().write(
            {"customer_wait_skipped": True, "date_customer_wait_skipped": fields.Datetime.now()}
        )
        requests = self.change_request_ids.filtered(lambda request: request.state == "waiting")
        requests._mark_not_waited()
        for order in self:
            canceled = order._cancel_not_waited_refunds()
            order.sudo().message_post(
                body=self.env._(
                    "I do not wait for the response of the customer. (%(user)s decided to go "
                    "on with the order as it was, without the customer's changes.)",
                    user=self.env.user.name,
                ),
                author_id=self.env.user.partner_id.id,
            )
            order._send_print_confirmation(
                "print_change_request.mail_template_went_ahead",
                request=(requests & order.change_request_ids)[:1] or None,
            )
            order.invalidate_recordset()
            if canceled:
                order.refund_ids.invalidate_recordset()
        return True

    def _get_went_ahead_values(self):
        """What the customer's page and e-mail say after the shop went ahead without their
        changes: the refunds canceled (the payment stays), those already sent or under way,
        and what is still to pay."""
        self.ensure_one()
        order = self.sudo()
        requests = order.change_request_ids.filtered(lambda r: r.state == "not_waited")
        refunds = requests.refund_ids
        return {
            "canceled_refunds": refunds.filtered(lambda refund: refund.state == "canceled"),
            "done_refunds": refunds.filtered(lambda refund: refund.state == "done"),
            "underway_refunds": refunds.filtered(
                lambda refund: refund.state in ("draft", "pending")
            ),
            "amount_due": order._get_amount_due(),
        }

    # === BUSINESS METHODS - FILES WITH ERRORS === #

    def _get_error_findings(self):
        """The preflight's errors in files of the orders' live jobs that no operator has
        confirmed going ahead with yet."""
        findings = self.sudo()._get_live_jobs().preflight_finding_ids
        return findings.filtered(
            lambda finding: (
                finding.severity == preflight.ERROR
                and finding.attachment_id
                and finding.attachment_id not in finding.job_id.order_id.error_file_confirmed_ids
            )
        )

    def _get_error_files_action(self, step, continue_wizard=None):
        """The dialog naming the files with errors, to confirm before ``step`` ("accept" or
        "continue": going on without the customer); False when there is none.
        ``continue_wizard``: the "do not wait" dialog to go on with once confirmed."""
        findings = self._get_error_findings()
        if not findings:
            return False
        return self.env["print.order.file.error.wizard"]._open_for(
            self, findings, step, continue_wizard
        )

    def _confirm_error_files(self, attachments):
        """The operator goes ahead with ``attachments`` although the preflight found errors
        in them: remembered on each order (not asked again) and written in its chatter."""
        for order in self:
            findings = order._get_error_findings().filtered(
                lambda finding: finding.attachment_id in attachments
            )
            if not findings:
                continue
            order.sudo().error_file_confirmed_ids = [
                fields.Command.link(attachment.id) for attachment in findings.attachment_id
            ]
            order.message_post(
                body=Markup("<p>%s</p><ul>%s</ul>")
                % (
                    self.env._(
                        "%(user)s went ahead although the preflight found errors in these files:",
                        user=self.env.user.name,
                    ),
                    Markup().join(
                        Markup("<li>%s</li>") % escape(line)
                        for line in self._get_error_file_lines(findings)
                    ),
                ),
                author_id=self.env.user.partner_id.id,
            )

    @api.model
    def _get_error_file_lines(self, findings):
        """One line per file of ``findings``: "Job / file.pdf: what the preflight found"."""
        lines = {}
        for finding in findings:
            key = (finding.job_id, finding.attachment_id)
            lines.setdefault(key, []).append(finding.message)
        return [
            self.env._(
                "%(job)s / %(file)s: %(errors)s",
                job=job.name,
                file=attachment.name,
                errors=" ".join(messages),
            )
            for (job, attachment), messages in lines.items()
        ]

    # === BUSINESS METHODS - PAYMENT === #

    def _get_amount_due(self, authorized=True):
        """What the customer still has to pay for the order: the total less what was paid
        and not refunded, rounded to the currency; nothing once the order is canceled.  The
        one rule for the order's page, the payment route, the invoice of the amount due, the
        unpaid dialog and the e-mails.

        An authorized payment is not paid, but not due again either: it is deducted; with
        ``authorized`` False, the authorized payments are not counted (see
        ``_get_amount_to_capture``)."""
        self.ensure_one()
        if self.communication_state == cs.CANCELED:
            return 0.0
        currency = self.currency_id
        due = self.amount_total - self.amount_paid
        if currency.compare_amounts(due, 0.0) <= 0:
            return 0.0
        due = currency.round(due)
        if not authorized:
            return due
        return max(due - self.amount_authorized, 0.0)

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
        message = " ".join(parts)
        if self.payment_capture_failure:
            # why the capture of an authorized payment failed at Accept, first
            return f"{self.payment_capture_failure} {message}"
        return message

    def _is_payment_missing(self):
        """True when the shop requires payment and this order is not paid."""
        self.ensure_one()
        return (
            self.company_id.print_payment_required
            and not float_is_zero(self.amount_total, precision_rounding=self.currency_id.rounding)
            and not self.is_paid
        )

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

    def _get_amount_received(self):
        """Money received for this order, in its currency: confirmed payment transactions,
        plus paid customer invoices that were not paid through one of those transactions."""
        self.ensure_one()
        total = 0.0
        done_txs = self.transaction_ids._filter_print_paid()
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
        transactions = self.sudo().transaction_ids._filter_print_paid()
        return [
            refund_planning.Source(
                key=tx.id,
                amount=tx.amount,
                refundable=refund_planning.refundable(tx.amount, committed.get(tx.id, [])),
                support=tx._get_print_refund_support(),
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

    # === BUSINESS METHODS - AUTHORIZED PAYMENTS: CAPTURE AND RELEASE === #

    def _get_authorized_transactions(self):
        """The order's payments authorized and still wanted (not being released)."""
        self.ensure_one()
        return self.sudo().transaction_ids.filtered(
            lambda tx: tx._print_is_authorized_payment() and not tx.print_release_state
        )

    def _capture_authorized_payments(self):
        """Capture, under the money lock, what each order is due from its authorized payments
        and release the others (``_print_capture_due``); returns ``{order id: why not}`` for
        the orders whose capture failed."""
        failures = {}
        for order in self:
            result = order._print_capture_due()
            order.sudo().payment_capture_failure = (
                " ".join(result.reasons + result.too_large_texts) or False
            )
            if result.reasons:
                failures[order.id] = order.payment_capture_failure
                order.message_post(
                    body=self.env._(
                        "The order was not accepted: %s", order.payment_capture_failure
                    ),
                    author_id=order._get_print_system_author().id,
                )
        return failures

    def _get_amount_to_capture(self):
        """What the order still has to receive, its authorized payments not counted: at most
        this much is captured from them (the order's amount due, as if nothing were
        authorized)."""
        return self._get_amount_due(authorized=False)

    def _print_capture_due(self):
        """Capture, under the money lock, no more than the order is due from its authorized
        payments, whole, the oldest first (``authorization.plan_due_captures``), and release
        the others: the customer is charged once.  A capture that fails is not tried again
        now; another authorization is captured instead when one fits, unless the provider
        may have captured it all the same (``print_capture_unknown``): then nothing else is
        captured or released until the provider is read again."""
        self.ensure_one()
        self._print_lock_money(self._get_authorized_transactions())
        Transaction = self.env["payment.transaction"].sudo()
        result = DueCaptureResult(Transaction, Transaction, [], [])
        failed = Transaction
        while True:
            plan = self._print_plan_due_captures(failed)
            newly_failed = Transaction
            for tx in Transaction.browse(plan.capture):
                reason = tx._print_capture()
                if reason:
                    result.reasons.append(reason)
                    newly_failed |= tx
                else:
                    result.captured |= tx
            if newly_failed.filtered("print_capture_unknown"):
                result.reasons.append(
                    self.env._(
                        "Nothing else of the order was captured or released: the provider may "
                        "have captured %(payments)s; Odoo reads it again at the next Accept "
                        "and every hour.",
                        payments=", ".join(
                            newly_failed.filtered("print_capture_unknown").mapped("reference")
                        ),
                    )
                )
                return result
            if not newly_failed:
                break
            failed |= newly_failed
        amount_due = self._get_amount_to_capture()
        if result.reasons and self.currency_id.is_zero(amount_due):
            # the order's amount due was captured from another authorization after all
            self.message_post(
                body=" ".join(result.reasons), author_id=self._get_print_system_author().id
            )
            result.reasons.clear()
        due = self.currency_id.format(amount_due)
        for tx in Transaction.browse(plan.release):
            if tx._print_release() or tx.state != "cancel":
                # "Release failed" (a to-do, the hourly follow-up tries again), or captured
                # at the provider meanwhile (followed: the overpayment is flagged)
                continue
            result.released |= tx
            if tx.id in plan.too_large:
                result.too_large_texts.append(tx._print_released_too_large(self, due))
            else:
                tx._print_released_beyond_due(self)
        return result

    def _print_plan_due_captures(self, failed):
        """The plan of ``_print_capture_due`` for the order's authorized payments now."""
        self.ensure_one()
        transactions = self._get_authorized_transactions().sorted(
            lambda tx: (tx.last_state_change or tx.create_date, tx.id)
        )
        return authorization.plan_due_captures(
            self._get_amount_to_capture(),
            [(tx.id, self._to_order_currency(tx.amount, tx.currency_id)) for tx in transactions],
            failed=failed.ids,
            digits=self.currency_id.decimal_places,
        )

    def _release_authorized_payments(self, manual=False):
        """Release (void) every authorized payment of the orders, under the money lock;
        ``manual`` leaves it to the accountants (a to-do).  Returns the payments whose
        release failed (they have a to-do and are tried again every hour)."""
        failed = self.env["payment.transaction"]
        for order in self:
            transactions = order._get_authorized_transactions()
            if not transactions:
                continue
            order._print_lock_money(transactions)
            for tx in order._get_authorized_transactions():
                if tx._print_release(manual=manual):
                    failed |= tx
        return failed

    def _print_lock_money(self, transactions):
        """The refunds' money lock (orders and payments, touched): one money decision at a
        time, on what was committed last."""
        self.env["print.refund"]._lock_money(orders=self, transactions=transactions)

    def _print_schedule_money_todo(self, summary, note, user=None):
        """A to-do for ``user``, by default whoever handles the order's money by hand (the
        refunds' user); it replaces an open one of the same summary."""
        self.ensure_one()
        user = user or self.company_id.print_refund_user_id or self.user_id or self.env.user
        existing = self.sudo().activity_ids.filtered(lambda act: act.summary == summary)
        existing.unlink()
        self.sudo().activity_schedule(
            "mail.mail_activity_data_todo", summary=summary, note=note, user_id=user.id
        )

    def _print_close_money_todo(self, reference, feedback):
        """Mark done the order's to-dos about payment ``reference``."""
        self.ensure_one()
        self.sudo().activity_ids.filtered(
            lambda act: reference in (act.summary or "")
        ).action_feedback(feedback=feedback)

    def _print_authorization_lost(self, tx):
        """The authorization ``tx`` ended without capture (expired, canceled at the
        provider): the order is not paid; a live order's customer is asked to pay again,
        unless another authorization or payment covers what is due."""
        for order in self.sudo():
            order._print_close_money_todo(
                tx.reference, self.env._("The authorization %s ended.", tx.reference)
            )
            if order.communication_state == cs.CANCELED or order.currency_id.is_zero(
                order._get_amount_due()
            ):
                continue
            order.with_context(print_notify_customer_only=True).message_post(
                body=self.env._(
                    "The authorization of your payment %(payment)s for order %(order)s ended "
                    "before the order was accepted: nothing was charged. Please pay the order "
                    "again from its page.",
                    payment=tx.reference,
                    order=order.name,
                ),
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                author_id=order._get_print_shop_author().id,
                partner_ids=order.partner_id.ids,
            )

    def _get_released_holds(self):
        """What the last request for change did to the customer's authorized payments:
        ``{"released": payments voided, "releasing": payments being released}``."""
        self.ensure_one()
        return self.sudo().last_change_request_id._get_released_holds()

    @api.model
    def _cron_follow_up_authorizations(self):
        """Follow the provider for every authorized payment of print orders (captured or
        canceled in the provider's dashboard, e.g. Stripe's, expired), release again those
        whose release failed, and act on authorizations about to expire: a to-do for the
        responsible, or, when the shop says so, the capture.

        A provider's own errors reach here as :class:`UserError` (its glue module converts
        them); a payment whose row is held is left for the next run."""
        params = self.env["ir.config_parameter"].sudo()
        days = int(
            params.get_param(AUTHORIZATION_DAYS_PARAM, authorization.DEFAULT_AUTHORIZATION_DAYS)
        )
        hours = int(
            params.get_param(AUTHORIZATION_WARNING_PARAM, authorization.DEFAULT_WARNING_HOURS)
        )
        transactions = (
            self.env["payment.transaction"]
            .sudo()
            .search(
                [
                    ("state", "=", "authorized"),
                    ("operation", "not in", ("refund", "validation")),
                    ("print_order_ids", "!=", False),
                ],
                order="last_state_change, id",
                limit=500,
            )
        )
        now = fields.Datetime.now()
        for tx in transactions:
            with left_for_next_run(
                self.env.cr, _logger, "Payment %s: authorization not followed now: %s", tx.id
            ):
                tx.print_order_ids._print_lock_money(tx)
                if tx.state != "authorized":
                    continue
                tx._print_follow_up_authorization(now, days, hours)

    # === BUSINESS METHODS - CANCEL === #

    def _print_holds_paid_money(self):
        """True when the customer paid this order and was not refunded (money decided,
        under way or given back counts as refunded): canceling it gives that back."""
        self.ensure_one()
        return not self.currency_id.is_zero(self.amount_paid)

    def _print_cancel_with_refunds(self, refund_method):
        """Cancel the orders and give back what the customer paid: ``refund_method``
        "automatic" through the payment provider (by hand where it cannot), "manual" by the
        accountants (a to-do); authorized payments are released the same way.  Then tell the
        customer.  Returns the operator's notification.

        Under the orders' row locks, on what was committed last: an order canceled meanwhile
        (a second click, another operator) is left as it is, and nothing is refunded twice
        (the refunds are planned from what is still paid, ``amount_paid``)."""
        if refund_method not in (refund_planning.AUTOMATIC, refund_planning.MANUAL):
            raise ValueError(refund_method)
        self._check_operator()
        self._lock_for_update()
        live = self.filtered(lambda order: order.communication_state != cs.CANCELED)
        if not live:
            return self._print_cancel_notification(self.env["print.refund"], {}, done=self)
        live._check_not_locked()
        holding = live.filtered(
            lambda order: order._print_holds_paid_money() or order._get_authorized_transactions()
        )
        holding._check_print_sender()
        automatic = refund_method == refund_planning.AUTOMATIC
        held = {order.id: order._get_authorized_transactions() for order in holding}
        if not automatic:  # before the cancel releases them through the provider
            holding._release_authorized_payments(manual=True)
        live.with_context(print_cancel_answered=_ANSWERED).action_cancel()
        Refund = self.env["print.refund"]
        refunds = Refund
        for order in holding.filtered(lambda order: order._print_holds_paid_money()):
            refunds |= order._print_create_cancel_refunds(automatic)
        refunds._send()
        holding._print_tell_customer_canceled(held)
        return self._print_cancel_notification(refunds, held, done=self - live)

    def _print_create_cancel_refunds(self, automatic):
        """The refunds giving back what the customer paid for this canceled order (the
        caller holds its lock and checked the operator): as for a request for change
        (``print.refund._create_for_order``), without a request.  Failed refunds of the order
        are replaced first: the new refunds give their money back."""
        self.ensure_one()
        failed = self.sudo().refund_ids.filtered(lambda refund: refund.state == "failed")
        failed._set_canceled(
            self.env._(
                "Replaced by the refund of the canceled order %(order)s, which gives the money "
                "back.",
                order=self.name,
            )
        )
        refunds = self.env["print.refund"]._create_for_order(
            self, self.env["print.change.request"], automatic=automatic
        )
        for refund in refunds:
            refund._post_on_order(
                body=self.env._(
                    "Order canceled: refund %(refund)s of %(amount)s to the customer (%(how)s).",
                    refund=refund.name,
                    amount=refund._amount_label(),
                    how=self.env._("automatic")
                    if refund.method == refund_planning.AUTOMATIC
                    else self.env._("by hand, by the accountants"),
                )
            )
        return refunds

    def _print_tell_customer_canceled(self, held):
        """E-mail the customers of the canceled orders what happens to their money (the
        template "Print Shop: order canceled"); ``held``: ``{order id: payments that were
        authorized}``."""
        for order in self:
            order._send_print_confirmation(
                "print_change_request.mail_template_order_canceled",
                render_context={"print_canceled_tx_ids": held.get(order.id, order.browse()).ids},
            )

    def _get_print_cancel_money_values(self):
        """What the customer's page and e-mail say of the money of a canceled order: the
        refunds done, those on their way (a failed automatic one is made by hand), the
        authorizations released and those still being released.  Amounts in the order's
        currency."""
        self.ensure_one()
        order = self.sudo()
        refunds = order.refund_ids
        done = refunds.filtered(lambda refund: refund.state == "done")
        underway = refunds.filtered(lambda refund: refund.state in ("draft", "pending", "failed"))
        held = order.transaction_ids.browse(self.env.context.get("print_canceled_tx_ids") or [])
        payments = order.transaction_ids.filtered(
            lambda tx: tx.operation not in ("refund", "validation") and tx.amount > 0
        )
        releasing = payments.filtered(
            lambda tx: tx.state == "authorized" and tx.print_release_state
        )
        released = (held | payments.filtered(lambda tx: tx.provider_id.capture_manually)).filtered(
            lambda tx: tx.state == "cancel"
        )

        def total(records):
            return sum(order._to_order_currency(rec.amount, rec.currency_id) for rec in records)

        return {
            "amount_refunded": total(done),
            "amount_refunding": total(underway),
            "amount_released": total(released),
            "amount_releasing": total(releasing),
            "refunding_by_hand": bool(
                underway.filtered(lambda refund: refund.method == refund_planning.MANUAL)
            ),
        }

    def _print_cancel_notification(self, refunds, held, done):
        """What the operator reads once the orders are canceled: each refund and release;
        ``done``: the orders someone else had canceled already (nothing was done to them)."""
        lines = []
        if done:
            lines.append(
                self.env._(
                    "%(orders)s was already canceled: nothing more was done.",
                    orders=", ".join(done.mapped("name")),
                )
            )
        canceled = self - done
        if canceled:
            lines.append(
                self.env._("Order %(orders)s canceled.", orders=", ".join(canceled.mapped("name")))
            )
        failed = refunds.filtered(lambda refund: refund.state == "failed")
        for refund in refunds - failed:
            lines.append(
                self.env._(
                    "Refund %(refund)s of %(amount)s: %(state)s.",
                    refund=refund.name,
                    amount=refund._amount_label(),
                    state=refund._state_label()
                    if refund.method == refund_planning.AUTOMATIC
                    else self.env._("to be made by hand by the accountants"),
                )
            )
        for refund in failed:
            lines.append(
                self.env._(
                    "The automatic refund %(refund)s failed: %(reason)s The accountants have a "
                    "to-do to refund the customer by hand.",
                    refund=refund.name,
                    reason=refund.failure_reason,
                )
            )
        for tx in (self.env["payment.transaction"].sudo().union(*held.values())).sudo():
            if tx.state == "cancel":
                lines.append(
                    self.env._(
                        "The authorized payment %(payment)s was released: nothing was charged.",
                        payment=tx.reference,
                    )
                )
            elif tx.print_release_state == "manual":
                lines.append(
                    self.env._(
                        "The authorized payment %(payment)s is to be released by the "
                        "accountants (a to-do): nothing was charged.",
                        payment=tx.reference,
                    )
                )
            elif tx.print_release_state == "failed":
                lines.append(
                    self.env._(
                        "The release of the authorized payment %(payment)s failed: the "
                        "accountants have a to-do, and Odoo tries again every hour.",
                        payment=tx.reference,
                    )
                )
        problem = failed or any(
            tx.print_release_state == "failed" for txs in held.values() for tx in txs
        )
        return notifications.notification(
            self.env._("Order canceled"),
            lines,
            kind="warning" if problem else ("info" if not canceled else "success"),
            sticky=bool(problem),
            then=notifications.CLOSE,
        )

    # === BUSINESS METHODS - INVOICING === #

    def _get_open_invoices(self, drafts=False):
        """The order's customer invoices that wait for payment: the posted ones, and with
        ``drafts`` the drafts too (an invoice being prepared is open as well)."""
        self.ensure_one()
        states = ("draft", "posted") if drafts else ("posted",)
        return self.sudo().invoice_ids.filtered(
            lambda move: (
                move.move_type == "out_invoice"
                and move.state in states
                and move.payment_state in ("not_paid", "partial")
            )
        )

    def _get_invoice_for_payment(self):
        """The invoice the customer pays the amount due with: the open one, or a new posted
        invoice of the live jobs (less what was paid already).  Needs invoicing rights."""
        self.ensure_one()
        invoice = self._get_open_invoices()[-1:].sudo(False)
        if invoice:
            return invoice
        invoice = self._build_print_invoice(paid=self.amount_paid)
        invoice.action_post()
        self.message_post(
            body=self.env._(
                "Invoice %(invoice)s created for the amount due.", invoice=invoice.name
            )
        )
        return invoice

    def _check_can_invoice(self):
        self.ensure_one()
        if self.communication_state == cs.CANCELED:
            raise UserError(
                self.env._(
                    "Order %(order)s is canceled: there is nothing to invoice.", order=self.name
                )
            )
        open_invoices = self._get_open_invoices(drafts=True)
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

    def _build_print_invoice(self, paid=0.0):
        """The one builder of the order's invoices: a draft customer invoice of the live
        jobs, less ``paid`` (taxes included) that the order was paid before, with a link to
        the portal; its total is the order's total less ``paid``, to the cent.  Created as
        the caller: Odoo's invoicing rights apply (the order in sudo for a payment)."""
        self.ensure_one()
        currency = self.currency_id
        line_vals = self._prepare_print_invoice_line_vals()
        paid = currency.round(paid)
        if currency.compare_amounts(paid, 0.0) > 0:
            line_vals += self._prepare_already_paid_line_vals(line_vals, paid)
        else:
            paid = 0.0
        invoice = self.env["account.move"].create(self._prepare_print_invoice_vals(line_vals))
        invoice._round_to_total(self.amount_total - paid)
        invoice._portal_ensure_token()
        return invoice

    def _get_uninvoiced_payment_transactions(self):
        """Done online payments of the order that no invoice covers yet."""
        self.ensure_one()
        return (
            self.sudo()
            .transaction_ids._filter_print_paid()
            .filtered(lambda tx: not tx.invoice_ids)
        )

    def _create_print_invoice(self):
        """Create and post the order's invoice as the caller (Odoo's invoicing rights apply),
        then link and reconcile the order's payments that no invoice covers yet."""
        self.ensure_one()
        self._check_can_invoice()
        invoice = self._build_print_invoice()
        invoice.action_post()
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
        paid = tx.currency_id._convert(tx.amount, self.currency_id, self.company_id)
        # The order's amount paid already counts this (done) transaction.
        invoice = self.sudo()._build_print_invoice(paid=self.amount_paid - paid)
        self.message_post(
            body=self.env._(
                "Invoice %(invoice)s created for the online payment %(payment)s.",
                invoice=invoice._get_html_link(),
                payment=tx.reference,
            )
        )
        return invoice

    # === BUSINESS METHODS - PRICES AND TAXES === #

    def _get_print_tax_totals(self, quoted_job=None, quoted_lines=None):
        """Odoo's tax totals (``account.tax._get_tax_totals_summary``) of the live jobs.

        For a quote, ``quoted_lines`` (from :meth:`_get_print_price_lines`) replace the lines
        of ``quoted_job`` (or are added, for a job not created yet)."""
        self.ensure_one()
        AccountTax = self.env["account.tax"]
        base_lines = []
        for job in self._get_live_jobs().filtered("id"):  # not a job being made (new())
            if quoted_job is not None and job == quoted_job:
                continue
            base_lines += job._get_price_base_lines()
        if quoted_lines is not None:
            base_lines += self._get_print_base_lines(quoted_lines)
        AccountTax._add_tax_details_in_base_lines(base_lines, self.company_id)
        AccountTax._round_base_lines_tax_details(base_lines, self.company_id)
        return AccountTax._get_tax_totals_summary(
            base_lines=base_lines,
            currency=self.currency_id or self.company_id.currency_id,
            company=self.company_id,
        )

    def _get_print_base_lines(self, price_lines, record=None):
        """``price_lines`` as ``account.tax`` base lines."""
        self.ensure_one()
        AccountTax = self.env["account.tax"]
        currency = self.currency_id or self.company_id.currency_id
        return [
            AccountTax._prepare_base_line_for_taxes_computation(
                record if record is not None else {},
                product_id=line["product"],
                tax_ids=line["taxes"],
                price_unit=line["price_unit"],
                quantity=line["quantity"],
                currency_id=currency,
                partner_id=self.partner_id,
            )
            for line in price_lines
        ]

    def _get_print_price_lines(self, name, breakdown, products, taxes):
        """A job's lines at the shop's price: one per component that costs something, the
        media always (see :meth:`print.job._get_price_lines`)."""
        self.ensure_one()
        ticket = breakdown.ticket
        labels = {
            pricing.MEDIA: self.env._("%(sheets)s sheet per copy", sheets=ticket.sheets)
            if ticket.sheets == 1
            else self.env._("%(sheets)s sheets per copy", sheets=ticket.sheets),
            pricing.PRINTING: self.env._("%(pages)s page per copy", pages=ticket.counted_pages)
            if ticket.counted_pages == 1
            else self.env._("%(pages)s pages per copy", pages=ticket.counted_pages),
            pricing.FINISHING: "",
        }
        lines = []
        for component, price in breakdown.components():
            if component != pricing.MEDIA and not price:
                continue
            product = products[component]
            detail = ", ".join(
                part
                for part in (product.display_name if product else "", labels[component])
                if part
            )
            lines.append(
                {
                    "component": component,
                    "name": f"{name}: {detail}" if detail else name,
                    "product": product,
                    "quantity": ticket.copies,
                    "price_unit": price,
                    "taxes": taxes[component],
                }
            )
        return lines

    def _get_print_pricelist(self):
        self.ensure_one()
        return self.partner_id.with_company(self.company_id).property_product_pricelist

    def _get_print_taxes(self, product):
        """``product``'s sales taxes in the order's company, mapped by its fiscal position."""
        self.ensure_one()
        if not product:
            return self.env["account.tax"]
        taxes = product.sudo().taxes_id._filter_taxes_by_company(self.company_id)
        return self.fiscal_position_id.map_tax(taxes)

    def _get_print_unit_price(self, product, quantity):
        """The price of one unit of ``product`` for this customer when the job uses
        ``quantity`` of it: their pricelist's (quantity breaks included), adapted to the taxes
        of their fiscal position when the product's taxes are included in its price."""
        self.ensure_one()
        if not product:
            return 0.0
        company = self.company_id
        product = product.sudo().with_company(company)
        currency = self.currency_id or company.currency_id
        today = fields.Date.context_today(self)
        pricelist = self._get_print_pricelist().sudo()
        if pricelist:
            price = pricelist._get_product_price(
                product, quantity or 1.0, currency=currency, date=today
            )
        else:
            price = product.currency_id._convert(product.lst_price, currency, company, today)
        return product._get_tax_included_unit_price_from_price(
            price,
            product_taxes=product.taxes_id._filter_taxes_by_company(company),
            fiscal_position=self.fiscal_position_id,
        )

    def _get_print_quote(self, product, ticket):
        """A job's price for ``ticket`` (a :class:`lib.pricing.Ticket`) on ``product``: its
        ``breakdown`` and the ``products`` and ``taxes`` of each component.  Writes nothing."""
        self.ensure_one()
        company = self.company_id
        Product = self.env["product.product"]
        products = {
            pricing.MEDIA: product or Product,
            pricing.PRINTING: company.sudo()._get_print_page_product(ticket.color_mode),
            pricing.FINISHING: (
                company.sudo()._get_print_finishing_product(ticket.finishing)
                if ticket.has_finishing
                else Product
            ),
        }
        quantities = pricing.quantities(ticket)
        unit = {
            component: self._get_print_unit_price(products[component], quantities[component])
            for component in pricing.COMPONENTS
        }
        digits = self.env["decimal.precision"].precision_get("Product Price")
        breakdown = pricing.breakdown(
            ticket,
            pricing.UnitPrices(
                sheet=unit[pricing.MEDIA],
                page=unit[pricing.PRINTING],
                finishing=unit[pricing.FINISHING],
            ),
            round_price=lambda value: float_round(value, precision_digits=digits),
        )
        return {
            "breakdown": breakdown,
            "products": products,
            "taxes": {
                component: self._get_print_taxes(products[component])
                for component in pricing.COMPONENTS
            },
        }

    def _get_portal_price_quote(self, job, values):
        """The price the customer sees while filling a ticket: ``job`` (or a job not created
        yet, when ``job`` is empty) with the ticket ``values`` (from
        ``print.job._parse_ticket_values``) instead of its own, and the order's totals with
        it.  Computes only: writes nothing.

        An operator's price per copy set by hand holds while the media stays the same.

        Without ``values`` (nothing being edited) a stored job shows its stored price and the
        order's stored totals (:meth:`_get_portal_price_stored`): a page of N jobs then
        computes no order totals per job."""
        self.ensure_one()
        if not values and job and job.id and job.communication_state != cs.CANCELED:
            return self._get_portal_price_stored(job)
        AccountTax = self.env["account.tax"]
        Product = self.env["product.product"]
        if job:
            changed = "product_id" in values and values["product_id"] != job.product_id.id
            ticket = job._get_pricing_ticket(**values)
            product = Product.browse(values.get("product_id", job.product_id.id))
            pages_counted = bool(job.preflight_page_count)
            name = job.name
        else:
            changed = True
            ticket = pricing.Ticket(
                pages=0,
                copies=values.get("copies", 1),
                color_mode=values.get("color_mode", pricing.COLOR),
                sides=values.get("sides", pricing.ONE_SIDED),
                finishing=values.get("finishing", pricing.NO_FINISHING),
            )
            product = Product.browse(values.get("product_id") or [])
            pages_counted = False
            name = self.env._("New job")
        quote = self._get_print_quote(product, ticket)
        breakdown = quote["breakdown"]
        manual = bool(job) and job.price_manual and not changed
        if manual:
            lines = [
                {
                    "name": job.name,
                    "product": job.product_id,
                    "quantity": ticket.copies,
                    "price_unit": job.price_unit,
                    "taxes": job.tax_ids,
                }
            ]
            unit = job.price_unit
        else:
            lines = self._get_print_price_lines(name, breakdown, quote["products"], quote["taxes"])
            unit = breakdown.unit
        base_lines = self._get_print_base_lines(lines)
        AccountTax._add_tax_details_in_base_lines(base_lines, self.company_id)
        job_untaxed = sum(
            line["tax_details"]["raw_total_excluded_currency"] for line in base_lines
        )
        job_total = sum(line["tax_details"]["raw_total_included_currency"] for line in base_lines)
        totals = self._get_print_tax_totals(quoted_job=job or None, quoted_lines=lines)
        return self._get_portal_price_values(
            ticket,
            pages_counted=pages_counted,
            manual=manual,
            components=breakdown,
            unit=unit,
            job_amounts=(job_untaxed, job_total),
            order_amounts=(
                totals["base_amount_currency"],
                totals["tax_amount_currency"],
                totals["total_amount_currency"],
            ),
        )

    def _get_portal_price_quotes(self, jobs):
        """The price blocks of the order page's ``jobs``, nothing being edited:
        ``{job id: quote}`` (see :meth:`_get_portal_price_stored`); each amount is formatted
        once for all the jobs (the order's totals are the same in every block)."""
        self.ensure_one()
        texts = {}
        return {
            job.id: self._get_portal_price_stored(job, texts=texts)
            for job in jobs
            if job.id and job.communication_state != cs.CANCELED
        }

    def _get_portal_price_stored(self, job, texts=None):
        """The price block of ``job`` as it is stored, nothing being edited: its stored prices
        and the order's stored totals (``amount_*``, computed when a job's price changes).
        The same figures as :meth:`_get_portal_price_quote` with the job's own ticket, without
        computing the order's taxes again (once per job on the order page).

        ``texts`` (a dict) keeps the amounts formatted, to share between jobs."""
        self.ensure_one()
        ticket = job._get_pricing_ticket()
        return self._get_portal_price_values(
            ticket,
            pages_counted=bool(job.preflight_page_count),
            manual=job.price_manual,
            components=pricing.Breakdown(
                ticket=ticket,
                media=job.price_media,
                printing=job.price_printing,
                finishing=job.price_finishing,
            ),
            unit=job.price_unit if job.price_manual else job.price_unit_shop,
            job_amounts=(job.price_subtotal, job.price_total),
            order_amounts=(self.amount_untaxed, self.amount_tax, self.amount_total),
            texts=texts,
        )

    def _get_portal_price_values(
        self,
        ticket,
        pages_counted,
        manual,
        components,
        unit,
        job_amounts,
        order_amounts,
        texts=None,
    ):
        """The price block's values (see ``portal_print_job_price_quote``): amounts as numbers
        and as the customer reads them.  ``texts``: ``{amount: (value, text)}`` already
        formatted (filled here), to format an amount once for many blocks."""
        self.ensure_one()
        currency = self.currency_id or self.company_id.currency_id
        texts = {} if texts is None else texts

        def money(amount):
            if amount not in texts:
                texts[amount] = (currency.round(amount), currency.format(amount))
            value, text = texts[amount]
            return {"value": value, "text": text}

        job_untaxed, job_total = job_amounts
        order_untaxed, order_tax, order_total = order_amounts
        return {
            "pages": ticket.counted_pages,
            "pages_counted": pages_counted,
            "sheets": ticket.sheets,
            "copies": ticket.copies,
            "manual": manual,
            "media": money(components.media),
            "printing": money(components.printing),
            "finishing": money(components.finishing),
            "unit": money(unit),
            "subtotal": money(job_untaxed),
            "total": money(job_total),
            "order_untaxed": money(order_untaxed),
            "order_tax": money(order_tax),
            "order_total": money(order_total),
        }

    # === BUSINESS METHODS - ORDERS FROM THE PORTAL === #

    @api.model
    def _create_portal_draft(self, partner):
        """The customer's draft order (called in sudo by the portal for the logged-in user).
        Its access token is set now: two first views of the page at once (a double click,
        two tabs) would otherwise both write one, and one of them fail on the other."""
        draft = self.sudo().create(
            {
                "partner_id": partner.id,
                "portal_draft": True,
                "user_id": False,
                "company_id": partner.company_id.id or self.env.company.id,
            }
        )
        draft._portal_ensure_token()
        return draft

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
        max_jobs = self.company_id.sudo().print_order_max_jobs or 100
        if len(self.job_ids) >= max_jobs:
            raise UserError(
                self.env._(
                    "This order already holds %(max)s jobs, the most one order may hold. "
                    "Send this order, then place another order for the other jobs.",
                    max=max_jobs,
                )
            )
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

    def _keep_portal_form_draft(self, values, refused=()):
        """Keep what the customer typed on the order page and has not sent (``values``: the
        form's fields by name, see ``lib/portal_form_draft.py``) and the files their post
        refused (``refused``: ``[{"job": name, "file": name, "message": why}]``), for the
        page to show them again; empty ``values`` and ``refused`` forget them.  Return
        whether the typed values changed.  Call in sudo, under the order's row lock, in the
        transaction of what the post did (the portal's form route)."""
        self.ensure_one()
        values = dict(values) or False
        refused = list(refused) or False
        changed = (self.portal_form_draft or False) != values
        if changed or (self.portal_refused_files or False) != refused:
            self.write({"portal_form_draft": values, "portal_refused_files": refused})
        return changed

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
                "print_change_request.mail_activity_type_new_order",
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

    def _get_payments_under_way(self):
        """The customer's payments of the order under way (``payment_attempts.is_under_way``:
        pending at the provider, or started a moment ago in another tab), newest last: while
        there is one, the order's page offers no payment form and its transaction route
        refuses another payment."""
        self.ensure_one()
        now = fields.Datetime.now()
        return (
            self.sudo()
            .transaction_ids.filtered(
                lambda tx: (
                    tx.operation not in ("refund", "validation")
                    and tx.amount > 0
                    and payment_attempts.is_under_way(tx.state, tx.create_date, now)
                )
            )
            .sorted("id")
        )

    def _get_payment_under_way_message(self):
        """What a customer who starts a payment while one is under way reads."""
        self.ensure_one()
        return self.env._(
            "A payment of order %(order)s is already under way: its page shows it as paid once "
            "the payment is confirmed. Reload the page in a moment.",
            order=self.name,
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

    def _get_portal_editable_jobs(self, requests):
        """The jobs the customer may change now on the portal: every job of a draft, else
        the jobs the open ``requests`` (those the customer answers) ask to change."""
        self.ensure_one()
        if self.portal_draft:
            return self.job_ids
        return requests.job_ids.filtered(
            lambda job: job.order_id == self and job.communication_state == cs.CHANGE_REQUESTED
        )

    @api.model
    def _check_portal_message(self, message):
        """The customer's message as text (nothing for a value that is not), refused when
        longer than :data:`~..lib.text_limits.MESSAGE_MAX_LENGTH`."""
        text = message if isinstance(message, str) else ""
        if len(text) > text_limits.MESSAGE_MAX_LENGTH:
            raise UserError(
                self.env._(
                    "Your message is too long: write at most %(max)s characters.",
                    max=text_limits.MESSAGE_MAX_LENGTH,
                )
            )
        return text

    # === PORTAL / MAIL METHODS === #

    def _get_print_shop_author(self):
        """The shop as the author of what it tells the customer: the order's responsible,
        else the company."""
        self.ensure_one()
        return self.sudo().user_id.partner_id or self.sudo().company_id.partner_id

    def _get_print_system_author(self):
        """The author of the notes the addon writes by itself on the shop's side (summaries
        of what the customer did): the company, never the customer."""
        self.ensure_one()
        return self.sudo().company_id.partner_id

    def _get_print_mail_authorship(self, template, author):
        """``author_id`` and ``email_from`` of a message made from ``template``: the composer
        takes neither from the template once the author is given, so the sender the shop
        set on the template is rendered here."""
        self.ensure_one()
        email_from = template.sudo()._render_field("email_from", self.ids)[self.id]
        return {"author_id": author.id, "email_from": email_from or False}

    def _notify_get_recipients(self, message, msg_vals=False, **kwargs):
        """With ``print_notify_customer_only`` in the context, a message to the customer goes
        to the customer only, not to the order's followers (the shop)."""
        recipients = super()._notify_get_recipients(message, msg_vals, **kwargs)
        if self.env.context.get("print_notify_customer_only"):
            customers = set(self.partner_id.ids)
            return [recipient for recipient in recipients if recipient["id"] in customers]
        if len(self) == 1:
            recipients += self._get_responsible_recipient_data(message, msg_vals, recipients)
        return recipients

    def _get_responsible_recipient_data(self, message, msg_vals, recipients):
        """A customer's message (a comment by someone outside the shop: in the portal's
        chatter, by e-mail) reaches the order's responsible even when they do not follow
        the order."""
        responsible = self.sudo().user_id.partner_id
        values = msg_vals or {}
        message = message.sudo()
        subtype_id = values.get("subtype_id") or message.subtype_id.id
        author = (
            self.env["res.partner"].sudo().browse(values.get("author_id") or message.author_id.id)
        )
        if (
            not responsible
            or subtype_id != self.env.ref("mail.mt_comment").id
            or not author
            or not author.partner_share
            or responsible.id in {recipient["id"] for recipient in recipients}
        ):
            return []
        data = self.env["mail.followers"]._get_recipient_data(
            self, values.get("message_type") or message.message_type, subtype_id, responsible.ids
        )[self.id]
        return [
            recipient
            for partner_id, recipient in data.items()
            if partner_id == responsible.id and recipient["active"] is not False
        ]

    def _send_print_confirmation(self, template_xmlid, request=None, render_context=None):
        """Post the mail template ``template_xmlid`` on the order's chatter (a comment the
        customer sees in the portal), by the shop, e-mailed to the customer only; the order
        as the message's document, so that the customer's reply comes back to its chatter.
        ``render_context``: context keys the template reads (``ctx``), e.g. the refund."""
        template = self.env.ref(template_xmlid)
        messages = self.env["mail.message"]
        for order in self.sudo():
            # The customer is notified even when they caused the message (a portal submit:
            # the current user is theirs), and only them.
            context = {
                "print_notify_customer_only": True,
                "mail_notify_author": True,
                **(render_context or {}),
            }
            if request:
                context["print_change_request_id"] = request.id
            order = order.with_context(**context)
            order._portal_ensure_token()
            messages |= order.message_post_with_source(
                template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                **order._get_print_mail_authorship(template, order._get_print_shop_author()),
                partner_ids=order.partner_id.ids,
            )
        return messages

    def _post_customer_message(self, text, author=None):
        """Post ``text``, which the customer wrote, on the order's chatter in their name (a
        comment the portal shows), notifying the order's responsible."""
        self.ensure_one()
        text = (text or "").strip()
        if not text:
            return self.env["mail.message"]
        order = self.sudo()
        author = author or order.partner_id
        body = Markup("<p>%s</p>") % Markup("<br/>").join(escape(text).split("\n"))
        return order.message_post(
            body=body,
            author_id=author.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=order.user_id.partner_id.ids,
        )

    def _send_status_mail(self, state):
        """E-mail the customers that their orders are now ``state`` (accepted, dispatched,
        finalized), from the shop, through the state's template; unless their company turned
        status e-mails off or the template is archived."""
        xmlid = STATUS_TEMPLATES[state]
        template = self.env.ref(xmlid, raise_if_not_found=False)
        if not template or not template.sudo().active:
            return self.env["mail.message"]
        orders = self.filtered(
            lambda order: order.sudo().company_id.print_status_mail and order.partner_id
        )
        return orders._send_print_confirmation(xmlid)
