from odoo import api, models


class PrintRefund(models.Model):
    _inherit = "print.refund"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _cron_follow_up_refunds(self):
        """The hourly follow-up also follows the authorized payments (print_order_capture.py)."""
        res = super()._cron_follow_up_refunds()
        self.env["print.order"]._cron_follow_up_authorizations()
        return res
