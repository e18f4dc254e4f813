"""After the update to 18.0.1.5.0: the request-for-change e-mail shows each file's note with its
line breaks (the dialog's note is a text area, issue 23 item 13): one ``<br/>`` per line break,
where the body shipped before wrote the note as one run of text (HTML shows its line breaks as
spaces).  The template is ``noupdate``: a database made before keeps its body, so the note's
element is replaced in the body as shipped; a body the shop rewrote without it is left as it
is (logged)."""

import json
import logging

_logger = logging.getLogger(__name__)

MODULE = "print_change_request"
TEMPLATE = "mail_template_change_request"
OLD = """<em t-out="line['note']">Page 2</em>"""
NEW = (
    """<em><t t-foreach="line['note'].splitlines()" t-as="note_line">"""
    """<br t-if="not note_line_first"/><t t-out="note_line">Page 2</t></t></em>"""
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
    changed = False
    for lang, body in bodies.items():
        if not body or NEW in body:
            continue
        if OLD not in body:
            _logger.info(
                "%s (%s): edited by the shop, the note's line breaks are not added",
                TEMPLATE,
                lang,
            )
            continue
        bodies[lang] = body.replace(OLD, NEW)
        changed = True
    if changed:
        cr.execute(
            "UPDATE mail_template SET body_html = %s::jsonb WHERE id = %s",
            (json.dumps(bodies), template_id),
        )
        _logger.info("%s: the notes' line breaks shown in its body", TEMPLATE)
