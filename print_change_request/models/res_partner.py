from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def signup_prepare(self, signup_type="signup"):
        """Odoo prepares the customer's signup on every portal notification (each request for
        change e-mail), writing the same value again.  That write made every request to a
        customer update the customer's row, so that two operators working on two orders of
        one customer collided (a serialization failure, and the whole request played again).
        Only partners whose signup type changes are written."""
        changing = self.filtered(lambda partner: partner.sudo().signup_type != signup_type)
        super(ResPartner, changing).signup_prepare(signup_type)
        return True
