from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    print_payment_required = fields.Boolean(
        string="Print orders must be paid before acceptance",
        help="When set, an order with a price can be accepted only once it is paid.",
    )
    print_reminder_days = fields.Integer(
        string="Remind customers after (days)",
        default=3,
        help="Days without an answer after which the customer is reminded of a request for "
        "change, and between two reminders. 0 sends no reminder.",
    )
    print_reminder_max = fields.Integer(
        string="Reminders at most",
        default=2,
        help="How many reminders a customer gets for one request for change.",
    )
    print_deadline_days = fields.Integer(
        string="Deadline for the customer's answer (days)",
        default=7,
        help="Days without an answer after which the order's responsible gets a to-do to "
        "decide whether to go on without the customer. 0 sets no deadline.",
    )
    print_refund_user_id = fields.Many2one(
        comodel_name="res.users",
        string="Refunds handled by",
        domain="[('share', '=', False), ('company_ids', 'in', id)]",
        help="Gets a to-do for each refund to make by hand. Default: an accounting administrator.",
    )
    print_preflight_min_dpi = fields.Integer(
        string="Minimum image resolution (dpi)",
        default=150,
        help="The preflight warns about images below this resolution at print size.",
    )
