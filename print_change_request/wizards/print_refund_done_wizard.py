from odoo import api, fields, models


class PrintRefundDoneWizard(models.TransientModel):
    """ "Mark as refunded": the accountant gave the money back by hand and says how, as on
    Odoo's "Register payment" (``account.payment.register``): the reference, the journal the
    money went out of, and the date.  Confirming books the outbound payment
    (:meth:`print.refund.action_mark_done`)."""

    _name = "print.refund.done.wizard"
    _description = "Mark a refund as made by hand"
    _check_company_auto = True

    refund_id = fields.Many2one(
        comodel_name="print.refund", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="refund_id.company_id")
    currency_id = fields.Many2one(related="refund_id.currency_id")
    partner_id = fields.Many2one(related="refund_id.partner_id")
    amount = fields.Monetary(related="refund_id.amount")
    reference = fields.Char(
        string="Refund reference",
        compute="_compute_reference",
        store=True,
        readonly=False,
        help="How the money went back: bank transfer reference, cash receipt...",
    )
    journal_id = fields.Many2one(
        comodel_name="account.journal",
        compute="_compute_journal_id",
        store=True,
        readonly=False,
        check_company=True,
        domain="[('type', 'in', ('bank', 'cash')), "
        "('outbound_payment_method_line_ids', '!=', False)]",
        help="The bank or cash journal the money went out of.",
    )
    available_payment_method_line_ids = fields.Many2many(
        comodel_name="account.payment.method.line",
        compute="_compute_available_payment_method_line_ids",
    )
    payment_method_line_id = fields.Many2one(
        comodel_name="account.payment.method.line",
        string="Payment method",
        compute="_compute_payment_method_line_id",
        store=True,
        readonly=False,
        domain="[('id', 'in', available_payment_method_line_ids)]",
    )
    payment_date = fields.Date(
        string="Refunded on", required=True, default=fields.Date.context_today
    )

    @api.depends("refund_id")
    def _compute_reference(self):
        for wizard in self:
            wizard.reference = wizard.refund_id.manual_reference

    @api.depends("refund_id")
    def _compute_journal_id(self):
        for wizard in self:
            if not wizard.journal_id:
                wizard.journal_id = wizard.refund_id._get_default_refund_journal()

    @api.depends("journal_id")
    def _compute_available_payment_method_line_ids(self):
        for wizard in self:
            wizard.available_payment_method_line_ids = (
                wizard.journal_id._get_available_payment_method_lines("outbound")
            )

    @api.depends("journal_id")
    def _compute_payment_method_line_id(self):
        for wizard in self:
            lines = wizard.journal_id._get_available_payment_method_lines("outbound")
            if wizard.payment_method_line_id not in lines:
                wizard.payment_method_line_id = lines[:1]

    def action_confirm(self):
        """Mark the refund done and book the money that went out; the dialog then closes,
        or says why the refund was not marked done."""
        self.ensure_one()
        result = self.refund_id.action_mark_done(
            reference=self.reference,
            journal_id=self.journal_id.id,
            payment_method_line_id=self.payment_method_line_id.id,
            payment_date=fields.Date.to_string(self.payment_date),
        )
        if isinstance(result, dict):
            result.setdefault("params", {})["next"] = {"type": "ir.actions.act_window_close"}
            return result
        return {"type": "ir.actions.act_window_close"}
