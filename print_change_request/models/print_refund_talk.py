from odoo import models


class PrintRefund(models.Model):
    """The shop tells the customer when their refund is done (models/print_order_talk.py)."""

    _inherit = "print.refund"  # pylint: disable=consider-merging-classes-inherited

    def _set_done(self):
        res = super()._set_done()
        for refund in self.filtered(lambda refund: refund.state == "done"):
            refund.order_id._send_print_confirmation(
                "print_change_request.mail_template_refund_done",
                render_context={"print_refund_id": refund.id},
            )
        return res
