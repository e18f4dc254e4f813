from odoo import Command, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    print_order_id = fields.Many2one(
        comodel_name="print.order",
        string="Print order",
        index="btree_not_null",
        copy=False,
        check_company=True,
        readonly=True,
        help="The print order this invoice or credit note belongs to.",
    )

    def _round_to_total(self, total, label=None):
        """Make this draft invoice or credit note total exactly ``total``: lines whose taxes
        were shared in proportion (a deduction of what was paid, a partial refund) may leave
        a cent or two of rounding; it goes on an untaxed line, so that the document and the
        payment it is for match to the cent."""
        self.ensure_one()
        rest = self.currency_id.round(total - self.amount_total)
        if self.currency_id.is_zero(rest):
            return
        line = self.invoice_line_ids.filtered(lambda ln: ln.display_type == "product")[:1]
        self.write(
            {
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": label or self.env._("Rounding"),
                            "quantity": 1,
                            # a credit note's lines are positive amounts given back
                            "price_unit": rest,
                            "account_id": line.account_id.id,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ]
            }
        )
