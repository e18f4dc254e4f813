from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    print_capture_before_expiry = fields.Boolean(
        string="Capture authorizations before they expire",
        help="When a payment authorized for a print order is about to expire (Stripe: 7 days) "
        "and the order is not accepted yet, capture it then instead of giving the "
        "responsible a to-do.",
    )
