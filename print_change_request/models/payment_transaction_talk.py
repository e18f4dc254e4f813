from odoo import models


class PaymentTransaction(models.Model):
    """The shop confirms a print order's online payment to the customer, once, after Odoo
    post-processed it (models/print_order_talk.py)."""

    _inherit = "payment.transaction"  # pylint: disable=consider-merging-classes-inherited

    def _post_process(self):
        to_confirm = self.filtered(
            lambda tx: (
                tx.state == "done"
                and tx.operation not in ("refund", "validation")
                and tx.print_order_ids
                and not tx.is_post_processed
            )
        )
        res = super()._post_process()
        for tx in to_confirm.filtered("is_post_processed"):
            tx.print_order_ids._send_print_confirmation(
                "print_change_request.mail_template_order_paid",
                render_context={"print_transaction_id": tx.id},
            )
        return res
