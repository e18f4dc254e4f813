from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare

from ..lib import pricing

#: An operator's price per copy holds until the media changes (as when the unit price was the
#: media's price): a new media gives the job the shop's price again.
RESET_PRICE_FIELDS = frozenset({"product_id"})


# The price of orders and jobs is a feature of its own, kept apart as print_*_preflight.py are.
class PrintJob(models.Model):
    """A job's price: the shop's price (``lib/pricing.py``: media per sheet, printing per page,
    finishing per copy, through the customer's pricelist) with each product's taxes, unless an
    operator set the unit price by hand."""

    _inherit = "print.job"  # pylint: disable=consider-merging-classes-inherited

    printing_product_id = fields.Many2one(
        comodel_name="product.product",
        string="Printing product",
        compute="_compute_price_breakdown",
        store=True,
        precompute=True,
        help="The shop's product that prices one printed page in the job's colour mode.",
    )
    finishing_product_id = fields.Many2one(
        comodel_name="product.product",
        string="Finishing product",
        compute="_compute_price_breakdown",
        store=True,
        precompute=True,
        help="The shop's product that prices the job's finishing, per copy.",
    )
    print_sheets = fields.Integer(
        string="Sheets per copy",
        compute="_compute_price_breakdown",
        store=True,
        precompute=True,
        help="Sheets of media one copy takes: the pages counted by the preflight (1 while "
        "they are not counted), halved (rounded up) when printed on both sides.",
    )
    price_media = fields.Float(
        string="Media per copy",
        digits="Product Price",
        compute="_compute_price_breakdown",
        store=True,
        precompute=True,
    )
    price_printing = fields.Float(
        string="Printing per copy",
        digits="Product Price",
        compute="_compute_price_breakdown",
        store=True,
        precompute=True,
    )
    price_finishing = fields.Float(
        string="Finishing per copy",
        digits="Product Price",
        compute="_compute_price_breakdown",
        store=True,
        precompute=True,
    )
    tax_ids = fields.Many2many(
        comodel_name="account.tax",
        relation="print_job_media_tax_rel",
        column1="job_id",
        column2="tax_id",
        string="Taxes",
        compute="_compute_price_breakdown",
        store=True,
        precompute=True,
        help="The media product's taxes, as the customer's fiscal position maps them; they "
        "also tax a unit price set by hand.",
    )
    printing_tax_ids = fields.Many2many(
        comodel_name="account.tax",
        relation="print_job_printing_tax_rel",
        column1="job_id",
        column2="tax_id",
        string="Printing taxes",
        compute="_compute_price_breakdown",
        store=True,
        precompute=True,
    )
    finishing_tax_ids = fields.Many2many(
        comodel_name="account.tax",
        relation="print_job_finishing_tax_rel",
        column1="job_id",
        column2="tax_id",
        string="Finishing taxes",
        compute="_compute_price_breakdown",
        store=True,
        precompute=True,
    )
    price_unit_shop = fields.Float(
        string="Shop price per copy",
        digits="Product Price",
        compute="_compute_price_unit_shop",
        store=True,
        precompute=True,
        groups="base.group_user",
    )
    price_manual = fields.Boolean(
        string="Price set by hand",
        copy=False,
        groups="base.group_user",
        help="An operator set the unit price per copy; it holds until the media changes.",
    )
    price_unit = fields.Float(
        string="Unit price",
        digits="Product Price",
        compute="_compute_price_unit",
        store=True,
        readonly=False,
        precompute=True,
        help="The price of one copy, taxes excluded (unless the products' taxes are included "
        "in their price). The shop's price unless set by hand.",
    )
    price_subtotal = fields.Monetary(
        string="Subtotal", compute="_compute_price_amounts", store=True, precompute=True
    )
    price_tax = fields.Monetary(
        string="Total Tax", compute="_compute_price_amounts", store=True, precompute=True
    )
    price_total = fields.Monetary(
        string="Total", compute="_compute_price_amounts", store=True, precompute=True
    )

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends(
        "product_id",
        "copies",
        "color_mode",
        "sides",
        "finishing",
        "preflight_page_count",
        "order_id.partner_id",
        "order_id.fiscal_position_id",
        "order_id.currency_id",
        "order_id.company_id",
    )
    def _compute_price_breakdown(self):
        """The shop's settings and pricelists are read when the ticket changes; changing them
        later does not reprice existing jobs (as a sale order keeps its prices)."""
        for job in self:
            if not job.order_id:
                continue
            quote = job.order_id._get_print_quote(job.product_id, job._get_pricing_ticket())
            job.update(
                {
                    "printing_product_id": quote["products"][pricing.PRINTING],
                    "finishing_product_id": quote["products"][pricing.FINISHING],
                    "print_sheets": quote["breakdown"].ticket.sheets,
                    "price_media": quote["breakdown"].media,
                    "price_printing": quote["breakdown"].printing,
                    "price_finishing": quote["breakdown"].finishing,
                    "tax_ids": quote["taxes"][pricing.MEDIA],
                    "printing_tax_ids": quote["taxes"][pricing.PRINTING],
                    "finishing_tax_ids": quote["taxes"][pricing.FINISHING],
                }
            )

    @api.depends("price_media", "price_printing", "price_finishing")
    def _compute_price_unit_shop(self):
        for job in self:
            job.price_unit_shop = job.price_media + job.price_printing + job.price_finishing

    @api.depends("price_unit_shop", "price_manual")
    def _compute_price_unit(self):
        for job in self:
            if not job.price_manual:
                job.price_unit = job.price_unit_shop

    @api.depends(
        "price_unit",
        "price_unit_shop",
        "copies",
        "tax_ids",
        "printing_tax_ids",
        "finishing_tax_ids",
        "order_id.currency_id",
        "order_id.partner_id",
    )
    def _compute_price_amounts(self):
        AccountTax = self.env["account.tax"]
        for job in self:
            if not job.order_id:
                job.price_subtotal = job.price_tax = job.price_total = 0.0
                continue
            base_lines = job._get_price_base_lines()
            AccountTax._add_tax_details_in_base_lines(base_lines, job.company_id)
            subtotal = sum(
                line["tax_details"]["raw_total_excluded_currency"] for line in base_lines
            )
            total = sum(line["tax_details"]["raw_total_included_currency"] for line in base_lines)
            job.price_subtotal = subtotal
            job.price_total = total
            job.price_tax = total - subtotal

    # ------------------------------------------------------------
    # CONSTRAINTS AND ONCHANGES
    # ------------------------------------------------------------

    @api.constrains("price_unit")
    def _check_price_unit(self):
        for job in self:
            if job.price_unit < 0:
                raise ValidationError(
                    self.env._(
                        "The unit price of job %(job)s cannot be negative: enter 0 or more "
                        "(refunds are made from the order, not with negative prices).",
                        job=job.name,
                    )
                )

    @api.onchange("price_unit")
    def _onchange_price_unit(self):
        """The operator typed a price in the form: it holds (until the media changes)."""
        for job in self:
            job.price_manual = job._differs_from_shop_price(job.price_unit)

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if "price_unit" in vals and "price_manual" not in vals:
                vals["price_manual"] = True
        return super().create(vals_list)

    def write(self, vals):
        if "price_manual" not in vals:
            if "price_unit" in vals:
                vals = {**vals, "price_manual": True}
            elif RESET_PRICE_FIELDS & set(vals):
                vals = {**vals, "price_manual": False}
        return super().write(vals)

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    def _get_pricing_ticket(self, **values):
        """The job's ticket as :mod:`lib.pricing` reads it; ``values`` replace the job's."""
        self.ensure_one()
        return pricing.Ticket(
            pages=values.get("pages", self.preflight_page_count),
            copies=values.get("copies", self.copies) or 1,
            color_mode=values.get("color_mode", self.color_mode),
            sides=values.get("sides", self.sides),
            finishing=values.get("finishing", self.finishing),
        )

    def _differs_from_shop_price(self, price_unit):
        self.ensure_one()
        digits = self.env["decimal.precision"].precision_get("Product Price")
        return float_compare(price_unit, self.price_unit_shop, precision_digits=digits) != 0

    def _get_price_lines(self):
        """The job as priced lines, the same for the order's amounts and its invoice:
        ``[{name, product, quantity, price_unit, taxes}]``, prices per copy.

        The shop's price gives one line per component that costs something (the media line
        always); a price set by hand gives one line, taxed as the media."""
        self.ensure_one()
        if self.price_manual and self._differs_from_shop_price(self.price_unit):
            return [
                {
                    "name": self.name,
                    "product": self.product_id,
                    "quantity": self.copies,
                    "price_unit": self.price_unit,
                    "taxes": self.tax_ids,
                }
            ]
        return self.order_id._get_print_price_lines(
            self.name,
            pricing.Breakdown(
                ticket=self._get_pricing_ticket(),
                media=self.price_media,
                printing=self.price_printing,
                finishing=self.price_finishing,
            ),
            {
                pricing.MEDIA: self.product_id,
                pricing.PRINTING: self.printing_product_id,
                pricing.FINISHING: self.finishing_product_id,
            },
            {
                pricing.MEDIA: self.tax_ids,
                pricing.PRINTING: self.printing_tax_ids,
                pricing.FINISHING: self.finishing_tax_ids,
            },
        )

    def _get_price_base_lines(self):
        """The job's lines as Odoo's tax helpers read them (``account.tax`` base lines)."""
        self.ensure_one()
        return self.order_id._get_print_base_lines(self._get_price_lines(), record=self)
