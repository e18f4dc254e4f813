import logging

from odoo import api, models

from ..lib import communication_state as cs
from ..lib import refund_planning

_logger = logging.getLogger(__name__)


class PrintRefundOverpayment(models.Model):
    """Money an order received beyond what it is due, held back for the accountants as
    refunds to check."""

    _inherit = "print.refund"

    # ------------------------------------------------------------
    # BUSINESS METHODS: overpayments
    # ------------------------------------------------------------

    # Money an order received beyond what it is due (two browser tabs paying the same
    # order, a payment settling after the order was canceled) is never kept silently: it
    # becomes a refund held for the accountants ("To check", with a to-do), which they send
    # automatically, make by hand, or cancel to keep the money.
    @api.model
    def _flag_overpayments(self, orders, transactions):
        """Compare what ``orders`` received with what they are due (a canceled order is due
        nothing) now that ``transactions`` settled, and hold the excess back for the
        accountants as refunds to check.  Called when payments settle, under the orders'
        row locks (see ``payment.transaction._update_state``).  The excess refunds count as
        refunded at once, so settling again, or another payment settling after, finds no
        excess twice."""
        created = self.browse()
        for order in orders.sudo():
            currency = order.currency_id
            canceled = order.communication_state == cs.CANCELED
            due = 0.0 if canceled else order.amount_total
            paid = order._get_amount_received() - order._get_amount_refunded()
            excess = currency.round(paid - due)
            if currency.compare_amounts(excess, 0.0) <= 0:
                continue
            plan = refund_planning.plan_refunds(
                excess, order._get_refund_sources(), True, rounding=currency.rounding
            )
            refunds = self.sudo().create(
                [
                    {
                        "order_id": order.id,
                        "company_id": order.company_id.id,
                        "currency_id": currency.id,
                        "amount": planned.amount,
                        "method": planned.method,
                        "source_transaction_id": planned.source,
                        "origin": "overpaid",
                        "state": "draft",
                    }
                    for planned in plan
                ]
            )
            for refund, planned in zip(refunds, plan, strict=True):
                if planned.method == refund_planning.MANUAL:
                    refund._set_pending(why=planned.reason)
                refund._flag(refund._overpayment_text(canceled, excess, transactions))
                refund._post_on_order(
                    body=self.env._(
                        "The order received %(excess)s more than it is due: refund "
                        "%(refund)s holds it back for the accountants to check.",
                        excess=currency.format(excess),
                        refund=refund.name,
                    )
                )
            created |= refunds
        return created

    def _overpayment_text(self, canceled, excess, transactions):
        """What the accountants read on an excess refund: why, and what to do."""
        self.ensure_one()
        order = self.order_id
        if canceled:
            why = self.env._(
                "Order %(order)s is canceled, yet a payment (%(payments)s) settled for it: it "
                "is due nothing, so %(excess)s is to be given back.",
                order=order.name,
                payments=", ".join(transactions.mapped("reference")),
                excess=order.currency_id.format(excess),
            )
        else:
            why = self.env._(
                "Order %(order)s received %(excess)s more than its total of %(total)s (e.g. "
                "the customer paid twice, in two browser tabs); last payment: %(payments)s.",
                order=order.name,
                excess=order.currency_id.format(excess),
                total=order.currency_id.format(order.amount_total),
                payments=", ".join(transactions.mapped("reference")),
            )
        if self.method == refund_planning.AUTOMATIC:
            what = self.env._(
                'Refund %(amount)s with "Send refund" (through the payment provider), or '
                '"Refund by hand", or cancel the refund to keep the money.',
                amount=self._amount_label(),
            )
        else:
            what = self.env._(
                "The payment cannot be refunded automatically: give %(amount)s back by hand, "
                "then mark the refund as done with its reference, or cancel the refund to keep "
                "the money.",
                amount=self._amount_label(),
            )
        return f"{why} {what}"
