from odoo import api, fields, models


class PrintChangeRequestWizard(models.TransientModel):
    """A request for change on an order whose payment is only authorized (captured
    manually): the release question instead of the refund question, and the release."""

    _inherit = "print.change.request.wizard"  # pylint: disable=consider-merging-classes-inherited

    amount_to_release = fields.Monetary(compute="_compute_release_info")

    @api.depends("order_ids.amount_authorized")
    def _compute_release_info(self):
        for wizard in self:
            wizard.amount_to_release = sum(wizard.order_ids.mapped("amount_authorized"))

    def _get_release_dialog(self):
        """The release question, when an order of the request holds an authorized payment;
        else False.  Asked before anything is sent: the request is checked first."""
        self.ensure_one()
        if not self.order_ids.filtered("is_payment_authorized"):
            return False
        self._check_request()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("The customer's payment is authorized"),
            "res_model": "print.release.confirm.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_request_wizard_id": self.id},
        }

    def _release_payments(self, requests, method):
        """Release the authorized payments of the requests' orders: ``method`` "automatic"
        through the provider, "manual" by the accountants, None not at all.  Returns
        ``(released, manual, failed)`` payments."""
        Transaction = self.env["payment.transaction"].sudo()
        if not method:
            return Transaction, Transaction, Transaction
        orders = requests.order_id
        held = Transaction
        for order in orders:
            held |= order._get_authorized_transactions()
        failed = orders._release_authorized_payments(manual=method == "manual")
        requests._record_released_holds(held)  # the customer's e-mail and page say so
        manual = held if method == "manual" else Transaction
        return held - failed - manual, manual, failed

    def _result_action(self, requests, refunds, releases=None):
        action = super()._result_action(requests, refunds, releases)
        released, manual, failed = releases or (self.env["payment.transaction"],) * 3
        lines = [
            self.env._(
                "The authorized payment %(payment)s of %(amount)s was released: nothing was "
                "charged, nothing is refunded.",
                payment=tx.reference,
                amount=tx.currency_id.format(tx.amount),
            )
            if tx.state == "cancel"
            else self.env._(
                "The payment %(payment)s had been captured at the provider already: it was not "
                "released, the order is paid.",
                payment=tx.reference,
            )
            for tx in released
        ]
        lines += [
            self.env._(
                "The authorized payment %(payment)s of %(amount)s is to be released by the "
                "accountants (a to-do): nothing was charged.",
                payment=tx.reference,
                amount=tx.currency_id.format(tx.amount),
            )
            for tx in manual
        ]
        lines += [
            self.env._(
                "The release of the authorized payment %(payment)s failed: the accountants "
                "have a to-do, and Odoo tries again every hour.",
                payment=tx.reference,
            )
            for tx in failed
        ]
        if lines:
            params = action["params"]
            params["message"] = "\n".join([params["message"], *lines])
            if failed:
                params.update({"type": "warning", "sticky": True})
        return action
