"""The print shop's price of a job, without the ORM.

The model (the same for the backend and the portal):

* **Media**: the paper is priced per *sheet* and copy.  One-sided, every page takes a sheet;
  two-sided, two pages share one: ``sheets = ceil(pages / 2)``.  This is how two-sided
  printing is cheaper: it uses fewer sheets, while every page is still printed.
* **Printing**: each printed page (a page of the file, per copy) costs the shop's color or
  black & white page price.
* **Finishing**: one price per copy (stapling, folding, binding...).
* ``pages`` is what the preflight counted in the job's files; a job whose files are not
  counted yet (no file, or a check still pending) counts as **one page**.

A copy costs ``media + printing + finishing`` (the *unit price*); the job costs the unit price
times the copies (the *subtotal*).  The per-unit prices (one sheet, one printed page, one
finishing) come from the shop's products through the customer's pricelist, resolved by the
ORM glue at the quantities :func:`quantities` gives, so that the pricelist's quantity breaks
apply to the job's real volume.  Taxes are not part of this module: the ORM applies the
products' taxes to each component as Odoo's sale documents do.
"""

import math
from dataclasses import dataclass

COLOR = "color"
BLACK_WHITE = "bw"
ONE_SIDED = "one"
TWO_SIDED = "two"
NO_FINISHING = "none"

MEDIA = "media"
PRINTING = "printing"
FINISHING = "finishing"
#: The components of a job's price, in the order they are shown and invoiced.
COMPONENTS = (MEDIA, PRINTING, FINISHING)


@dataclass(frozen=True)
class Ticket:
    """What decides a job's price.  ``pages`` 0 or less counts as one page."""

    pages: int = 1
    copies: int = 1
    color_mode: str = COLOR
    sides: str = ONE_SIDED
    finishing: str = NO_FINISHING

    @property
    def counted_pages(self):
        return max(int(self.pages or 0), 1)

    @property
    def sheets(self):
        """Sheets of media per copy."""
        pages = self.counted_pages
        return math.ceil(pages / 2) if self.sides == TWO_SIDED else pages

    @property
    def has_finishing(self):
        return bool(self.finishing) and self.finishing != NO_FINISHING


@dataclass(frozen=True)
class UnitPrices:
    """The shop's per-unit prices, as the customer's pricelist gives them."""

    sheet: float = 0.0
    page: float = 0.0
    finishing: float = 0.0


@dataclass(frozen=True)
class Breakdown:
    """A job's price per copy, by component, and in total."""

    ticket: Ticket
    media: float
    printing: float
    finishing: float

    @property
    def unit(self):
        """The price of one copy."""
        return self.media + self.printing + self.finishing

    @property
    def subtotal(self):
        return self.unit * self.ticket.copies

    def components(self):
        """``[(component, price per copy)]`` in the order they are shown and invoiced."""
        return [(MEDIA, self.media), (PRINTING, self.printing), (FINISHING, self.finishing)]


def quantities(ticket):
    """How many units of each product the job uses: ``{component: quantity}`` (sheets, printed
    pages and finished copies over all copies), the quantities to ask the pricelist at."""
    copies = max(int(ticket.copies or 0), 1)
    return {
        MEDIA: ticket.sheets * copies,
        PRINTING: ticket.counted_pages * copies,
        FINISHING: copies if ticket.has_finishing else 0,
    }


def breakdown(ticket, prices, round_price=None):
    """The job's :class:`Breakdown` for ``ticket`` at the per-unit ``prices``.

    ``round_price`` rounds each component's price per copy (to the precision invoices keep
    unit prices at), so that an invoice line of a component has exactly the price shown."""
    round_price = round_price or (lambda value: value)
    return Breakdown(
        ticket=ticket,
        media=round_price(prices.sheet * ticket.sheets),
        printing=round_price(prices.page * ticket.counted_pages),
        finishing=round_price(prices.finishing if ticket.has_finishing else 0.0),
    )
