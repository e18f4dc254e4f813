"""The price model in plain Python (lib/pricing.py): no database."""

from odoo.tests import BaseCase, tagged

from ..lib import pricing
from ..lib.pricing import Ticket, UnitPrices

SHOP = UnitPrices(sheet=0.12, page=0.30, finishing=0.20)


@tagged("post_install", "-at_install")
class TestPricing(BaseCase):
    def test_01_one_sided_takes_a_sheet_per_page(self):
        ticket = Ticket(pages=3, copies=10, sides="one", finishing="staple")
        price = pricing.breakdown(ticket, SHOP)
        self.assertEqual(ticket.sheets, 3)
        self.assertAlmostEqual(price.media, 0.36)
        self.assertAlmostEqual(price.printing, 0.90)
        self.assertAlmostEqual(price.finishing, 0.20)
        self.assertAlmostEqual(price.unit, 1.46)
        self.assertAlmostEqual(price.subtotal, 14.60)

    def test_02_two_sided_halves_the_sheets_rounded_up_but_prints_every_page(self):
        for pages, sheets in ((1, 1), (2, 1), (3, 2), (4, 2), (9, 5)):
            ticket = Ticket(pages=pages, sides="two")
            self.assertEqual(ticket.sheets, sheets, f"{pages} pages two-sided")
            price = pricing.breakdown(ticket, SHOP)
            self.assertAlmostEqual(price.media, 0.12 * sheets)
            self.assertAlmostEqual(price.printing, 0.30 * pages)

    def test_03_pages_not_counted_yet_count_as_one(self):
        for pages in (0, None, -2):
            ticket = Ticket(pages=pages, copies=2)
            self.assertEqual(ticket.counted_pages, 1)
            self.assertEqual(ticket.sheets, 1)
            self.assertAlmostEqual(pricing.breakdown(ticket, SHOP).subtotal, 2 * 0.42)

    def test_04_no_finishing_costs_nothing_whatever_its_price(self):
        price = pricing.breakdown(Ticket(finishing="none"), SHOP)
        self.assertEqual(price.finishing, 0.0)
        self.assertAlmostEqual(price.unit, 0.42)

    def test_05_empty_settings_leave_the_media_price_alone(self):
        """A shop without page or finishing products: the media's price per sheet and copy."""
        price = pricing.breakdown(
            Ticket(pages=1, copies=7, finishing="bind"), UnitPrices(sheet=0.5)
        )
        self.assertEqual((price.media, price.printing, price.finishing), (0.5, 0.0, 0.0))
        self.assertAlmostEqual(price.subtotal, 3.5)

    def test_06_quantities_for_the_pricelist_are_over_all_copies(self):
        ticket = Ticket(pages=5, copies=100, sides="two", finishing="fold")
        self.assertEqual(
            pricing.quantities(ticket),
            {pricing.MEDIA: 300, pricing.PRINTING: 500, pricing.FINISHING: 100},
        )
        self.assertEqual(pricing.quantities(Ticket(copies=4))[pricing.FINISHING], 0)

    def test_07_components_are_rounded_as_invoice_lines_keep_them(self):
        price = pricing.breakdown(
            Ticket(pages=3),
            UnitPrices(sheet=0.0333, page=0.0777),
            round_price=lambda v: round(v, 2),
        )
        self.assertEqual((price.media, price.printing), (0.1, 0.23))
        self.assertEqual(
            price.components(),
            [(pricing.MEDIA, 0.1), (pricing.PRINTING, 0.23), (pricing.FINISHING, 0.0)],
        )
