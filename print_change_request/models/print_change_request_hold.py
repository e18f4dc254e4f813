from odoo import fields, models


class PrintChangeRequest(models.Model):
    """The authorized payments a request for change released (the hold on the customer's
    card), for the customer's e-mail and page."""

    _inherit = "print.change.request"  # pylint: disable=consider-merging-classes-inherited

    released_transaction_ids = fields.Many2many(
        comodel_name="payment.transaction",
        relation="print_change_request_released_tx_rel",
        column1="request_id",
        column2="transaction_id",
        string="Authorizations released",
        readonly=True,
        copy=False,
        help="The customer's authorized payments this request released (or is releasing): "
        "nothing was charged.",
    )

    def _record_released_holds(self, transactions):
        """Remember, on each request, the authorized payments of its order that it released
        (or left to release): ``transactions``, as the release returned them."""
        for request in self:
            held = transactions.filtered(
                lambda tx, request=request: request.order_id in tx.print_order_ids
            )
            if held:
                request.sudo().released_transaction_ids = [
                    fields.Command.link(tx.id) for tx in held
                ]

    def _get_released_holds(self):
        """``{"released": payments voided, "releasing": payments still to be released}`` of
        the request (empty for none, or for payments captured meanwhile)."""
        transactions = self.sudo().released_transaction_ids
        return {
            "released": transactions.filtered(lambda tx: tx.state == "cancel"),
            "releasing": transactions.filtered(lambda tx: tx.state == "authorized"),
        }
