from odoo import fields, models
from odoo.tools import SQL


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
        instead of deadlocking with it (both write the order and its jobs)."""
        orders = self.print_order_ids | self.source_transaction_id.print_order_ids
        if orders:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM print_order WHERE id IN %s ORDER BY id FOR UPDATE",
                    tuple(orders.ids),
                )
            )
        txs_to_process = super()._update_state(allowed_states, target_state, state_message)
        txs_to_process.print_refund_ids._sync_from_transaction()
        return txs_to_process

    def _log_message_on_linked_documents(self, message):
        """Also log payment messages on the print orders the transaction pays or refunds."""
        res = super()._log_message_on_linked_documents(message)
        author = self.env.user.partner_id if self.env.is_superuser() else self.partner_id
        for order in self.print_order_ids or self.source_transaction_id.print_order_ids:
            order.message_post(body=message, author_id=author.id)
        return res
