from odoo import models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def reconcile(self):
        """A manual print refund is done once its credit note is paid, however the
        accountant matched the payment (Register payment, bank reconciliation...)."""
        res = super().reconcile()
        credit_notes = self.move_id.filtered(lambda move: move.move_type == "out_refund")
        if credit_notes:
            self.env["print.refund"].sudo().search(
                [("credit_note_id", "in", credit_notes.ids), ("state", "=", "pending")]
            )._check_credit_note_paid()
        return res
