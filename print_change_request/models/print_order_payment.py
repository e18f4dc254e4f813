from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero

from ..lib import communication_state as cs
from ..lib import refund_planning


class PrintOrderPayment(models.Model):
    """An order's money: what is due, received and refunded, the refunds' sources, and
    accepting an order that is not paid."""

    _inherit = "print.order"

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

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

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

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_view_refunds(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "print_change_request.print_refund_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

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
        return self._get_error_files_action("accept")  # print_order_status.py

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
        """What the customer still has to pay for the order: the total less what was paid
        and not refunded, rounded to the currency; nothing once the order is canceled.  The
        one rule for the order's page, the payment route, the invoice of the amount due, the
        unpaid dialog and the e-mails."""
        self.ensure_one()
        if self.communication_state == cs.CANCELED:
            return 0.0
        currency = self.currency_id
        due = self.amount_total - self.amount_paid
        if currency.compare_amounts(due, 0.0) <= 0:
            return 0.0
        return currency.round(due)

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

    def _is_payment_missing(self):
        """True when the shop requires payment and this order is not paid."""
        self.ensure_one()
        return (
            self.company_id.print_payment_required
            and not float_is_zero(self.amount_total, precision_rounding=self.currency_id.rounding)
            and not self.is_paid
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
