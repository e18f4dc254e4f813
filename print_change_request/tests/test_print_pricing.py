"""Jobs priced by the shop's products through the customer's pricelist, taxed as sale orders
are, and the order's money (paid, due, invoices) on the taxed total."""

from odoo import Command
from odoo.tests import Form, tagged

from .common import PrintCommon
from .portal_common import make_pdf


@tagged("post_install", "-at_install")
class TestPrintPricing(PrintCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Tax = cls.env["account.tax"]
        cls.vat_21 = Tax.create({"name": "VAT 21%", "amount": 21, "type_tax_use": "sale"})
        cls.vat_0 = Tax.create({"name": "VAT 0%", "amount": 0, "type_tax_use": "sale"})
        cls.vat_21_incl = Tax.create(
            {
                "name": "VAT 21% included",
                "amount": 21,
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
            }
        )
        Product = cls.env["product.product"]

        def service(name, price, taxes):
            return Product.create(
                {
                    "name": name,
                    "type": "service",
                    "list_price": price,
                    "taxes_id": [Command.set(taxes.ids)],
                }
            )

        cls.media = service("Paper A4 (taxed)", 0.12, cls.vat_21)
        cls.color_page = service("Color page", 0.30, cls.vat_21)
        cls.bw_page = service("B&W page", 0.08, cls.vat_21)
        cls.staple = service("Staple", 0.20, cls.vat_21)
        cls.env.company.write(
            {
                "print_color_page_product_id": cls.color_page.id,
                "print_bw_page_product_id": cls.bw_page.id,
                "print_finishing_staple_product_id": cls.staple.id,
            }
        )
        cls.export_position = cls.env["account.fiscal.position"].create(
            {
                "name": "Export",
                "tax_ids": [
                    Command.create({"tax_src_id": cls.vat_21.id, "tax_dest_id": cls.vat_0.id}),
                    Command.create(
                        {"tax_src_id": cls.vat_21_incl.id, "tax_dest_id": cls.vat_0.id}
                    ),
                ],
            }
        )

    def _order_with_job(self, pages=None, partner=None, **ticket):
        """A new order with one job on the taxed media; ``pages``: a real PDF of that many
        pages (counted by the preflight), none for a job without files."""
        order = self.env["print.order"].create({"partner_id": (partner or self.customer).id})
        files = []
        if pages:
            files = [
                Command.create(
                    {
                        "name": "file.pdf",
                        "raw": make_pdf(pages=pages),
                        "mimetype": "application/pdf",
                    }
                )
            ]
        job = self.env["print.job"].create(
            {
                "order_id": order.id,
                "name": "Brochure",
                "product_id": self.media.id,
                "attachment_ids": files,
                **ticket,
            }
        )
        return order, job

    # ------------------------------------------------------------
    # The shop's price
    # ------------------------------------------------------------

    def test_01_media_per_sheet_printing_per_page_finishing_per_copy_with_taxes(self):
        order, job = self._order_with_job(
            pages=3, copies=10, color_mode="color", sides="two", finishing="staple"
        )
        self.assertEqual(job.preflight_page_count, 3)
        # 3 pages two-sided: 2 sheets (0.24), 3 color pages (0.90), a staple (0.20) per copy.
        self.assertRecordValues(
            job,
            [
                {
                    "print_sheets": 2,
                    "price_media": 0.24,
                    "price_printing": 0.90,
                    "price_finishing": 0.20,
                    "price_unit": 1.34,
                    "price_manual": False,
                    "printing_product_id": self.color_page.id,
                    "finishing_product_id": self.staple.id,
                    "price_subtotal": 13.40,
                    "price_tax": 2.81,
                    "price_total": 16.21,
                }
            ],
        )
        self.assertRecordValues(
            order, [{"amount_untaxed": 13.40, "amount_tax": 2.81, "amount_total": 16.21}]
        )
        self.assertEqual(order.tax_totals["total_amount_currency"], 16.21)

    def test_02_pages_not_counted_yet_count_as_one_and_files_then_reprice(self):
        order, job = self._order_with_job(color_mode="bw", copies=5)
        self.assertEqual(job.preflight_page_count, 0)
        self.assertRecordValues(
            job, [{"price_media": 0.12, "price_printing": 0.08, "price_unit": 0.20}]
        )
        self.assertEqual(job.printing_product_id, self.bw_page)

        job.attachment_ids = [
            Command.create(
                {"name": "four.pdf", "raw": make_pdf(pages=4), "mimetype": "application/pdf"}
            )
        ]

        self.assertEqual(job.preflight_page_count, 4)
        self.assertRecordValues(job, [{"price_media": 0.48, "price_printing": 0.32}])
        self.assertAlmostEqual(order.amount_untaxed, 4.00)

    def test_03_the_customers_pricelist_gives_quantity_breaks(self):
        """A trade pricelist: color pages at 0.25 from 1000 pages (all copies counted)."""
        pricelist = self.env["product.pricelist"].create(
            {
                "name": "Trade",
                "currency_id": self.env.company.currency_id.id,
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "0_product_variant",
                            "product_id": self.color_page.id,
                            "min_quantity": 1000,
                            "compute_price": "fixed",
                            "fixed_price": 0.25,
                        }
                    )
                ],
            }
        )
        self.customer.property_product_pricelist = pricelist
        _order, job = self._order_with_job(pages=2, copies=499)
        self.assertEqual(job.price_printing, 0.60, "998 pages: the list price")

        job.copies = 500

        self.assertEqual(job.price_printing, 0.50, "1000 pages: the trade price")
        self.assertAlmostEqual(job.price_subtotal, 500 * (0.24 + 0.50))

    def test_04_the_fiscal_position_maps_the_taxes(self):
        self.customer.property_account_position_id = self.export_position
        order, job = self._order_with_job(pages=1, copies=10, finishing="staple")
        self.assertEqual(order.fiscal_position_id, self.export_position)
        self.assertEqual(job.tax_ids | job.printing_tax_ids | job.finishing_tax_ids, self.vat_0)
        self.assertRecordValues(
            order, [{"amount_untaxed": 6.20, "amount_tax": 0.0, "amount_total": 6.20}]
        )

    def test_05_taxes_included_in_the_price_stay_included_or_go_with_the_position(self):
        self.media.taxes_id = [Command.set(self.vat_21_incl.ids)]
        self.media.list_price = 1.21
        self.env.company.print_color_page_product_id = False
        order, job = self._order_with_job(pages=1, copies=10)
        self.assertEqual(job.price_unit, 1.21)
        self.assertRecordValues(
            order, [{"amount_untaxed": 10.0, "amount_tax": 2.10, "amount_total": 12.10}]
        )

        self.customer.property_account_position_id = self.export_position
        exported, job = self._order_with_job(pages=1, copies=10)
        self.assertEqual(job.price_unit, 1.0, "the included tax is taken off, as sale does")
        self.assertEqual(exported.amount_total, 10.0)

    def test_06_without_pricing_settings_the_media_price_alone(self):
        """Backwards compatible: no page or finishing product, the media's price per copy."""
        self.env.company.write(
            {"print_color_page_product_id": False, "print_finishing_staple_product_id": False}
        )
        order, job = self._order_with_job(pages=1, copies=4, finishing="staple")
        self.assertRecordValues(job, [{"price_unit": 0.12, "price_subtotal": 0.48}])
        self.assertEqual(order.amount_untaxed, 0.48)

    # ------------------------------------------------------------
    # An operator's price
    # ------------------------------------------------------------

    def test_07_an_operators_price_holds_until_the_media_changes(self):
        order, job = self._order_with_job(pages=1, copies=10)
        with Form(job.with_user(self.operator)) as form:
            form.price_unit = 0.9
        self.assertRecordValues(job, [{"price_unit": 0.9, "price_manual": True}])
        self.assertRecordValues(
            order, [{"amount_untaxed": 9.0, "amount_tax": 1.89, "amount_total": 10.89}]
        )

        # The preflight counting more pages does not change the operator's price...
        job.attachment_ids = [
            Command.create(
                {"name": "two.pdf", "raw": make_pdf(pages=2), "mimetype": "application/pdf"}
            )
        ]
        self.assertEqual(job.preflight_page_count, 3)
        self.assertEqual(job.price_unit, 0.9)
        self.assertEqual(job.price_unit_shop, 1.26)

        # ...nor more copies (a price per copy)...
        job.with_user(self.operator).copies = 20
        self.assertRecordValues(job, [{"price_unit": 0.9, "price_subtotal": 18.0}])
        # ...a new media gives the shop's price again: 3 sheets of it and 3 color pages.
        job.with_user(self.operator).product_id = self.bw_page  # any product will do: 0.08
        self.assertRecordValues(job, [{"price_unit": 1.14, "price_manual": False}])

    # ------------------------------------------------------------
    # Money: paid, due and invoices on the taxed total
    # ------------------------------------------------------------

    def test_08_paid_is_the_total_taxes_included(self):
        order, _job = self._order_with_job(pages=3, copies=10, sides="two", finishing="staple")
        self.assertEqual(order.amount_total, 16.21)
        self._pay_by_transaction(order, amount=13.40)
        self.assertFalse(order.is_paid, "the untaxed amount is not the price")
        self.assertAlmostEqual(order._get_amount_due(), 2.81)

        self._pay_by_transaction(order, amount=2.81)

        self.assertTrue(order.is_paid)
        self.assertEqual(order._get_amount_due(), 0.0)

    def test_08b_one_amount_due_rounded_and_nothing_once_canceled(self):
        """The one amount-due rule (page, payment route, invoice, unpaid dialog): the
        total less what was paid, rounded to the currency, nothing on a canceled order."""
        order, _job = self._order_with_job(pages=3, copies=10, sides="two", finishing="staple")
        self._pay_by_transaction(order, amount=13.40)
        # 16.21 - 13.40 is 2.8100000000000005 in floating point: the currency rounds it.
        self.assertEqual(order._get_amount_due(), 2.81)
        dialog = self.env["print.order.unpaid.wizard"].create({"order_id": order.id})
        self.assertEqual(dialog.amount_due, 2.81)

        question = order.with_user(self.operator).action_cancel()  # paid: the refund question
        self.env[question["res_model"]].with_user(self.operator).browse(
            question["res_id"]
        ).action_refund_manually()

        self.assertEqual(order._get_amount_due(), 0.0, "nothing is due on a canceled order")

    def test_08c_every_invoice_of_the_order_has_its_responsible_as_salesperson(self):
        order, _job = self._order_with_job(pages=1, copies=10)
        order.user_id = self.manager
        self.assertNotEqual(self.env.user, self.manager)
        invoice = order._get_invoice_for_payment()
        self.assertEqual(invoice.invoice_user_id, self.manager)
        self.assertEqual(invoice.amount_total, order.amount_total)

    def test_09_the_invoice_has_the_orders_lines_taxes_and_total(self):
        self.customer.property_account_position_id = False
        order, _job = self._order_with_job(pages=3, copies=10, sides="two", finishing="staple")
        manual = self.env["print.job"].create(
            {"order_id": order.id, "name": "Cards", "product_id": self.media.id, "copies": 3}
        )
        manual.price_unit = 2.5
        self.assertEqual(order.amount_total, 16.21 + 9.08)

        order.action_create_invoice()

        invoice = order.invoice_ids
        self.assertRecordValues(
            invoice,
            [
                {
                    "amount_untaxed": order.amount_untaxed,
                    "amount_tax": order.amount_tax,
                    "amount_total": order.amount_total,
                }
            ],
        )
        lines = invoice.invoice_line_ids
        self.assertEqual(
            [line.product_id for line in lines],
            [self.media, self.color_page, self.staple, self.media],
        )
        self.assertEqual(lines.mapped("quantity"), [10, 10, 10, 3])
        self.assertEqual(lines.mapped("price_unit"), [0.24, 0.90, 0.20, 2.5])
        self.assertEqual(lines.tax_ids, self.vat_21)
        self.assertIn("Brochure", lines[0].name)

        self._register_payment(invoice)
        self.assertTrue(order.is_paid)

    def test_10_the_invoice_at_payment_and_the_refund_follow_the_taxed_total(self):
        self.env.company.print_invoice_on_payment = True
        order, _job = self._order_with_job(pages=1, copies=10)
        provider = (
            self.env.ref("payment.payment_provider_demo")
            .sudo()
            .copy(
                {
                    "name": "Demo (pricing)",
                    "company_id": self.env.company.id,
                    "state": "test",
                    "payment_method_ids": [
                        Command.set(self.env.ref("payment_demo.payment_method_demo").ids)
                    ],
                }
            )
        )
        tx = self._create_transaction(order, provider=provider, operation="online_redirect")
        tx._set_done()
        tx.sudo()._post_process()

        invoice = order.invoice_ids
        self.assertEqual(invoice.amount_total, order.amount_total)
        self.assertEqual(invoice.amount_total, 5.08, "1.20 + 0.25 tax, 3.00 + 0.63 tax")
        self.assertTrue(order.is_paid)

        self._request_change(order, refund="manual")

        refund = order.refund_ids
        self.assertEqual(refund.amount, order.amount_total)
        self.assertRecordValues(
            refund.credit_note_id,
            [{"reversed_entry_id": invoice.id, "amount_total": invoice.amount_total}],
        )
        self.assertEqual(refund.credit_note_id.amount_tax, invoice.amount_tax)

    def test_11_the_pricing_products_are_in_the_print_shop_settings(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.print_color_page_product_id, self.color_page)
        settings.print_finishing_bind_product_id = self.staple
        settings.execute()
        self.assertEqual(self.env.company._get_print_finishing_product("bind"), self.staple)
        self.assertFalse(self.env.company._get_print_finishing_product("none"))

    def test_12_a_partial_refund_gives_back_its_share_of_the_taxes(self):
        """Half of a taxed invoice paid, then refunded: the credit note gives back exactly
        the amount paid, its taxes in proportion (not an untaxed line)."""
        order, job = self._order_with_job(pages=1, copies=10)
        job.price_unit = 10.0
        self.assertEqual(order.amount_total, 121.0)
        order.action_create_invoice()
        invoice = order.invoice_ids
        self._register_payment(invoice, amount=60.5)
        self.assertEqual(order.amount_paid, 60.5)

        self._request_change(order, refund="manual")

        refund = order.refund_ids
        self.assertEqual(refund.amount, 60.5)
        self.assertRecordValues(
            refund.credit_note_id,
            [
                {
                    "move_type": "out_refund",
                    "reversed_entry_id": invoice.id,
                    "amount_total": 60.5,
                    "amount_untaxed": 50.0,
                    "amount_tax": 10.5,
                }
            ],
        )
        self.assertEqual(refund.credit_note_id.invoice_line_ids.tax_ids, self.vat_21)

    def test_13_what_was_paid_before_is_deducted_with_its_share_of_the_taxes(self):
        """Half of a taxed order paid online without an invoice, then invoiced for the rest:
        the invoice asks for the rest, and declares the taxes of the rest only (an untaxed
        "Already paid" line would declare the taxes of the whole order)."""
        order, job = self._order_with_job(pages=1, copies=10)
        job.price_unit = 10.0
        self.assertEqual(order.amount_total, 121.0)
        self._pay_by_transaction(order, amount=60.5)

        invoice = order._get_invoice_for_payment()

        self.assertRecordValues(
            invoice,
            [
                {
                    "state": "posted",
                    "amount_total": 60.5,
                    "amount_untaxed": 50.0,
                    "amount_tax": 10.5,
                }
            ],
        )
        already_paid = invoice.invoice_line_ids.filtered(lambda line: line.price_unit < 0)
        self.assertEqual(already_paid.tax_ids, self.vat_21)
        self.assertEqual(already_paid.price_subtotal, -50.0)

    def test_14_an_online_payment_of_the_rest_is_invoiced_for_the_rest_with_its_taxes(self):
        """A first payment made before the shop invoiced at payment, then the rest paid
        online: the invoice made for that payment is the rest, taxes in proportion, to the
        cent, and the payment settles it."""
        order, job = self._order_with_job(pages=1, copies=3)
        job.price_unit = 10.0
        self.assertEqual(order.amount_total, 36.3)
        self._pay_by_transaction(order, amount=10.01)
        self.env.company.print_invoice_on_payment = True
        provider = (
            self.env.ref("payment.payment_provider_demo")
            .sudo()
            .copy(
                {
                    "name": "Demo (rest)",
                    "company_id": self.env.company.id,
                    "state": "test",
                    "payment_method_ids": [
                        Command.set(self.env.ref("payment_demo.payment_method_demo").ids)
                    ],
                }
            )
        )
        tx = self._create_transaction(
            order, amount=26.29, provider=provider, operation="online_redirect"
        )
        tx._set_done()
        tx.sudo()._post_process()

        invoice = order.invoice_ids
        self.assertEqual(invoice.amount_total, 26.29)
        self.assertAlmostEqual(invoice.amount_tax, 4.56, places=2, msg="21% of 26.29 / 1.21")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertTrue(order.is_paid)

    def test_15_a_rounding_cent_of_the_deduction_goes_on_an_untaxed_line(self):
        """10.00 paid before on 36.30: the deduction's base rounds to 8.26 and its tax to
        4.57 on the rest, one cent over; the invoice still asks for exactly 26.30."""
        order, job = self._order_with_job(pages=1, copies=3)
        job.price_unit = 10.0
        self.assertEqual(order.amount_total, 36.3)
        self._pay_by_transaction(order, amount=10.0)

        invoice = order._get_invoice_for_payment()

        self.assertEqual(invoice.amount_total, 26.3)
        rounding = invoice.invoice_line_ids.filtered(lambda line: line.name == "Rounding")
        self.assertEqual(rounding.price_subtotal, -0.01)
        self.assertFalse(rounding.tax_ids)
