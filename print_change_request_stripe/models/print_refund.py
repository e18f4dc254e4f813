import logging

from odoo import Command, api, fields, models
from odoo.addons.payment import utils as payment_utils
from odoo.addons.print_change_request.lib import refund_planning
from odoo.addons.print_change_request.models.print_row_lock_mixin import (
    left_for_next_run,
    lock_rows,
)
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..lib import stripe_refunds

_logger = logging.getLogger(__name__)

#: Stripe API base address, for tests and staging only (system parameter).
STRIPE_API_BASE_PARAM = "print_change_request.stripe_api_base"
STRIPE_TIMEOUT_PARAM = "print_change_request.stripe_timeout"
#: How many days back the reconciliation looks at Stripe payments (system parameter).
RECONCILE_DAYS_PARAM = "print_change_request.stripe_reconcile_days"
#: At most this many payments are compared with Stripe in one cron run.
RECONCILE_BATCH = 200


class PrintRefund(models.Model):
    """Refunds of Stripe payments: sending them with the ``stripe`` library, applying
    Stripe's refund objects (answers, webhooks), and reconciling Stripe's refunds of a
    payment with Odoo's, Stripe being the source of truth for where the money went."""

    _inherit = "print.refund"

    # ------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------

    def _send_provider_refund(self):
        """Refund Stripe payments with the ``stripe`` library (:meth:`_send_stripe`); the
        other providers' payments go the generic way."""
        if self.source_transaction_id.sudo().provider_code != "stripe":
            return super()._send_provider_refund()
        return self._send_stripe()

    def _is_under_way_at_provider(self):
        """A Stripe refund is sent again (a retry, an unconfirmed one) only under its own key,
        after its payment's refunds were read on Stripe (:meth:`_send_stripe`): that is its
        guard, not its refund transaction."""
        if self.source_transaction_id.sudo().provider_code != "stripe":
            return super()._is_under_way_at_provider()
        return False

    def _send_stripe(self):
        """Refund a Stripe payment with the ``stripe`` library and this refund's own key.

        Stripe's refunds of the payment are read first: this refund's own (by key) is taken
        as it is; refunds Odoo does not know yet are recorded, then what is still due is
        planned again before anything is sent."""
        transaction = self.source_transaction_id.sudo()
        payment_intent = transaction.provider_reference
        if not payment_intent:
            self._set_failed(self.env._("The payment has no Stripe reference to refund."))
            return
        gateway = self._stripe_gateway()
        refund_tx = self._ensure_refund_transaction()
        try:
            existing = gateway.list_refunds(payment_intent)
            mine = self._stripe_pick_own(existing)
            if mine is None:
                self._stripe_reconcile_payment(transaction, existing)
                if self.state != "draft" or not self._reduce_to_still_due():
                    return
                refund_tx = self._ensure_refund_transaction()
                mine = gateway.create_refund(
                    payment_intent,
                    payment_utils.to_minor_currency_units(self.amount, self.currency_id),
                    self.idempotency_key,
                    metadata={"odoo_refund": self.name, "print_order": self.order_id.name},
                )
        except stripe_refunds.StripeRefundError as error:
            mine = None
            if error.uncertain:
                # No answer: Stripe may still have made the refund. Look for it by our key.
                try:
                    mine = gateway.find_by_key(payment_intent, self.idempotency_key)
                except stripe_refunds.StripeRefundError:
                    mine = None
            if mine is None:
                detail = error.detail or str(error)
                if error.uncertain:
                    self._set_unconfirmed(self._stripe_failure_text(error), detail=detail)
                else:
                    self._set_failed(self._stripe_failure_text(error), detail=detail)
                return
        self._apply_stripe_refund(mine, refund_tx)

    def _stripe_pick_own(self, results):
        """This refund's Stripe refund among ``results``: the one it already knows, else the
        one carrying its key (made by an earlier attempt whose answer was lost)."""
        self.ensure_one()
        for result in results:
            if self.provider_refund_id and result.refund_id == self.provider_refund_id:
                return result
        if not self.provider_refund_id:
            for result in results:
                if result.metadata.get(stripe_refunds.KEY_METADATA) == self.idempotency_key:
                    return result
        return None

    def _stripe_failure_text(self, error):
        """What the operator and the accountants read when a Stripe call failed: plain
        words, what happens next, what to do.  The library's text goes to the log."""
        if error.uncertain:
            if error.kind == "network" and "timed out" in error.message:
                what = self.env._("Stripe did not answer in time, so the refund is not confirmed.")
            elif error.kind == "network":
                what = self.env._("Stripe could not be reached, so the refund is not confirmed.")
            else:
                what = self.env._("Stripe had a problem and did not confirm the refund.")
            return self.env._(
                "%(what)s Stripe may still make it, so it counts as under way and nothing else "
                "is refunded on this payment meanwhile. Odoo looks for it on Stripe every hour: "
                "it completes the refund if Stripe made it, and sends it again under the same "
                "key if not (Odoo never refunds twice).",
                what=what,
            )
        if error.kind == "network":
            what = self.env._("Stripe could not be reached: nothing was sent to Stripe.")
            return self.env._(
                "%(what)s The accountants have a to-do to retry or to refund the customer by "
                "hand.",
                what=what,
            )
        if error.kind == "authentication":
            what = self.env._(
                "Stripe did not accept the shop's Stripe key: an administrator must check the "
                "Stripe payment provider's secret key."
            )
        elif error.kind == "rate_limit":
            what = self.env._("Stripe was too busy to take the refund; retry in a few minutes.")
        else:
            what = self.env._(
                "Stripe refused the refund: %s", error.stripe_message or error.message
            )
        return self.env._(
            "%(what)s Nothing was refunded. The accountants have a to-do to retry or to refund "
            "the customer by hand.",
            what=what,
        )

    def _stripe_gateway(self):
        provider = self.source_transaction_id.sudo().provider_id
        if not provider.stripe_secret_key:
            raise UserError(
                self.env._(
                    "The Stripe payment provider has no secret key: an administrator must "
                    "enter it before Odoo can refund through Stripe."
                )
            )
        params = self.env["ir.config_parameter"].sudo()
        return stripe_refunds.StripeRefunds(
            provider.stripe_secret_key,
            api_base=params.get_param(STRIPE_API_BASE_PARAM) or None,
            timeout=float(params.get_param(STRIPE_TIMEOUT_PARAM, "20")),
        )

    # ------------------------------------------------------------
    # Applying Stripe's refund objects
    # ------------------------------------------------------------

    def _apply_stripe_refund(self, result, refund_tx=None):
        """Bring the refund transaction, then this refund, to Stripe's refund status.

        A refund object that does not match this refund (another refund id, another amount
        or currency) is not applied: the refund is flagged for the accountants."""
        self.ensure_one()
        mismatch = self._stripe_mismatch(result)
        if mismatch:
            self._flag(mismatch)
            return
        reopened = False
        if self.state == "canceled":
            if result.is_failed:
                return
            self.write({"state": "draft"})
            # Its credit note was canceled with it: back to draft, so that the refund's
            # payment can be posted and reconciled with it again.
            self.credit_note_id.filtered(lambda move: move.state == "cancel").button_draft()
            reopened = True
        refund_tx = refund_tx or self._ensure_refund_transaction()
        refund_tx.provider_reference = result.refund_id
        self.provider_refund_id = result.refund_id
        if result.is_done:
            refund_tx._set_done(extra_allowed_states=("error", "cancel"))
        elif result.is_pending:
            if self.state == "done":
                return  # an older event arriving late: Stripe's refund moved on since
            refund_tx._set_pending(extra_allowed_states=("error", "cancel"))
        elif result.is_failed:
            refund_tx._set_error(
                self.env._(
                    "Stripe reports the refund as %(status)s (%(reason)s). Nothing was "
                    "refunded: the accountants have a to-do to retry or to refund by hand.",
                    status=result.status,
                    reason=result.failure_reason or self.env._("no reason given"),
                ),
                extra_allowed_states=("done", "pending"),
            )
        self._sync_from_transaction()
        if reopened:  # after the state moved: moving it closes the to-dos
            self._flag(
                self.env._(
                    "Stripe made refund %(stripe)s after this refund was canceled in Odoo: the "
                    "money did go back to the customer, so the refund is reopened.",
                    stripe=result.refund_id,
                )
            )

    def _stripe_mismatch(self, result):
        """Why ``result`` cannot be this refund's Stripe refund, or None."""
        self.ensure_one()
        if self.provider_refund_id and result.refund_id != self.provider_refund_id:
            return self.env._(
                "Stripe sent refund %(stripe)s with this refund's key, but this refund is "
                "Stripe's %(known)s.",
                stripe=result.refund_id,
                known=self.provider_refund_id,
            )
        expected = payment_utils.to_minor_currency_units(self.amount, self.currency_id)
        if result.amount != expected or result.currency != self.currency_id.name.lower():
            return self.env._(
                "Stripe reports refund %(stripe)s as %(amount)s %(currency)s, but this refund "
                "is of %(expected)s. It was not applied: check it in Stripe's dashboard.",
                stripe=result.refund_id,
                amount=result.amount / 10**self.currency_id.decimal_places,
                currency=result.currency.upper(),
                expected=self._amount_label(),
            )
        return None

    @api.model
    def _handle_stripe_refund_objects(self, refund_objects):
        """Apply Stripe refund objects (from a verified webhook event) to the refunds they
        belong to, recording the ones Odoo did not know on their payment; return the refunds
        concerned.  Repeated or late events change nothing more."""
        refunds = self.browse()
        for refund_object in refund_objects:
            result = stripe_refunds.RefundResult.from_stripe(refund_object)
            transaction = self._stripe_find_payment(result)
            if not transaction:
                continue
            self._lock_money(orders=transaction.print_order_ids, transactions=transaction)
            refunds |= self._stripe_reconcile_payment(transaction, [result])
        return refunds

    def _stripe_find_payment(self, result):
        """The Stripe payment (a done transaction of this database) ``result`` refunds."""
        known = self.search(
            [("provider_refund_id", "=", result.refund_id)], limit=1
        ) or self.search(
            [
                ("idempotency_key", "=", result.metadata.get(stripe_refunds.KEY_METADATA) or "-"),
            ],
            limit=1,
        )
        if known:
            return known.source_transaction_id.sudo()
        if not result.payment_intent:
            return self.env["payment.transaction"]
        return (
            self.env["payment.transaction"]
            .sudo()
            .search(
                [
                    ("provider_code", "=", "stripe"),
                    ("provider_reference", "=", result.payment_intent),
                    ("operation", "!=", "refund"),
                    ("print_order_ids", "!=", False),
                ],
                limit=1,
            )
        )

    # ------------------------------------------------------------
    # Reconciliation: Stripe is the source of truth
    # ------------------------------------------------------------

    def _refresh_from_provider(self):
        """Record the refunds Stripe made on these refunds' payments that Odoo does not know
        yet, so that re-planning counts them.  Stripe unreachable: go on with what Odoo
        knows (a refund sent now is looked up on Stripe first anyway)."""
        res = super()._refresh_from_provider()
        transactions = self.source_transaction_id.sudo().filtered(
            lambda tx: tx.provider_code == "stripe" and tx.provider_reference
        )
        for transaction in transactions:
            try:
                self._stripe_reconcile_from_stripe(transaction)
            except stripe_refunds.StripeRefundError as error:
                _logger.info("Payment %s: Stripe not checked now: %s", transaction.id, error)
        return res

    @api.model
    def _stripe_reconcile_payment(self, transaction, results):
        """Make Odoo's refunds of the Stripe payment ``transaction`` follow ``results``
        (Stripe's refunds of it, or some of them): known refunds take Stripe's status; a
        refund carrying one of our keys, or our order in its metadata, is adopted; any other
        is recorded as made outside Odoo and flagged to the accountants.  Either way the
        order's paid amount follows the money.  The caller holds the money lock."""
        transaction = transaction.sudo()
        touched = self.browse()
        Refund = self.sudo()
        for result in results:
            refund = Refund.search(
                [
                    ("provider_refund_id", "=", result.refund_id),
                    ("source_transaction_id", "=", transaction.id),
                ],
                limit=1,
            )
            key = result.metadata.get(stripe_refunds.KEY_METADATA)
            if not refund and key:
                keyed = Refund.search(
                    [
                        ("idempotency_key", "=", key),
                        ("source_transaction_id", "=", transaction.id),
                    ],
                    limit=1,
                )
                if keyed and not keyed.provider_refund_id:
                    refund = keyed
            if refund:
                refund._apply_stripe_refund(result)
            elif not result.is_failed:
                refund = Refund._stripe_record_unknown(transaction, result)
            touched |= refund
        return touched

    @api.model
    def _stripe_record_unknown(self, transaction, result):
        """Record a refund Stripe made on ``transaction`` that Odoo has no record of."""
        orders = transaction.print_order_ids
        named = result.metadata.get("print_order")
        order = orders.filtered(lambda o: o.name == named)[:1] or orders.sorted("id")[:1]
        ours = bool(result.metadata.get(stripe_refunds.KEY_METADATA) or named)
        currency = transaction.currency_id
        refund = self.sudo().create(
            {
                "order_id": order.id,
                "company_id": order.company_id.id,
                "currency_id": currency.id,
                "amount": result.amount / 10**currency.decimal_places,
                "method": refund_planning.AUTOMATIC,
                "source_transaction_id": transaction.id,
                "origin": "adopted" if ours else "external",
                "state": "draft",
            }
        )
        invoice = order._get_refundable_invoice()
        if invoice:
            refund.credit_note_id = refund._create_credit_note(invoice)
        odoo_tx = self._stripe_find_refund_transaction(transaction, result.refund_id)
        if odoo_tx:
            refund._stripe_adopt_transaction(odoo_tx)
        refund._apply_stripe_refund(result)
        if odoo_tx:
            refund._stripe_reconcile_adopted_payment()
        key = result.metadata.get(stripe_refunds.KEY_METADATA)
        twin = key and self.sudo().search([("idempotency_key", "=", key)], limit=1)
        if twin:
            refund._flag(
                self.env._(
                    "Stripe holds refund %(stripe)s with the key of %(twin)s, which is "
                    "Stripe's %(known)s: the customer may have been refunded twice. Check both "
                    "in Stripe's dashboard.",
                    stripe=result.refund_id,
                    twin=twin.name,
                    known=twin.provider_refund_id or "-",
                )
            )
        elif ours:
            refund._message_log(
                body=self.env._(
                    "Stripe refund %(stripe)s was made by Odoo but its record was lost (e.g. "
                    "an interrupted request): it is recorded again.",
                    stripe=result.refund_id,
                )
            )
        else:
            refund._flag(
                self.env._(
                    "Stripe refund %(stripe)s of %(amount)s was made outside Odoo (e.g. in "
                    "Stripe's dashboard). It is recorded so that the order's paid amount "
                    "follows the money: check it, and that the customer was not refunded "
                    "twice.",
                    stripe=result.refund_id,
                    amount=refund._amount_label(),
                )
            )
        # The money that went back may cover refunds decided or failed in Odoo, and refunds
        # still to be made by hand: none of them gives it back a second time.
        others = (order.refund_ids | transaction.print_order_ids.refund_ids) - refund
        others.filtered(lambda r: r.state in ("draft", "failed"))._cancel_if_covered()
        others.filtered(
            lambda r: r.state == "pending" and r.method == refund_planning.MANUAL
        )._fit_to_still_due()
        return refund

    @api.model
    def _stripe_find_refund_transaction(self, transaction, refund_id):
        """The refund transaction of ``transaction`` that already records Stripe refund
        ``refund_id`` (e.g. made by Odoo's own Stripe webhook), if any."""
        return (
            self.env["payment.transaction"]
            .sudo()
            .search(
                [
                    ("source_transaction_id", "=", transaction.id),
                    ("operation", "=", "refund"),
                    ("provider_reference", "=", refund_id),
                ],
                order="id",
                limit=1,
            )
        )

    def _stripe_adopt_transaction(self, refund_tx):
        """Make ``refund_tx``, which records this refund's Stripe refund already, this
        refund's transaction: no second transaction, no second payment."""
        self.ensure_one()
        refund_tx = refund_tx.sudo()
        values = {"print_order_ids": [Command.link(self.order_id.id)]}
        if self.credit_note_id and not refund_tx.payment_id:
            values["invoice_ids"] = [Command.link(self.credit_note_id.id)]
        refund_tx.write(values)
        self.sudo().refund_transaction_id = refund_tx
        self._message_log(
            body=self.env._(
                "Stripe refund %(stripe)s was already recorded by transaction %(tx)s: it is "
                "this refund's transaction.",
                stripe=refund_tx.provider_reference,
                tx=refund_tx.reference,
            )
        )

    def _stripe_reconcile_adopted_payment(self):
        """An adopted transaction may have had its payment before it was this refund's
        (Odoo's post-processing): link it, and reconcile it with the credit note."""
        self.ensure_one()
        payment = self.refund_transaction_id.sudo().payment_id
        if not payment or self.state != "done":
            return
        self.sudo().payment_id = payment
        credit_note = self.credit_note_id.sudo()
        if not credit_note:
            # an overpayment's, an uninvoiced order's: matched with the payment it gives back
            self._reconcile_with_source_payment(payment)
            return
        if credit_note.payment_state in ("paid", "in_payment", "reversed"):
            return
        if credit_note.state == "draft":
            credit_note.action_post()
        lines = (payment.move_id.line_ids | credit_note.line_ids).filtered(
            lambda line: line.account_id == payment.destination_account_id and not line.reconciled
        )
        if len(lines) > 1:
            lines.reconcile()

    @api.model
    def _stripe_transaction_for_odoo_webhook(self, transaction, refund_object):
        """The refund transaction that records ``refund_object`` (a refund of the Stripe
        payment ``transaction``) for Odoo's own Stripe webhook (``charge.refunded``), which
        would otherwise create one for each refund it does not know.

        The refund is recorded here the same way as by the addon's webhook and the hourly
        reconciliation (:meth:`_stripe_reconcile_payment`), under the money locks (the
        orders' waited for: Odoo's webhook cannot answer "busy"): whichever comes first makes
        the one transaction and payment, the others find it by its Stripe id.  Returns an empty
        recordset when the refund is not recorded here (Odoo then makes its own, as for any
        payment that is not a print order's)."""
        transaction = transaction.sudo()
        result = stripe_refunds.RefundResult.from_stripe(refund_object)
        orders = transaction.print_order_ids
        # The addon's lock order: the orders (waiting, nothing is held yet), then the payment.
        # The payment's row is not waited for: Odoo's own paths lock it first and the order
        # after (post-processing a payment), so waiting could close a deadlock; a payment
        # held by another transaction raises LockNotAvailable, and Odoo plays the request
        # again a moment later.
        lock_rows(self.env.cr, "print_order", orders.ids, touch=True, nowait=False)
        self.env.cr.execute(
            SQL(
                "SELECT id FROM payment_transaction WHERE id = %s FOR NO KEY UPDATE NOWAIT",
                transaction.id,
            ),
            log_exceptions=False,
        )
        lock_rows(self.env.cr, "payment_transaction", transaction.ids, touch=True)
        orders.invalidate_recordset()
        transaction.invalidate_recordset()
        if orders:
            orders.refund_ids.invalidate_recordset()
            refunds = self._stripe_reconcile_payment(transaction, [result])
            refund_tx = refunds.filtered(
                lambda r: r.provider_refund_id == result.refund_id
            ).refund_transaction_id[:1]
            if refund_tx:
                return refund_tx.sudo()
        return self._stripe_find_refund_transaction(transaction, result.refund_id)

    @api.model
    def _cron_follow_up_refunds(self):
        """Also compare, for every Stripe payment with refunds under way or recently
        touched, or paid recently, Stripe's refunds with Odoo's."""
        res = super()._cron_follow_up_refunds()
        for transaction in self._stripe_payments_to_reconcile():
            # Locked by a user, changed since this run began, or Stripe unreachable: the
            # next run reconciles it.
            with left_for_next_run(
                self.env.cr,
                _logger,
                "Payment %s: refunds not reconciled now: %s",
                transaction.id,
                errors=(stripe_refunds.StripeRefundError,),
            ):
                self._stripe_reconcile_from_stripe(transaction)
        self._stripe_resend_unconfirmed()
        return res

    @api.model
    def _stripe_resend_unconfirmed(self):
        """Send again, under their own key, the refunds Stripe never confirmed and that the
        reconciliation did not find on Stripe either (after a quarter of an hour)."""
        stale = fields.Datetime.subtract(fields.Datetime.now(), minutes=15)
        unconfirmed = self.sudo().search(
            [
                ("state", "=", "pending"),
                ("method", "=", refund_planning.AUTOMATIC),
                ("provider_refund_id", "=", False),
                ("write_date", "<", stale),
            ]
        )
        for refund in unconfirmed:
            with left_for_next_run(
                self.env.cr, _logger, "Refund %s: not sent again now: %s", refund.name
            ):
                refund._lock_money()
                # Sending looks on Stripe first: a refund made with its key is kept.
                if refund.state == "pending" and not refund.provider_refund_id:
                    refund._set_draft()
                    refund._send()

    @api.model
    def _stripe_payments_to_reconcile(self):
        params = self.env["ir.config_parameter"].sudo()
        days = int(params.get_param(RECONCILE_DAYS_PARAM, "7"))
        since = fields.Datetime.subtract(fields.Datetime.now(), days=days)
        refunds = self.sudo().search(
            ["|", ("state", "in", ("draft", "pending")), ("write_date", ">=", since)]
        )
        Transaction = self.env["payment.transaction"].sudo()
        return Transaction.search(
            [
                ("provider_code", "=", "stripe"),
                ("operation", "!=", "refund"),
                ("state", "=", "done"),
                ("provider_reference", "!=", False),
                ("print_order_ids", "!=", False),
                "|",
                ("id", "in", refunds.source_transaction_id.ids),
                ("last_state_change", ">=", since),
            ],
            order="last_state_change desc, id desc",
            limit=RECONCILE_BATCH,
        )

    @api.model
    def _stripe_reconcile_from_stripe(self, transaction):
        """Read the payment's refunds on Stripe and reconcile Odoo's with them."""
        self._lock_money(orders=transaction.print_order_ids, transactions=transaction)
        probe = self.sudo().new({"source_transaction_id": transaction.id})
        results = probe._stripe_gateway().list_refunds(transaction.provider_reference)
        return self._stripe_reconcile_payment(transaction, results)
