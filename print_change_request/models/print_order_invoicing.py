from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..lib import communication_state as cs


class PrintOrderInvoicing(models.Model):
    """An order's invoices: the "Create invoice" button and the invoice of an online
    payment, with what was already paid and the order's taxes."""

    _inherit = "print.order"

    invoice_ids = fields.One2many(
        comodel_name="account.move",
        inverse_name="print_order_id",
        string="Invoices",
        readonly=True,
        copy=False,
    )
    invoice_count = fields.Integer(compute="_compute_invoice_count")

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends("invoice_ids")
    def _compute_invoice_count(self):
        for order in self:
            order.invoice_count = len(order.invoice_ids)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", self.invoice_ids.ids)]
        action["context"] = {
            "default_move_type": "out_invoice",
            "default_partner_id": self.partner_id.id,
            "default_print_order_id": self.id,
        }
        return action

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    def _get_open_invoices(self, drafts=False):
        """The order's customer invoices that wait for payment: the posted ones, and with
        ``drafts`` the drafts too (an invoice being prepared is open as well)."""
        self.ensure_one()
        states = ("draft", "posted") if drafts else ("posted",)
        return self.sudo().invoice_ids.filtered(
            lambda move: (
                move.move_type == "out_invoice"
                and move.state in states
                and move.payment_state in ("not_paid", "partial")
            )
        )

    def _get_invoice_for_payment(self):
        """The invoice the customer pays the amount due with: the open one, or a new posted
        invoice of the live jobs (less what was paid already).  Needs invoicing rights."""
        self.ensure_one()
        invoice = self._get_open_invoices()[-1:].sudo(False)
        if invoice:
            return invoice
        invoice = self._build_print_invoice(paid=self.amount_paid)
        invoice.action_post()
        self.message_post(
            body=self.env._(
                "Invoice %(invoice)s created for the amount due.", invoice=invoice.name
            )
        )
        return invoice

    # ------------------------------------------------------------
    # INVOICING (the "Create invoice" button, the invoice at online payment)
    # ------------------------------------------------------------

    def action_create_invoice(self):
        """Create and post the customer invoice of each order (its live jobs as lines), reconcile
        it with the online payments of the order that no invoice covers yet, and open it.

        Only operators who may also invoice (Odoo's Billing group) can do it; an order that
        already has an invoice waiting for payment, or nothing to invoice, is refused."""
        self._check_operator()
        if not self.env.su and not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(
                self.env._(
                    "Only users who may create invoices (Invoicing / Billing) can invoice print "
                    "orders: ask your accountant."
                )
            )
        self._lock_for_update()
        invoices = self.env["account.move"]
        for order in self:
            invoices |= order._create_print_invoice()
        return invoices._get_records_action(name=self.env._("Invoices"))

    def _check_can_invoice(self):
        self.ensure_one()
        if self.communication_state == cs.CANCELED:
            raise UserError(
                self.env._(
                    "Order %(order)s is canceled: there is nothing to invoice.", order=self.name
                )
            )
        open_invoices = self._get_open_invoices(drafts=True)
        if open_invoices:
            raise UserError(
                self.env._(
                    "Order %(order)s already has invoice %(invoice)s waiting for payment: send "
                    "or cancel that one first.",
                    order=self.name,
                    invoice=", ".join(open_invoices.mapped(lambda move: move.name or "/")),
                )
            )
        if not self._get_live_jobs():
            raise UserError(
                self.env._(
                    "Order %(order)s has no job to invoice: add a job first.", order=self.name
                )
            )

    def _prepare_print_invoice_line_vals(self):
        """The live jobs' priced lines (media, printing, finishing; or the price set by hand),
        copies as quantity, with the taxes the order's amounts were computed with: the
        invoice's total is the order's."""
        self.ensure_one()
        return [
            {
                "name": line["name"],
                "product_id": line["product"].id,
                "quantity": line["quantity"],
                "price_unit": line["price_unit"],
                "tax_ids": [Command.set(line["taxes"].ids)],
            }
            for job in self._get_live_jobs()
            for line in job._get_price_lines()
        ]

    def _prepare_already_paid_line_vals(self, line_vals, amount):
        """Lines that deduct ``amount`` (taxes included), paid already, from an invoice of
        ``line_vals``, with their taxes in proportion (:meth:`_split_by_taxes`).  The invoice
        then declares the taxes of what it still asks for only; an untaxed deduction would
        declare the taxes of the whole order again, those of the part paid before included."""
        self.ensure_one()
        AccountTax = self.env["account.tax"]
        weighted = []
        for vals in line_vals:
            taxes = AccountTax.browse(
                [tax_id for command in vals.get("tax_ids", []) for tax_id in command[2] or []]
            )
            base_line = AccountTax._prepare_base_line_for_taxes_computation(
                {},
                tax_ids=taxes,
                price_unit=vals["price_unit"],
                quantity=vals["quantity"],
                currency_id=self.currency_id,
            )
            AccountTax._add_tax_details_in_base_line(base_line, self.company_id)
            weighted.append((taxes, base_line["tax_details"]["raw_total_included_currency"]))
        return [
            {
                "name": self.env._("Already paid"),
                "quantity": 1,
                "price_unit": -excluded,
                "tax_ids": [Command.set(taxes.ids)],
            }
            for taxes, excluded, _index in self._split_by_taxes(weighted, amount)
        ]

    def _split_by_taxes(self, weighted, amount):
        """Share ``amount`` (taxes included) among ``weighted`` ``[(taxes, total included)]``
        as their totals are, one share per set of taxes: ``[(taxes, share less those taxes,
        index of the first line of that set)]``.  Without a total to share by, one untaxed
        share.  Used for what goes back or was paid before, so that its taxes follow the
        taxes of what it stands for."""
        self.ensure_one()
        AccountTax = self.env["account.tax"]
        currency = self.currency_id
        shares = {}
        for index, (taxes, total) in enumerate(weighted):
            share = shares.setdefault(
                tuple(sorted(taxes.ids)), {"taxes": taxes, "total": 0.0, "index": index}
            )
            share["total"] += total
        grand_total = sum(share["total"] for share in shares.values())
        if currency.is_zero(grand_total):
            shares, grand_total = {(): {"taxes": AccountTax, "total": 1.0, "index": 0}}, 1.0
        result = []
        for share in shares.values():
            base_line = AccountTax._prepare_base_line_for_taxes_computation(
                {},
                tax_ids=share["taxes"],
                price_unit=amount * share["total"] / grand_total,
                quantity=1.0,
                currency_id=currency,
                special_mode="total_included",
            )
            AccountTax._add_tax_details_in_base_line(base_line, self.company_id)
            excluded = base_line["tax_details"]["raw_total_excluded_currency"]
            result.append((share["taxes"], excluded, share["index"]))
        return result

    def _prepare_print_invoice_vals(self, line_vals):
        self.ensure_one()
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "print_order_id": self.id,
            "invoice_origin": self.name,
            "invoice_user_id": self.user_id.id,
            "fiscal_position_id": self.fiscal_position_id.id,
            "invoice_line_ids": [Command.create(vals) for vals in line_vals],
        }

    def _build_print_invoice(self, paid=0.0):
        """The one builder of the order's invoices: a draft customer invoice of the live
        jobs, less ``paid`` (taxes included) that the order was paid before, with a link to
        the portal; its total is the order's total less ``paid``, to the cent.  Created as
        the caller: Odoo's invoicing rights apply (the order in sudo for a payment)."""
        self.ensure_one()
        currency = self.currency_id
        line_vals = self._prepare_print_invoice_line_vals()
        paid = currency.round(paid)
        if currency.compare_amounts(paid, 0.0) > 0:
            line_vals += self._prepare_already_paid_line_vals(line_vals, paid)
        else:
            paid = 0.0
        invoice = self.env["account.move"].create(self._prepare_print_invoice_vals(line_vals))
        invoice._round_to_total(self.amount_total - paid)
        invoice._portal_ensure_token()
        return invoice

    def _get_uninvoiced_payment_transactions(self):
        """Done online payments of the order that no invoice covers yet."""
        self.ensure_one()
        return self.sudo().transaction_ids.filtered(
            lambda tx: (
                tx.state == "done"
                and tx.operation not in ("refund", "validation")
                and not tx.invoice_ids
            )
        )

    def _create_print_invoice(self):
        """Create and post the order's invoice as the caller (Odoo's invoicing rights apply),
        then link and reconcile the order's payments that no invoice covers yet."""
        self.ensure_one()
        self._check_can_invoice()
        invoice = self._build_print_invoice()
        invoice.action_post()
        for tx in self._get_uninvoiced_payment_transactions():
            # As Odoo's own post-processing does for a payment made for an invoice.
            tx.invoice_ids = [Command.link(invoice.id)]
            if tx.payment_id:
                (tx.payment_id.move_id.line_ids + invoice.line_ids).filtered(
                    lambda line, tx=tx: (
                        line.account_id == tx.payment_id.destination_account_id
                        and not line.reconciled
                    )
                ).reconcile()
        self.message_post(
            body=self.env._("Invoice %(invoice)s created.", invoice=invoice._get_html_link())
        )
        return invoice

    def _create_invoice_for_transaction(self, tx):
        """The draft invoice an online payment pays (Odoo posts and reconciles it after the
        transaction): the live jobs, less what the order had been paid before."""
        self.ensure_one()
        paid = tx.currency_id._convert(tx.amount, self.currency_id, self.company_id)
        # The order's amount paid already counts this (done) transaction.
        invoice = self.sudo()._build_print_invoice(paid=self.amount_paid - paid)
        self.message_post(
            body=self.env._(
                "Invoice %(invoice)s created for the online payment %(payment)s.",
                invoice=invoice._get_html_link(),
                payment=tx.reference,
            )
        )
        return invoice
