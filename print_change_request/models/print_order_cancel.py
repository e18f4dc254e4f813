from odoo import models

from ..lib import communication_state as cs
from ..lib import refund_planning

#: The refund question's buttons cancel through ``action_cancel`` with this very object in
#: the context (``print_cancel_answered``): no RPC call can send it (JSON has no such value),
#: so a paid order canceled over RPC always asks first.
_ANSWERED = object()


class PrintOrder(models.Model):
    """Canceling an order that holds the customer's money: nothing is kept silently.

    A paid order asks the refund question first (``print.order.cancel.wizard``: OK refunds
    through the payment provider, Cancel leaves a manual refund to the accountants); an
    authorized payment is released (print_order_capture.py); the customer is told by e-mail
    what happens to their money, and their page says it.  An unpaid order is canceled as
    before."""

    _inherit = "print.order"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_cancel(self):
        """Cancel the orders.  When one holds the customer's payment, nothing is canceled
        yet: the refund question opens (its buttons cancel, see
        :meth:`_print_cancel_with_refunds`).  An authorized payment is released and the
        customer told."""
        if self.env.context.get("print_cancel_answered") is _ANSWERED:
            # The question was answered (_print_cancel_with_refunds): cancel, release.
            answered = self.with_context(print_cancel_answered=False)
            return super(PrintOrder, answered).action_cancel()
        self._check_operator()
        self._lock_for_update()
        live = self.filtered(lambda order: order.communication_state != cs.CANCELED)
        live._check_not_locked()
        if live.filtered(lambda order: order._print_holds_paid_money()):
            return self.env["print.order.cancel.wizard"]._open_for(live)
        authorized = live.filtered(lambda order: order._get_authorized_transactions())
        if not authorized:
            return super().action_cancel()
        authorized._check_print_sender()
        held = {order.id: order._get_authorized_transactions() for order in authorized}
        res = super().action_cancel()  # releases the authorizations (print_order_capture.py)
        authorized._print_tell_customer_canceled(held)
        return res

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

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
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if problem else ("info" if not canceled else "success"),
                "sticky": bool(problem),
                "title": self.env._("Order canceled"),
                "message": "\n".join(lines),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
