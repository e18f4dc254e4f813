from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero

from ..lib import communication_state as cs

COMMUNICATION_STATES = cs.STATES


class PrintOrder(models.Model):
    _name = "print.order"
    _description = "Print Order"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date_submitted desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Order Reference",
        required=True,
        readonly=True,
        copy=False,
        index="trigram",
        default=lambda self: self.env._("New"),
    )
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
        compute="_compute_amount_total",
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

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends("company_id")
    def _compute_currency_id(self):
        for order in self:
            order.currency_id = order.currency_id or order.company_id.currency_id

    @api.depends("job_ids")
    def _compute_job_count(self):
        for order in self:
            order.job_count = len(order.job_ids)

    @api.depends("invoice_ids")
    def _compute_invoice_count(self):
        for order in self:
            order.invoice_count = len(order.invoice_ids)

    @api.depends("job_ids.price_subtotal", "job_ids.communication_state")
    def _compute_amount_total(self):
        for order in self:
            order.amount_total = sum(
                job.price_subtotal
                for job in order.job_ids
                if job.communication_state != cs.CANCELED
            )

    @api.depends("job_ids.communication_state")
    def _compute_communication_state(self):
        for order in self:
            order.communication_state = cs.order_state(order.job_ids.mapped("communication_state"))

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
    )
    def _compute_amount_paid(self):
        for order in self:
            paid = order._get_amount_received() - order._get_amount_refunded()
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

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                company = (
                    self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                )
                vals["name"] = self.env["ir.sequence"].with_company(company).next_by_code(
                    "print.order"
                ) or self.env._("New")
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_new_or_canceled_unpaid(self):
        for order in self:
            if order.communication_state not in (cs.NEW, cs.CANCELED) or order.is_paid:
                raise UserError(
                    self.env._(
                        "Order %(order)s cannot be deleted: it is being processed or paid. "
                        "Cancel it instead.",
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
        """Accept the orders: every live job must be ready, and paid when the shop says so."""
        for order in self:
            order._check_not_locked()
            jobs = order._get_live_jobs()
            if not jobs:
                raise UserError(
                    self.env._("Order %(order)s has no job to accept.", order=order.name)
                )
            not_ready = jobs.filtered(
                lambda job, order=order: (
                    job.communication_state not in order._get_acceptable_job_states()
                )
            )
            if not_ready:
                raise UserError(order._get_not_ready_message(not_ready))
            if order._is_payment_missing():
                raise UserError(
                    self.env._(
                        "Order %(order)s is not paid. This shop requires payment before an "
                        "order is accepted: wait for the customer's payment, or register it "
                        "on the order's invoice.",
                        order=order.name,
                    )
                )
        self._get_live_jobs()._mark_accepted()
        return True

    def action_cancel(self):
        """Cancel the orders and all their jobs that are not canceled yet."""
        for order in self:
            order._check_not_locked()
        self._get_live_jobs()._mark_canceled()
        return True

    def action_dispatch(self):
        """Dispatch accepted orders."""
        for order in self:
            order._check_not_locked()
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

    def _get_live_jobs(self):
        """The orders' jobs that are not canceled."""
        return self.job_ids.filtered(lambda job: job.communication_state != cs.CANCELED)

    def _get_acceptable_job_states(self):
        """Job states from which this order can be accepted.  Hook: extend to allow more."""
        self.ensure_one()
        return cs.ACCEPTABLE

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
        """Money given back, or on its way back, to the customer.  Extended by refunds."""
        self.ensure_one()
        return 0.0

    def _to_order_currency(self, amount, currency):
        self.ensure_one()
        if not currency or currency == self.currency_id:
            return amount
        return currency._convert(
            amount, self.currency_id, self.company_id, fields.Date.context_today(self)
        )
