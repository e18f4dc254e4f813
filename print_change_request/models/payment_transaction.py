from odoo import Command, fields, models
from odoo.exceptions import UserError, ValidationError

from ..lib import authorization, refund_planning
from .print_row_lock_mixin import lock_rows

#: Operations of a transaction that take no money from the customer for an order.
NOT_A_PAYMENT = ("refund", "validation")

RELEASE_STATES = [
    ("todo", "To release"),
    ("failed", "Release failed"),
    ("manual", "To release by hand"),
]


class PaymentTransaction(models.Model):
    """Payments and refunds of print orders: the print refunds follow their refund
    transactions, a payment that settles is compared with what its orders are due, a done
    payment is linked to the orders' invoice and confirmed to the customer.

    Payments authorized for manual capture are captured when the shop accepts the order,
    released (voided, never refunded) when it asks for a change or cancels it.  The provider
    is asked through hooks (``_print_send_capture``, ``_print_send_release``,
    ``_print_follow_provider``) that a provider's own module overrides (e.g. Stripe's, in the
    module ``print_change_request_stripe``).  The capture and release methods are called in
    sudo, under the money lock (``print.refund._lock_money``), after the caller checked the
    user."""

    _inherit = "payment.transaction"

    # === FIELDS === #

    print_order_ids = fields.Many2many(
        comodel_name="print.order",
        relation="print_order_transaction_rel",
        column1="transaction_id",
        column2="order_id",
        string="Print orders",
        readonly=True,
        copy=False,
    )
    print_refund_ids = fields.One2many(
        comodel_name="print.refund",
        inverse_name="refund_transaction_id",
        string="Print refunds",
        readonly=True,
    )
    print_release_state = fields.Selection(
        selection=RELEASE_STATES,
        string="Authorization release",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="This authorized payment of a print order is no longer wanted (request for "
        "change, canceled order): it is being released, or the release failed, or the "
        "accountants release it by hand in the provider's dashboard.",
    )
    print_capture_unknown = fields.Boolean(
        string="Capture outcome unknown",
        readonly=True,
        copy=False,
        help="The provider was asked to capture this payment and did not say whether it did "
        "(no answer, or an error that may come after the capture). Nothing else of the order "
        "is captured or released until the provider is read again (the next Accept or the "
        "hourly follow-up).",
    )

    # === BUSINESS METHODS - PAYMENT FLOW === #

    def _filter_print_paid(self):
        """The customer's payments among ``self`` that took money: done, neither a refund
        nor a card validation (the one rule of "a done payment" of a print order)."""
        return self.filtered(
            lambda tx: tx.state == "done" and tx.operation not in NOT_A_PAYMENT and tx.amount > 0
        )

    def _update_state(self, allowed_states, target_state, state_message):
        """Print refunds follow their refund transaction, whoever moved it (our refund call,
        a Stripe webhook, Odoo's own Stripe webhook or status poll).

        The print orders are locked first, as every money path of the addon does: a payment
        settling while an operator requests a change to its order waits for the request
        instead of deadlocking with it (both write the order and its jobs).

        A payment of print orders that settles is compared with what its orders are due:
        any excess is held back for the accountants (``print.refund._flag_overpayments``).

        An authorized payment of print orders that is captured or canceled, whoever moved it
        (Accept, a release, the follow-up, Odoo's own Stripe webhook): a release waiting for
        it is over; an authorization that ended by itself (expired, canceled in Stripe's
        dashboard) leaves the order unpaid, and the customer is asked to pay again."""
        was_authorized = self.filtered(lambda tx: tx.state == "authorized" and tx.print_order_ids)
        orders = self.print_order_ids | self.source_transaction_id.print_order_ids
        settling = self._get_print_payments() if target_state == "done" else self.browse()
        # A payment settling also touches its orders: two payments of one order settling at
        # once are then decided one after the other (the second one is played again by Odoo
        # on what the first committed), so that any excess is seen, and seen once.
        lock_rows(self.env.cr, "print_order", orders.ids, touch=bool(settling), nowait=False)
        txs_to_process = super()._update_state(allowed_states, target_state, state_message)
        txs_to_process.print_refund_ids._sync_from_transaction()
        settled = txs_to_process & settling
        if settled:
            self.env["print.refund"]._flag_overpayments(settled.print_order_ids, settled)
        for tx in txs_to_process & was_authorized:
            if tx.print_release_state:
                tx._print_release_done()
            elif tx.state == "cancel":
                tx.print_order_ids._print_authorization_lost(tx)
        return txs_to_process

    def _get_print_refund_support(self):
        """The refunds Odoo can make on this payment, as Odoo's refund wizard
        (``account_payment``) decides it: what both its provider and its payment method (or
        that method's primary one) support: "none", "full_only" or "partial"."""
        self.ensure_one()
        tx = self.sudo()
        method = tx.payment_method_id.primary_payment_method_id or tx.payment_method_id
        return refund_planning.refund_support(
            tx.provider_id.support_refund, method.support_refund if method else None
        )

    def _get_print_payments(self):
        """The transactions that bring the customer's money in for print orders."""
        return self.filtered(
            lambda tx: (
                tx.print_order_ids
                and tx.operation not in ("refund", "validation")
                and tx.amount > 0
            )
        )

    # === BUSINESS METHODS - POST-PROCESSING === #

    def _post_process(self):
        """Before Odoo posts and reconciles a done payment of print orders: link it to the
        orders' open invoice, or, when the company invoices at payment, to a new invoice.

        First of all, the orders' and then the payments' rows are taken, waiting, as the
        addon's money paths take them (with a refund's payment): Odoo's post-processing (its
        cron, the customer's status poll) makes the payment's journal entry and writes the
        transaction only after, so a money path holding the transaction while it posts its
        own entry deadlocked with it on the entries' numbers.  Waiting here holds nothing
        yet; a money path never waits for a transaction's row (it is told at once that it
        is held).

        Once Odoo post-processed it, the shop confirms a print order's online payment to the
        customer, once."""
        to_confirm = self._filter_print_paid().filtered(
            lambda tx: tx.print_order_ids and not tx.is_post_processed
        )
        print_txs = self.filtered(
            lambda tx: tx.print_order_ids or tx.source_transaction_id.print_order_ids
        )
        if print_txs:
            # Orders first, as every money path takes them: a money path making a refund's
            # entry on the same order (or Odoo post-processing another payment of it)
            # updates the order's jobs ("Job is paid") before its entry, this after its
            # entry: both waiting for the other's rows was a deadlock (seen in the load
            # harness).  Locked, not touched: nothing is decided here on the order.
            orders = print_txs.print_order_ids | print_txs.source_transaction_id.print_order_ids
            lock_rows(self.env.cr, "print_order", orders.ids, nowait=False)
            lock_rows(
                self.env.cr,
                "payment_transaction",
                (print_txs | print_txs.source_transaction_id).ids,
                nowait=False,
            )
            print_txs.invalidate_recordset()
        for tx in self._filter_print_paid().filtered(
            lambda tx: (
                tx.print_order_ids
                and not tx.invoice_ids
                and not tx.payment_id
                and not tx.is_post_processed
            )
        ):
            tx._link_print_invoices()
        res = super()._post_process()
        if print_txs:
            print_txs._book_print_payments_refunded_early()
            self.env["print.refund"]._reconcile_refunds_of_payments(print_txs)
        for tx in to_confirm.filtered("is_post_processed"):
            tx.print_order_ids._send_print_confirmation(
                "print_change_request.mail_template_order_paid",
                render_context={"print_transaction_id": tx.id},
            )
        return res

    def _book_print_payments_refunded_early(self):
        """Odoo books no payment for a transaction one of whose children is done (meant for
        partial captures and voids, whose children are booked instead): a print payment
        refunded before it was post-processed (an overpayment sent back at once) would keep
        its money in nowhere while its refund's payment went out.  Book it."""
        for tx in self._filter_print_paid().filtered(
            lambda tx: (
                tx.print_order_ids
                and not tx.payment_id
                and not tx.child_transaction_ids.filtered(
                    lambda child: child.operation != "refund" and child.state in ("done", "cancel")
                )
            )
        ):
            tx.with_company(tx.company_id)._create_payment()

    def _link_print_invoices(self):
        self.ensure_one()
        tx = self.sudo().with_company(self.company_id)
        invoices = self.env["account.move"].sudo()
        for order in tx.print_order_ids:
            open_invoices = order._get_open_invoices(drafts=True)
            overpaid = order.refund_ids.filtered(
                lambda refund: refund.origin == "overpaid" and refund.source_transaction_id == tx
            )
            if open_invoices:
                invoices |= open_invoices
            elif (
                order.company_id.print_invoice_on_payment
                and order._get_live_jobs()
                and not overpaid  # money held back to be given back: nothing to invoice
            ):
                invoices |= order._create_invoice_for_transaction(tx)
        if invoices:
            tx.invoice_ids = [Command.set(invoices.ids)]

    # === BUSINESS METHODS - LOGGING === #

    def _log_message_on_linked_documents(self, message):
        """Also log payment messages on the print orders the transaction pays or refunds."""
        res = super()._log_message_on_linked_documents(message)
        for order in self.print_order_ids or self.source_transaction_id.print_order_ids:
            order.message_post(body=message, author_id=order._get_print_system_author().id)
        return res

    # === BUSINESS METHODS - CAPTURE AND RELEASE === #

    def _print_is_authorized_payment(self):
        self.ensure_one()
        return (
            self.state == "authorized"
            and self.operation not in ("refund", "validation")
            and self.amount > 0
        )

    def _print_capture(self):
        """Capture this authorized payment (once: a payment captured already, here or in
        the provider's dashboard, is only recorded).  Returns None when the money is
        captured, else why not, in the operator's words."""
        self.ensure_one()
        if self.state == "done":
            self.print_capture_unknown = False
            return None
        if self.state != "authorized":
            self.print_capture_unknown = False
            return self._print_not_authorized_text()
        reason = self._print_send_capture()
        if reason:
            return reason
        if self.state == "done":
            self.env.ref("payment.cron_post_process_payment_tx")._trigger()
            return None
        return self._print_not_authorized_text()

    def _print_send_capture(self):
        """Ask the provider to capture this authorized payment, through Odoo's
        ``_send_capture_request``; return why it did not, in the operator's words, or None.
        A provider whose own state must be read first overrides this (``super()`` for the
        other providers: see the module ``print_change_request_stripe``)."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._send_capture_request()
        except (UserError, ValidationError) as error:
            return self.env._(
                "The payment provider did not capture the payment %(payment)s: %(error)s",
                payment=self.reference,
                error=str(error),
            )
        return None

    def _print_release(self, manual=False):
        """Release (void) this authorized payment: nothing is charged, nothing refunded.
        With ``manual``, leave it to the accountants (a to-do).  Returns None when released
        (or captured meanwhile, then recorded), else why not; a release that failed stays
        "Release failed" with a to-do, and the hourly follow-up tries again."""
        self.ensure_one()
        if self.state != "authorized":
            self.print_release_state = False
            return None
        if manual:
            self.print_release_state = "manual"
            self._print_release_todo(
                self.env._(
                    "The operator chose to release it by hand: release the authorization in "
                    "the payment provider's dashboard (nothing was charged)."
                )
            )
            return None
        self.print_release_state = "todo"
        reason = self._print_send_release()
        if reason and self.state == "authorized":
            return self._print_release_failed(reason)
        if self.state == "authorized":
            return self._print_release_failed(
                self.env._("The payment provider did not confirm the release.")
            )
        return None  # _update_state closed the to-dos (_print_release_done)

    def _print_send_release(self):
        """Ask the provider to release (void) this authorized payment, through Odoo's
        ``_send_void_request``; return why it did not, or None.  Overridden per provider like
        ``_print_send_capture``."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._send_void_request()
        except (UserError, ValidationError) as error:
            return str(error)
        return None

    def _print_follow_provider(self):
        """Before the hourly follow-up acts on an authorized payment: record what its
        provider did with it meanwhile (captured or canceled in its dashboard, expired).
        Nothing to read for a provider without such an API; overridden per provider."""
        self.ensure_one()

    def _print_release_failed(self, reason):
        self.print_release_state = "failed"
        self._print_release_todo(
            self.env._(
                "The release failed: %(reason)s Odoo tries again every hour; or release the "
                "authorization in the payment provider's dashboard.",
                reason=reason,
            )
        )
        for order in self.print_order_ids:
            order.message_post(
                body=self.env._(
                    "The authorized payment %(payment)s could not be released: %(reason)s",
                    payment=self.reference,
                    reason=reason,
                ),
                author_id=order._get_print_system_author().id,
            )
        return reason

    def _print_release_done(self):
        """The authorization is gone (released, or captured meanwhile): close the to-dos."""
        self.print_release_state = False
        for order in self.print_order_ids:
            order._print_close_money_todo(
                self.reference, self.env._("Authorization %s released.", self.reference)
            )
            if self.state == "done":
                order.message_post(
                    body=self.env._(
                        "The payment %(payment)s was captured at the provider before it could "
                        "be released: the order is paid. Refund it if the customer is not to "
                        "pay it.",
                        payment=self.reference,
                    ),
                    author_id=order._get_print_system_author().id,
                )

    def _print_released_beyond_due(self, order):
        """This authorization was released because ``order`` is paid without it (two browser
        tabs authorized it twice): say so in the order's chatter."""
        self.ensure_one()
        order.message_post(
            body=self.env._(
                "The authorized payment %(payment)s (%(amount)s) was released: the order's "
                "amount due is paid without it. Nothing of it was charged.",
                payment=self.reference,
                amount=self.currency_id.format(self.amount),
            ),
            author_id=order._get_print_system_author().id,
        )

    def _print_released_too_large(self, order, due):
        """This authorization was released because it is more than ``order`` is ``due`` and
        is captured in full only: tell the customer to pay what is due, and return why the
        order is not paid, in the operator's words."""
        self.ensure_one()
        text = self.env._(
            "The authorized payment %(payment)s (%(amount)s) is more than the %(due)s due, "
            "and an authorization is captured in full only: it was released (nothing was "
            "charged) and the customer must pay %(due)s.",
            payment=self.reference,
            amount=self.currency_id.format(self.amount),
            due=due,
        )
        order.message_post(body=text, author_id=order._get_print_system_author().id)
        order.with_context(print_notify_customer_only=True).message_post(
            body=self.env._(
                "Your authorized payment %(payment)s (%(amount)s) was released, nothing was "
                "charged: order %(order)s is now due %(due)s. Please pay it from the order's "
                "page.",
                payment=self.reference,
                amount=self.currency_id.format(self.amount),
                order=order.name,
                due=due,
            ),
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            author_id=order._get_print_shop_author().id,
            partner_ids=order.partner_id.ids,
        )
        return text

    def _print_release_todo(self, note):
        summary = self.env._(
            "Release the authorized payment %(payment)s (%(amount)s)",
            payment=self.reference,
            amount=self.currency_id.format(self.amount),
        )
        for order in self.print_order_ids:
            order._print_schedule_money_todo(summary, note)

    def _print_not_authorized_text(self):
        if self.state == "cancel":
            return self.env._(
                "The authorization of payment %(payment)s expired or was canceled: nothing "
                "was captured. The customer must pay again.",
                payment=self.reference,
            )
        return self.env._(
            "Payment %(payment)s is %(state)s, not authorized: nothing was captured. %(message)s",
            payment=self.reference,
            state=dict(self._fields["state"]._description_selection(self.env))[self.state],
            message=self.state_message or "",
        )

    # === BUSINESS METHODS - HOURLY FOLLOW-UP OF AUTHORIZATIONS === #

    def _print_follow_up_authorization(self, now, days, hours):
        """One authorized payment, under the money lock: follow its provider, release again what
        is to be released, act on an authorization about to expire."""
        self.ensure_one()
        self._print_follow_provider()
        if self.state != "authorized":
            return
        if self.print_release_state in ("todo", "failed"):
            self._print_release()
            return
        if self.print_release_state:
            return
        expiry = authorization.expiry(self.last_state_change or self.create_date, now, days, hours)
        if not expiry.act_now:
            return
        orders = self.print_order_ids.filtered(
            lambda order: order.communication_state != "canceled"
        )
        if not orders:
            return
        if any(orders.company_id.mapped("print_capture_before_expiry")):
            reasons = []
            for order in orders:
                result = order._print_capture_due()
                reasons += result.reasons + result.too_large_texts
                for tx in result.captured:
                    order.message_post(
                        body=self.env._(
                            "Payment %(payment)s was captured before its authorization "
                            "expired (the shop's setting), although the order is not accepted "
                            "yet.",
                            payment=tx.reference,
                        ),
                        author_id=order._get_print_system_author().id,
                    )
            if self.state != "authorized" or not reasons:
                return
            note = " ".join(reasons)
        else:
            note = self.env._(
                "The customer's authorization of %(amount)s expires on %(date)s: accept the "
                "order before (Accept captures the payment), or the customer must pay again.",
                amount=self.currency_id.format(self.amount),
                date=fields.Datetime.to_string(expiry.expires_at),
            )
        summary = self.env._("Payment %s: authorization about to expire", self.reference)
        for order in orders:
            if not order.sudo().activity_ids.filtered(lambda act: act.summary == summary):
                order._print_schedule_money_todo(summary, note, user=order.user_id)
