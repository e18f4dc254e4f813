from odoo import api, fields, models
from odoo.tools import float_round

from ..lib import communication_state as cs
from ..lib import pricing


# The price of orders and jobs is a feature of its own, kept apart as print_*_preflight.py are.
class PrintOrder(models.Model):
    """The order's amounts, taxes included, computed with Odoo's tax helpers as ``sale.order``
    does; and the prices of its jobs (:mod:`lib.pricing` with the customer's pricelist)."""

    _inherit = "print.order"  # pylint: disable=consider-merging-classes-inherited

    fiscal_position_id = fields.Many2one(
        comodel_name="account.fiscal.position",
        compute="_compute_fiscal_position_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        help="Maps the products' taxes for this customer (from the customer, as on invoices).",
    )
    amount_untaxed = fields.Monetary(
        string="Untaxed Amount", compute="_compute_amounts", store=True, tracking=39
    )
    amount_tax = fields.Monetary(string="Taxes", compute="_compute_amounts", store=True)
    tax_totals = fields.Binary(compute="_compute_tax_totals", exportable=False)

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends("partner_id", "company_id")
    def _compute_fiscal_position_id(self):
        cache = {}
        for order in self:
            if not order.partner_id:
                order.fiscal_position_id = False
                continue
            key = (order.company_id.id, order.partner_id.id)
            if key not in cache:
                cache[key] = (
                    self.env["account.fiscal.position"]
                    .with_company(order.company_id)
                    ._get_fiscal_position(order.partner_id)
                    .id
                )
            order.fiscal_position_id = cache[key]

    @api.depends(
        "job_ids.price_subtotal",
        "job_ids.price_total",
        "job_ids.communication_state",
        "currency_id",
    )
    def _compute_amounts(self):
        for order in self:
            totals = order._get_print_tax_totals()
            order.amount_untaxed = totals["base_amount_currency"]
            order.amount_tax = totals["tax_amount_currency"]
            order.amount_total = totals["total_amount_currency"]

    @api.depends(
        "job_ids.price_subtotal",
        "job_ids.price_total",
        "job_ids.communication_state",
        "currency_id",
    )
    def _compute_tax_totals(self):
        for order in self:
            order.tax_totals = order._get_print_tax_totals()

    # ------------------------------------------------------------
    # BUSINESS METHODS: prices and taxes
    # ------------------------------------------------------------

    def _get_print_tax_totals(self, quoted_job=None, quoted_lines=None):
        """Odoo's tax totals (``account.tax._get_tax_totals_summary``) of the live jobs.

        For a quote, ``quoted_lines`` (from :meth:`_get_print_price_lines`) replace the lines
        of ``quoted_job`` (or are added, for a job not created yet)."""
        self.ensure_one()
        AccountTax = self.env["account.tax"]
        base_lines = []
        for job in self._get_live_jobs().filtered("id"):  # not a job being made (new())
            if quoted_job is not None and job == quoted_job:
                continue
            base_lines += job._get_price_base_lines()
        if quoted_lines is not None:
            base_lines += self._get_print_base_lines(quoted_lines)
        AccountTax._add_tax_details_in_base_lines(base_lines, self.company_id)
        AccountTax._round_base_lines_tax_details(base_lines, self.company_id)
        return AccountTax._get_tax_totals_summary(
            base_lines=base_lines,
            currency=self.currency_id or self.company_id.currency_id,
            company=self.company_id,
        )

    def _get_print_base_lines(self, price_lines, record=None):
        """``price_lines`` as ``account.tax`` base lines."""
        self.ensure_one()
        AccountTax = self.env["account.tax"]
        currency = self.currency_id or self.company_id.currency_id
        return [
            AccountTax._prepare_base_line_for_taxes_computation(
                record if record is not None else {},
                product_id=line["product"],
                tax_ids=line["taxes"],
                price_unit=line["price_unit"],
                quantity=line["quantity"],
                currency_id=currency,
                partner_id=self.partner_id,
            )
            for line in price_lines
        ]

    def _get_print_price_lines(self, name, breakdown, products, taxes):
        """A job's lines at the shop's price: one per component that costs something, the
        media always (see :meth:`print.job._get_price_lines`)."""
        self.ensure_one()
        ticket = breakdown.ticket
        labels = {
            pricing.MEDIA: self.env._("%(sheets)s sheet per copy", sheets=ticket.sheets)
            if ticket.sheets == 1
            else self.env._("%(sheets)s sheets per copy", sheets=ticket.sheets),
            pricing.PRINTING: self.env._("%(pages)s page per copy", pages=ticket.counted_pages)
            if ticket.counted_pages == 1
            else self.env._("%(pages)s pages per copy", pages=ticket.counted_pages),
            pricing.FINISHING: "",
        }
        lines = []
        for component, price in breakdown.components():
            if component != pricing.MEDIA and not price:
                continue
            product = products[component]
            detail = ", ".join(
                part
                for part in (product.display_name if product else "", labels[component])
                if part
            )
            lines.append(
                {
                    "component": component,
                    "name": f"{name}: {detail}" if detail else name,
                    "product": product,
                    "quantity": ticket.copies,
                    "price_unit": price,
                    "taxes": taxes[component],
                }
            )
        return lines

    def _get_print_pricelist(self):
        self.ensure_one()
        return self.partner_id.with_company(self.company_id).property_product_pricelist

    def _get_print_taxes(self, product):
        """``product``'s sales taxes in the order's company, mapped by its fiscal position."""
        self.ensure_one()
        if not product:
            return self.env["account.tax"]
        taxes = product.sudo().taxes_id._filter_taxes_by_company(self.company_id)
        return self.fiscal_position_id.map_tax(taxes)

    def _get_print_unit_price(self, product, quantity):
        """The price of one unit of ``product`` for this customer when the job uses
        ``quantity`` of it: their pricelist's (quantity breaks included), adapted to the taxes
        of their fiscal position when the product's taxes are included in its price."""
        self.ensure_one()
        if not product:
            return 0.0
        company = self.company_id
        product = product.sudo().with_company(company)
        currency = self.currency_id or company.currency_id
        today = fields.Date.context_today(self)
        pricelist = self._get_print_pricelist().sudo()
        if pricelist:
            price = pricelist._get_product_price(
                product, quantity or 1.0, currency=currency, date=today
            )
        else:
            price = product.currency_id._convert(product.lst_price, currency, company, today)
        return product._get_tax_included_unit_price_from_price(
            price,
            product_taxes=product.taxes_id._filter_taxes_by_company(company),
            fiscal_position=self.fiscal_position_id,
        )

    def _get_print_quote(self, product, ticket):
        """A job's price for ``ticket`` (a :class:`lib.pricing.Ticket`) on ``product``: its
        ``breakdown`` and the ``products`` and ``taxes`` of each component.  Writes nothing."""
        self.ensure_one()
        company = self.company_id
        Product = self.env["product.product"]
        products = {
            pricing.MEDIA: product or Product,
            pricing.PRINTING: company.sudo()._get_print_page_product(ticket.color_mode),
            pricing.FINISHING: (
                company.sudo()._get_print_finishing_product(ticket.finishing)
                if ticket.has_finishing
                else Product
            ),
        }
        quantities = pricing.quantities(ticket)
        unit = {
            component: self._get_print_unit_price(products[component], quantities[component])
            for component in pricing.COMPONENTS
        }
        digits = self.env["decimal.precision"].precision_get("Product Price")
        breakdown = pricing.breakdown(
            ticket,
            pricing.UnitPrices(
                sheet=unit[pricing.MEDIA],
                page=unit[pricing.PRINTING],
                finishing=unit[pricing.FINISHING],
            ),
            round_price=lambda value: float_round(value, precision_digits=digits),
        )
        return {
            "breakdown": breakdown,
            "products": products,
            "taxes": {
                component: self._get_print_taxes(products[component])
                for component in pricing.COMPONENTS
            },
        }

    def _get_portal_price_quote(self, job, values):
        """The price the customer sees while filling a ticket: ``job`` (or a job not created
        yet, when ``job`` is empty) with the ticket ``values`` (from
        ``print.job._parse_ticket_values``) instead of its own, and the order's totals with
        it.  Computes only: writes nothing.

        An operator's price per copy set by hand holds while the media stays the same.

        Without ``values`` (nothing being edited) a stored job shows its stored price and the
        order's stored totals (:meth:`_get_portal_price_stored`): a page of N jobs then
        computes no order totals per job."""
        self.ensure_one()
        if not values and job and job.id and job.communication_state != cs.CANCELED:
            return self._get_portal_price_stored(job)
        AccountTax = self.env["account.tax"]
        Product = self.env["product.product"]
        if job:
            changed = "product_id" in values and values["product_id"] != job.product_id.id
            ticket = job._get_pricing_ticket(**values)
            product = Product.browse(values.get("product_id", job.product_id.id))
            pages_counted = bool(job.preflight_page_count)
            name = job.name
        else:
            changed = True
            ticket = pricing.Ticket(
                pages=0,
                copies=values.get("copies", 1),
                color_mode=values.get("color_mode", pricing.COLOUR),
                sides=values.get("sides", pricing.ONE_SIDED),
                finishing=values.get("finishing", pricing.NO_FINISHING),
            )
            product = Product.browse(values.get("product_id") or [])
            pages_counted = False
            name = self.env._("New job")
        quote = self._get_print_quote(product, ticket)
        breakdown = quote["breakdown"]
        manual = bool(job) and job.price_manual and not changed
        if manual:
            lines = [
                {
                    "name": job.name,
                    "product": job.product_id,
                    "quantity": ticket.copies,
                    "price_unit": job.price_unit,
                    "taxes": job.tax_ids,
                }
            ]
            unit = job.price_unit
        else:
            lines = self._get_print_price_lines(name, breakdown, quote["products"], quote["taxes"])
            unit = breakdown.unit
        base_lines = self._get_print_base_lines(lines)
        AccountTax._add_tax_details_in_base_lines(base_lines, self.company_id)
        job_untaxed = sum(
            line["tax_details"]["raw_total_excluded_currency"] for line in base_lines
        )
        job_total = sum(line["tax_details"]["raw_total_included_currency"] for line in base_lines)
        totals = self._get_print_tax_totals(quoted_job=job or None, quoted_lines=lines)
        return self._get_portal_price_values(
            ticket,
            pages_counted=pages_counted,
            manual=manual,
            components=breakdown,
            unit=unit,
            job_amounts=(job_untaxed, job_total),
            order_amounts=(
                totals["base_amount_currency"],
                totals["tax_amount_currency"],
                totals["total_amount_currency"],
            ),
        )

    def _get_portal_price_quotes(self, jobs):
        """The price blocks of the order page's ``jobs``, nothing being edited:
        ``{job id: quote}`` (see :meth:`_get_portal_price_stored`); each amount is formatted
        once for all the jobs (the order's totals are the same in every block)."""
        self.ensure_one()
        texts = {}
        return {
            job.id: self._get_portal_price_stored(job, texts=texts)
            for job in jobs
            if job.id and job.communication_state != cs.CANCELED
        }

    def _get_portal_price_stored(self, job, texts=None):
        """The price block of ``job`` as it is stored, nothing being edited: its stored prices
        and the order's stored totals (``amount_*``, computed when a job's price changes).
        The same figures as :meth:`_get_portal_price_quote` with the job's own ticket, without
        computing the order's taxes again (once per job on the order page).

        ``texts`` (a dict) keeps the amounts formatted, to share between jobs."""
        self.ensure_one()
        ticket = job._get_pricing_ticket()
        return self._get_portal_price_values(
            ticket,
            pages_counted=bool(job.preflight_page_count),
            manual=job.price_manual,
            components=pricing.Breakdown(
                ticket=ticket,
                media=job.price_media,
                printing=job.price_printing,
                finishing=job.price_finishing,
            ),
            unit=job.price_unit if job.price_manual else job.price_unit_shop,
            job_amounts=(job.price_subtotal, job.price_total),
            order_amounts=(self.amount_untaxed, self.amount_tax, self.amount_total),
            texts=texts,
        )

    def _get_portal_price_values(
        self,
        ticket,
        pages_counted,
        manual,
        components,
        unit,
        job_amounts,
        order_amounts,
        texts=None,
    ):
        """The price block's values (see ``portal_print_job_price_quote``): amounts as numbers
        and as the customer reads them.  ``texts``: ``{amount: (value, text)}`` already
        formatted (filled here), to format an amount once for many blocks."""
        self.ensure_one()
        currency = self.currency_id or self.company_id.currency_id
        texts = {} if texts is None else texts

        def money(amount):
            if amount not in texts:
                texts[amount] = (currency.round(amount), currency.format(amount))
            value, text = texts[amount]
            return {"value": value, "text": text}

        job_untaxed, job_total = job_amounts
        order_untaxed, order_tax, order_total = order_amounts
        return {
            "pages": ticket.counted_pages,
            "pages_counted": pages_counted,
            "sheets": ticket.sheets,
            "copies": ticket.copies,
            "manual": manual,
            "media": money(components.media),
            "printing": money(components.printing),
            "finishing": money(components.finishing),
            "unit": money(unit),
            "subtotal": money(job_untaxed),
            "total": money(job_total),
            "order_untaxed": money(order_untaxed),
            "order_tax": money(order_tax),
            "order_total": money(order_total),
        }
