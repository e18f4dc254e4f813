from odoo import api, fields, models
from odoo.exceptions import UserError


class PrintOrderUnpaidWizard(models.TransientModel):
    """Opened by Accept when the shop requires payment and the order is not paid: says why
    (never paid, refunded after a request for change, invoice waiting) and offers the ways
    forward: a payment link (Odoo's own), the invoice, or, for a manager, accepting the
    order unpaid on purpose."""

    _name = "print.order.unpaid.wizard"
    _description = "Accept an order that is not paid"

    order_id = fields.Many2one(comodel_name="print.order", required=True, readonly=True)
    message = fields.Text(compute="_compute_message")
    currency_id = fields.Many2one(related="order_id.currency_id")
    amount_due = fields.Monetary(compute="_compute_message")
    can_invoice = fields.Boolean(compute="_compute_rights")
    is_manager = fields.Boolean(compute="_compute_rights")
    reason = fields.Text(
        string="Why accept it unpaid",
        help="Written in the order's chatter with your name when you accept it unpaid.",
    )

    @api.depends("order_id")
    def _compute_message(self):
        for wizard in self:
            wizard.message = wizard.order_id._get_unpaid_message()
            wizard.amount_due = wizard.order_id._get_amount_due()

    @api.depends_context("uid")
    def _compute_rights(self):
        user = self.env.user
        for wizard in self:
            wizard.can_invoice = user.has_group("account.group_account_invoice")
            wizard.is_manager = user.has_group("print_change_request.group_print_manager")

    @api.model
    def _open_for(self, order):
        wizard = self.create({"order_id": order.id})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Order %s is not paid", order.name),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def _check_can_invoice(self):
        if not self.env.user.has_group("account.group_account_invoice"):
            raise UserError(
                self.env._(
                    "Only users with invoicing rights can invoice an order or send a payment "
                    "link. Ask an accountant."
                )
            )

    def action_send_payment_link(self):
        """Odoo's "Generate a Payment Link" dialog for the invoice of the amount due: the
        user copies the link and gives it to the customer (nothing is e-mailed)."""
        self.ensure_one()
        self._check_can_invoice()
        invoice = self.order_id._get_invoice_for_payment()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_payment.action_invoice_order_generate_link"
        )
        action["context"] = {"active_model": "account.move", "active_id": invoice.id}
        return action

    def action_invoice(self):
        """Invoice the amount due and open the invoice (to send it, or register a payment)."""
        self.ensure_one()
        self._check_can_invoice()
        invoice = self.order_id._get_invoice_for_payment()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": invoice.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def action_open_accept_unpaid(self):
        """ "Accept unpaid...": the same dialog, asking the manager why."""
        self.ensure_one()
        self.order_id._check_can_accept_unpaid()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Accept order %s without payment", self.order_id.name),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [
                (
                    self.env.ref(
                        "print_change_request.print_order_unpaid_wizard_view_form_reason"
                    ).id,
                    "form",
                )
            ],
            "target": "new",
        }

    def action_accept_unpaid(self):
        """A manager accepts the order without payment; the reason is written in the
        chatter, so it must be given."""
        self.ensure_one()
        self.order_id._check_can_accept_unpaid()
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(
                self.env._(
                    "Say why order %(order)s is accepted without payment: the reason is "
                    "written in the order's chatter with your name.",
                    order=self.order_id.name,
                )
            )
        return self.order_id._accept_unpaid(reason=reason)
