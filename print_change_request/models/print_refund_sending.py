import logging

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from ..lib import refund_planning
from .print_row_lock_mixin import left_for_next_run, lock_rows

_logger = logging.getLogger(__name__)


class PrintRefundSending(models.Model):
    """Creating and sending refunds: the money lock and re-planning under it, the
    provider call, and the hourly follow-up of refunds not settled yet."""

    _inherit = "print.refund"

    # ------------------------------------------------------------
    # BUSINESS METHODS: planning (under the money lock)
    # ------------------------------------------------------------

    def _lock_money(self, orders=None, transactions=None):
        """Lock (and touch) the orders' and the refunded payments' rows: every decision that
        moves money of an order or a payment is then taken on what was committed last, one
        at a time.  The refunds' own rows are locked too."""
        orders = self.order_id if orders is None else orders
        transactions = self.source_transaction_id if transactions is None else transactions
        locked = (
            orders.sudo()._try_lock_rows(touch=True)
            and lock_rows(self.env.cr, "payment_transaction", transactions.ids, touch=True)
            and self._try_lock_rows()
        )
        if not locked:
            raise UserError(
                self.env._(
                    "Another user is working on the refunds of %(orders)s right now. Try "
                    "again in a moment.",
                    orders=", ".join(orders.mapped("name")),
                )
            )
        transactions.invalidate_recordset()
        orders.invalidate_recordset()
        orders.refund_ids.invalidate_recordset()

    def _get_other_committed_refunds(self):
        """The other refunds (any request) decided, under way or done, on this refund's
        payment, or on its order when it refunds money paid by other means."""
        self.ensure_one()
        if self.source_transaction_id:
            domain = [("source_transaction_id", "=", self.source_transaction_id.id)]
        else:
            domain = [("order_id", "=", self.order_id.id)]
        return self.sudo().search(
            [*domain, ("id", "!=", self.id), ("state", "in", refund_planning.COMMITTED_STATES)]
        )

    def _get_still_due(self):
        """What of this refund may still go back now (0.0 when the money already went back
        some other way): re-planned against the payment and the order, every request's
        refunds counted.  Call it under :meth:`_lock_money`."""
        self.ensure_one()
        rounding = self.currency_id.rounding
        due = self.amount
        if self.source_transaction_id:
            transaction = self.source_transaction_id.sudo()
            others = self._get_other_committed_refunds()
            due = refund_planning.still_due(
                due, transaction.amount, sum(others.mapped("amount")), rounding
            )
        order = self.order_id.sudo()
        order_others = order.refund_ids.filtered(
            lambda r: r != self and r.state in refund_planning.COMMITTED_STATES
        )
        return refund_planning.still_due(
            due,
            order._get_amount_received(),
            sum(order._to_order_currency(r.amount, r.currency_id) for r in order_others),
            rounding,
        )

    def _refresh_from_provider(self):
        """Hook: bring what Odoo knows of the refunds' payments up to date with the payment
        provider (refunds made outside Odoo) before re-planning.  Under the money lock."""

    def _cancel_if_covered(self):
        """Cancel the refunds whose money already went back some other way (another
        request's refund, a refund found on Stripe); return them.  Under the money lock."""
        covered = self.browse()
        for refund in self:
            if refund.state == "draft" and refund._is_under_way_at_provider():
                continue  # sent already: it is followed, not called back
            if refund.state in ("draft", "failed") and not refund._get_still_due():
                others = refund._get_other_committed_refunds()
                refund.sudo()._set_canceled(
                    self.env._(
                        "Nothing left to refund: the money already went back to the customer "
                        "through %s.",
                        ", ".join(others.mapped("name")) or self.env._("another refund"),
                    )
                )
                covered |= refund
        return covered

    def _reduce_to_still_due(self):
        """Send no more than is still due: a refund decided earlier gives back only what
        later refunds have not.  Returns False when nothing is due (then it is canceled)."""
        self.ensure_one()
        due = self._get_still_due()
        if not due:
            self._cancel_if_covered()
            return False
        if float_compare(due, self.amount, precision_rounding=self.currency_id.rounding) < 0:
            self._lower_amount(due)
        return True

    def _lower_amount(self, due):
        """Lower this refund to ``due``, the rest having gone back another way."""
        self.ensure_one()
        after = self._amount_label(due)
        self._message_log(
            body=self.env._(
                "Amount lowered from %(before)s to %(after)s: the rest already went back "
                "to the customer through another refund.",
                before=self._amount_label(),
                after=after,
            )
        )
        self.sudo().amount = due
        refund_tx = self.refund_transaction_id.sudo()
        if refund_tx and refund_tx.state in ("draft", "error"):
            refund_tx.amount = -due

    def _fit_to_still_due(self):
        """Refunds waiting to be made by hand, and failed ones: give back no more than is
        still due on their payment now.  Money that went back another way meanwhile (a
        refund found at the provider: made in its dashboard, or sent for a request whose
        record was lost with its worker) is not given back twice: such a refund is lowered
        to what is left, or canceled when nothing is.  Returns ``(lowered, canceled)``.
        Under the money lock."""
        lowered = canceled = self.browse()
        for refund in self.filtered(
            lambda r: (
                r.state == "failed"
                or (r.state == "pending" and r.method == refund_planning.MANUAL)
            )
        ):
            due = refund._get_still_due()
            rounding = refund.currency_id.rounding
            if float_compare(due, refund.amount, precision_rounding=rounding) >= 0:
                continue
            others = ", ".join(refund._get_other_committed_refunds().mapped("name")) or (
                self.env._("another refund")
            )
            if not due:
                refund.sudo()._set_canceled(
                    self.env._(
                        "Nothing left to refund: the money already went back to the customer "
                        "through %s.",
                        others,
                    )
                )
                canceled |= refund
                continue
            refund.sudo()._lower_amount(due)
            refund.sudo()._replace_draft_credit_note()
            if refund.state == "pending":
                refund.sudo()._schedule_accountant_activity(
                    self.env._(
                        "Refund %(amount)s to %(customer)s by hand",
                        amount=refund._amount_label(),
                        customer=refund.partner_id.display_name,
                    ),
                    self.env._(
                        "Lowered to %(amount)s: the rest already went back to the customer "
                        "through %(others)s. Give back only that, then register the payment "
                        "on the credit note or mark the refund as done with its reference.",
                        amount=refund._amount_label(),
                        others=others,
                    ),
                )
            lowered |= refund
        return lowered, canceled

    def _replace_draft_credit_note(self):
        """A lowered refund's draft credit note gives back the new amount."""
        self.ensure_one()
        credit_note = self.credit_note_id.sudo()
        invoice = credit_note.reversed_entry_id
        if credit_note.state != "draft" or not invoice:
            return
        credit_note.button_cancel()
        self.sudo().credit_note_id = self._create_credit_note(invoice)

    # ------------------------------------------------------------
    # BUSINESS METHODS: creating and sending refunds
    # ------------------------------------------------------------

    @api.model
    def _create_for_order(self, order, request, automatic):
        """Create the refunds giving back what the customer paid for ``order``.

        The caller holds the order's row lock and checked the user's rights.  Failed
        refunds of the order are replaced: the new plan gives their money back.  Returns
        the refunds created (none when nothing is left to refund); automatic ones still
        have to be sent (:meth:`_send`)."""
        order.ensure_one()
        refunds_sudo = self.sudo()
        order_sudo = order.sudo()
        self._lock_money(orders=order, transactions=order_sudo.transaction_ids)
        failed = order_sudo.refund_ids.filtered(lambda r: r.state == "failed")
        currency = order.currency_id
        plan = refund_planning.plan_refunds(
            order_sudo.amount_paid,
            order_sudo._get_refund_sources(),
            automatic,
            rounding=currency.rounding,
        )
        if not plan:
            return self.browse()
        invoice = order._get_refundable_invoice()
        refunds = refunds_sudo.create(
            [
                {
                    "order_id": order.id,
                    "request_id": request.id,
                    "company_id": order.company_id.id,
                    "currency_id": currency.id,
                    "amount": planned.amount,
                    "method": planned.method,
                    "source_transaction_id": planned.source,
                    "state": "draft",
                }
                for planned in plan
            ]
        )
        failed._set_canceled(
            self.env._(
                "Replaced by %(refunds)s of request %(request)s, which gives the money back.",
                refunds=", ".join(refunds.mapped("name")),
                request=request.name,
            )
        )
        for refund, planned in zip(refunds, plan, strict=True):
            if invoice:
                refund.credit_note_id = refund._create_credit_note(invoice)
            if planned.method == refund_planning.MANUAL:
                refund._set_pending(why=planned.reason)
        return refunds.with_env(self.env)

    def _send(self):
        """Send the automatic refunds that are still drafts.  Safe to call again: a refund
        is sent only while it is a draft, under the money lock, with its own key, and for
        no more than is still due on its payment."""
        for refund in self.filtered(
            lambda r: r.method == refund_planning.AUTOMATIC and r.state == "draft"
        ):
            refund.sudo()._send_one()

    def _send_one(self):
        self.ensure_one()
        self._lock_money()
        if self.state != "draft":
            return
        if self._is_under_way_at_provider():
            # Sent already (an earlier click, run or worker): followed, never sent again.
            self.refund_transaction_id.invalidate_recordset()
            self._sync_from_transaction()
            return
        if not self._reduce_to_still_due():
            return
        self.write({"attempt_count": self.attempt_count + 1})
        try:
            self._send_provider_refund()
        except UserError as error:
            self._set_failed(str(error))

    def _send_provider_refund(self):
        """Hook: send this automatic refund through its payment's provider.

        A provider's own file overrides it as Odoo's ``payment_<provider>`` modules override
        ``payment.transaction._send_refund_request``: other providers' refunds return early
        through ``super()`` (see print_refund_stripe.py).  Here, a payment whose provider and
        payment method support the refund (:meth:`payment.transaction._get_print_refund_support`)
        is refunded through Odoo's own refund request of its provider; any other raises, and
        the refund goes to the accountants to be made by hand (:meth:`_set_failed`)."""
        self.ensure_one()
        transaction = self.source_transaction_id.sudo()
        support = transaction._get_print_refund_support()
        provider = transaction.provider_id.display_name
        if support == "none":
            raise UserError(
                self.env._(
                    "The payment provider %s cannot refund this payment automatically.",
                    provider,
                )
            )
        if support == "full_only" and transaction.currency_id.compare_amounts(
            self.amount, transaction.amount
        ):
            raise UserError(
                self.env._(
                    "The payment provider %s refunds only whole payments, and this refund "
                    "gives back part of the payment.",
                    provider,
                )
            )
        self._send_through_provider()

    def _send_through_provider(self):
        """Refund through Odoo's own refund request of the payment's provider."""
        transaction = self.source_transaction_id.sudo()
        refund_tx = transaction._send_refund_request(amount_to_refund=self.amount)
        self.refund_transaction_id = refund_tx
        refund_tx.print_order_ids = [Command.set(self.order_id.ids)]
        if self.credit_note_id:
            refund_tx.invoice_ids = [Command.set(self.credit_note_id.ids)]
        self._sync_from_transaction()

    def _is_under_way_at_provider(self):
        """Hook: whether this refund was sent to its payment's provider already, and is to be
        followed (its refund transaction read again), never sent again.

        Odoo's refund request makes the refund transaction as it sends the refund, and
        providers leave it in whatever state they like until they confirm it (Adyen: draft
        until its webhook; the demo provider with manual capture: authorized): a refund with
        a refund transaction is under way, whatever its state.  A provider whose refunds can
        be looked up and sent again under the same key overrides it (print_refund_stripe.py)."""
        self.ensure_one()
        return bool(self.refund_transaction_id)

    def _follow_up_under_way(self):
        """Read again the refund transactions of these refunds under way at their provider
        (a webhook may have been lost, or have moved it without telling us): done, failed,
        or still waiting for the provider.  Nothing is sent.  Takes the money lock."""
        for refund in self:
            refund._lock_money()
            if refund.state in ("draft", "pending") and refund._is_under_way_at_provider():
                refund.refund_transaction_id.invalidate_recordset()
                refund._sync_from_transaction()

    def _ensure_refund_transaction(self):
        """The child refund transaction of the paid one (created once, kept on retries)."""
        self.ensure_one()
        if self.refund_transaction_id:
            return self.refund_transaction_id.sudo()
        transaction = self.source_transaction_id.sudo()
        refund_tx = transaction._create_child_transaction(
            self.amount,
            is_refund=True,
            print_order_ids=[Command.set(self.order_id.ids)],
            invoice_ids=[Command.set(self.credit_note_id.ids)],
        )
        self.sudo().refund_transaction_id = refund_tx
        return refund_tx

    def _sync_from_transaction(self):
        """Follow the refund transaction's state (whoever changed it: our call, a webhook,
        Odoo's own Stripe webhook or its status poll): done, failed, or, in any other state
        the provider left it (pending, draft, authorized), waiting for the provider."""
        for refund in self.sudo().filtered("refund_transaction_id"):
            tx_state = refund.refund_transaction_id.state
            if tx_state == "done" and refund.state != "done":
                refund._set_done()
            elif tx_state in ("error", "cancel") and refund.state in ("draft", "pending", "done"):
                refund._set_failed(
                    refund.refund_transaction_id.state_message
                    or self.env._("The provider did not make the refund.")
                )
            elif tx_state not in ("done", "error", "cancel") and refund.state == "draft":
                refund._set_pending()

    @api.model
    def _cron_follow_up_refunds(self):
        """Safety net for lost webhooks, interrupted sends and refunds made outside Odoo:
        send again (same key, looked up first, re-planned) automatic refunds left in draft
        for more than a quarter of an hour, then reconcile the payments' refunds with the
        provider's (see print_refund_stripe.py).  Refunds under way at their provider are
        followed, never sent again (:meth:`_is_under_way_at_provider`)."""
        under_way = self.search(
            [
                ("state", "in", ("draft", "pending")),
                ("method", "=", refund_planning.AUTOMATIC),
                ("refund_transaction_id", "!=", False),
            ]
        ).filtered(lambda r: r._is_under_way_at_provider())
        for refund in under_way:
            with left_for_next_run(
                self.env.cr, _logger, "Refund %s: not followed up now: %s", refund.name
            ):
                refund._follow_up_under_way()
        stale = fields.Datetime.subtract(fields.Datetime.now(), minutes=15)
        drafts = self.search(
            [
                ("state", "=", "draft"),
                ("method", "=", refund_planning.AUTOMATIC),
                ("write_date", "<", stale),
                # an overpayment waits for the accountants' decision (action_send)
                ("origin", "!=", "overpaid"),
            ]
        )
        for refund in drafts:
            # Locked by a user, or changed since this run began: the next run sends it.
            with left_for_next_run(
                self.env.cr, _logger, "Refund %s: not sent again now: %s", refund.name
            ):
                refund._send()
