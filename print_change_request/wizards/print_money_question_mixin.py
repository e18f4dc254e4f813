from odoo import api, fields, models


class PrintMoneyQuestionMixin(models.AbstractModel):
    """The question the Request for change dialog asks before sending, when the orders hold
    the customer's money: "already paid" (refund) or "only authorized" (release).  OK and
    Cancel both send the request, with the money handled automatically or by hand; closing
    the question does nothing at all.  Each question names its transactions and its answers."""

    _name = "print.money.question.mixin"
    _description = "Question on the customer's money before a request for change"

    request_wizard_id = fields.Many2one(
        comodel_name="print.change.request.wizard", required=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="request_wizard_id.currency_id")
    provider_names = fields.Char(compute="_compute_provider_names")

    @api.depends("request_wizard_id")
    def _compute_provider_names(self):
        for wizard in self:
            providers = wizard._get_question_transactions().provider_id
            wizard.provider_names = ", ".join(providers.mapped("name"))

    def _get_question_transactions(self):
        """The payment transactions (sudo) the question is about."""
        raise NotImplementedError

    def _answer(self, **methods):
        """Send the request with the money handled as answered (``refund_method``,
        ``release_method``), if the operator may still send it."""
        self.ensure_one()
        self.request_wizard_id.check_access("write")
        return self.request_wizard_id._execute(**methods)
