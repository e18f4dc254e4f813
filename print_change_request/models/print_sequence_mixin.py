from odoo import api, fields, models


class PrintSequenceMixin(models.AbstractModel):
    """A reference taken from the sequence named by ``_sequence_code`` (per company) when
    the record is created."""

    _name = "print.sequence.mixin"
    _description = "Reference from a sequence"
    _sequence_code = None

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        index="trigram",
        default=lambda self: self.env._("New"),
    )

    @api.model_create_multi
    def create(self, vals_list):
        new = self.env._("New")
        for vals in vals_list:
            if vals.get("name", new) == new:
                company = (
                    self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                )
                vals["name"] = (
                    self.env["ir.sequence"].with_company(company).next_by_code(self._sequence_code)
                    or new
                )
        return super().create(vals_list)
