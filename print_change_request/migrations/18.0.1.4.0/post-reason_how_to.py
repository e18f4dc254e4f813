"""After the update to 18.0.1.4.0: the reasons for change of the addon's catalogue get their
customer's how-to (Word, InDesign, Canva, Photoshop).  Their data is ``noupdate``, so the
update does not write it: each reason whose how-to is still empty gets the one of
data/print_change_reason_data.xml (read from that file: one text, for new and old databases);
a how-to the shop wrote already is kept."""

import logging
from os.path import dirname, join

from lxml import etree

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)

DATA_FILE = join(dirname(dirname(dirname(__file__))), "data", "print_change_reason_data.xml")


def how_tos():
    """{xml id (without the module): the how-to's HTML} of the data file."""
    texts = {}
    for record in etree.parse(DATA_FILE).iterfind("//record[@model='print.change.reason']"):
        field = record.find("field[@name='how_to']")
        if field is not None:
            texts[record.get("id")] = "".join(
                etree.tostring(child, encoding="unicode") for child in field
            ).strip()
    return texts


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    filled = 0
    for xmlid, how_to in how_tos().items():
        reason = env.ref(f"print_change_request.{xmlid}", raise_if_not_found=False)
        if reason and reason.with_context(active_test=False).exists() and not reason.how_to:
            reason.how_to = how_to
            filled += 1
    _logger.info("print.change.reason: the how-to of %s reasons filled", filled)
