from odoo import api, fields, models

from .print_job import PREFLIGHT_STATES

# Which state an order shows when its jobs differ: the one that needs the most attention.
PREFLIGHT_PRECEDENCE = ["error", "warning", "pending", "ok"]


class PrintOrder(models.Model):
    """The order shows the preflight state of its job that needs the most attention."""

    _inherit = "print.order"

    preflight_state = fields.Selection(
        selection=PREFLIGHT_STATES,
        string="Preflight",
        compute="_compute_preflight_state",
        store=True,
        index=True,
        help="The worst preflight state of the order's jobs.",
    )

    @api.depends("job_ids.preflight_state")
    def _compute_preflight_state(self):
        for order in self:
            states = set(order.job_ids.mapped("preflight_state"))
            order.preflight_state = next(
                (state for state in PREFLIGHT_PRECEDENCE if state in states), False
            )
