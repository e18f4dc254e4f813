"""After the update to 18.0.1.4.0: the request-for-change e-mail says when the hold on the
customer's card was released (models/print_change_request_hold.py).  Its template is
``noupdate``: a database made before keeps its body.  The new paragraph is added to the
body as shipped (found by the refund paragraph's last sentence); a body the shop rewrote
without that sentence is left as it is (logged)."""

import json
import logging
import re
from pathlib import Path

_logger = logging.getLogger(__name__)

MODULE = "print_change_request"
TEMPLATE = "mail_template_change_request"
ANCHOR = re.compile(r"You will pay again when you submit the changed order\.\s*</p>")
#: The new paragraphs, read from the module's data file.
DATA_FILE = Path(__file__).parents[2] / "data" / "mail_template_data.xml"
HOLDS = re.compile(
    r"\n\s*<t t-set=\"holds\".*?</p>\s*<p t-if=\"holds\['releasing'\]\">.*?</p>", re.S
)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        SELECT t.id, t.body_html
          FROM mail_template t
          JOIN ir_model_data d ON d.res_id = t.id AND d.model = 'mail.template'
         WHERE d.module = %s AND d.name = %s
        """,
        (MODULE, TEMPLATE),
    )
    row = cr.fetchone()
    if not row or not row[1]:
        return
    template_id, bodies = row
    holds = HOLDS.search(DATA_FILE.read_text(encoding="utf-8")).group(0)
    changed = False
    for lang, body in bodies.items():
        if not body or "_get_released_holds" in body:
            continue
        match = ANCHOR.search(body)
        if not match:
            _logger.info(
                "%s (%s): edited by the shop, the released hold is not added", TEMPLATE, lang
            )
            continue
        bodies[lang] = body[: match.end()] + holds + body[match.end() :]
        changed = True
    if changed:
        cr.execute(
            "UPDATE mail_template SET body_html = %s::jsonb WHERE id = %s",
            (json.dumps(bodies), template_id),
        )
        _logger.info("%s: the released hold added to its body", TEMPLATE)
