from odoo import Command, fields, models

from ..lib import refund_planning
from .print_row_lock_mixin import lock_rows


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

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

    def _update_state(self, allowed_states, target_state, state_message):
        """Print refunds follow their refund transaction, whoever moved it (our refund call,
        a Stripe webhook, Odoo's own Stripe webhook or status poll).

        The print orders are locked first, as every money path of the addon does: a payment
        settling while an operator requests a change to its order waits for the request
        instead of deadlocking with it (both write the order and its jobs).

        A payment of print orders that settles is compared with what its orders are due:
        any excess is held back for the accountants (``print.refund._flag_overpayments``)."""
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

    def _log_message_on_linked_documents(self, message):
        """Also log payment messages on the print orders the transaction pays or refunds."""
        res = super()._log_message_on_linked_documents(message)
        for order in self.print_order_ids or self.source_transaction_id.print_order_ids:
            order.message_post(body=message, author_id=order._get_print_system_author().id)
        return res

    def _post_process(self):
        """Before Odoo posts and reconciles a done payment of print orders: link it to the
        orders' open invoice, or, when the company invoices at payment, to a new invoice.

        First of all, the orders' and then the payments' rows are taken, waiting, as the
        addon's money paths take them (with a refund's payment): Odoo's post-processing (its
        cron, the customer's status poll) makes the payment's journal entry and writes the
        transaction only after, so a money path holding the transaction while it posts its
        own entry deadlocked with it on the entries' numbers.  Waiting here holds nothing
        yet; a money path never waits for a transaction's row (it is told at once that it
        is held)."""
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
        for tx in self.filtered(
            lambda tx: (
                tx.state == "done"
                and tx.operation not in ("refund", "validation")
                and tx.print_order_ids
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
        return res

    def _book_print_payments_refunded_early(self):
        """Odoo books no payment for a transaction one of whose children is done (meant for
        partial captures and voids, whose children are booked instead): a print payment
        refunded before it was post-processed (an overpayment sent back at once) would keep
        its money in nowhere while its refund's payment went out.  Book it."""
        for tx in self.filtered(
            lambda tx: (
                tx.state == "done"
                and tx.operation not in ("refund", "validation")
                and tx.print_order_ids
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
