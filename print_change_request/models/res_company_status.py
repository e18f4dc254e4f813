from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    print_status_mail = fields.Boolean(
        string="Status e-mails to customers",
        default=True,
        help="E-mail the customer when their print order is accepted, dispatched and "
        "finalized (templates 'Print Shop: order accepted', '... dispatched', "
        "'... finalized'). The order's page shows its state either way.",
    )
