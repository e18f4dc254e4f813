"""Before the update to 18.0.1.6.0: the code says "color", as Odoo does (issue 24 item 8).
What a database stored with the old spelling takes the new one before Odoo loads the code:

- the preflight findings' code ``colour_space`` -> ``color_space`` (its selection value and
  that value's XML id too, so Odoo keeps the value instead of dropping it), and the
  messages stored in English with "colours";
- the scans kept by content (``print.preflight.scan.report``, JSON): ``is_colour`` ->
  ``is_color`` and the findings' codes and keys (``colour_space_rgb``, ``colour_space_bw``):
  the code reads them back with the new names;
- the XML ids of the demo product ``product_print_colour_page`` (so the update finds it
  instead of making another one), and its English name as shipped (demo data is not
  updated);
- the English texts of the catalogue's reason ``reason_color_space`` (``noupdate``): the
  shipped sentences only, a text the shop rewrote is kept;
- saved filters naming the old code.

The fields spelt "colour" were renamed by 18.0.1.2.0 already."""

import json
import logging

from psycopg2 import sql

_logger = logging.getLogger(__name__)

MODULE = "print_change_request"

CODE = ("colour_space", "color_space")
#: Old -> new key of a finding (the code, and the message keys of the lib).
KEYS = {
    "colour_space": "color_space",
    "colour_space_rgb": "color_space_rgb",
    "colour_space_bw": "color_space_bw",
}
#: Old -> new name of the report's facts.
REPORT_FIELDS = {"is_colour": "is_color"}
#: Old -> new XML ids of the addon.
XMLIDS = {
    "selection__print_preflight_finding__code__colour_space": (
        "selection__print_preflight_finding__code__color_space"
    ),
    "product_print_colour_page": "product_print_color_page",
    "product_print_colour_page_product_template": "product_print_color_page_product_template",
}
#: The demo product's English name: old, new.
DEMO_PRODUCT_NAME = ("Colour page (print)", "Color page (print)")
#: The findings' messages as stored in English: old -> new.
MESSAGES = {
    "The file uses RGB colours; printed in CMYK the colours may change. "
    "Please convert the file to CMYK.": "The file uses RGB colors; printed in CMYK the colors "
    "may change. Please convert the file to CMYK.",
    "The file has colours but the job is printed in black & white: the colours will print as "
    "shades of grey.": "The file has colors but the job is printed in black & white: the "
    "colors will print as shades of grey.",
}
#: The shipped English sentences of the reason ``reason_color_space``, by field: old -> new.
REASON_TEXTS = {
    "name": [("Wrong colour space", "Wrong color space")],
    "description": [
        (
            "The file uses RGB colours; printed in CMYK the colours would change.",
            "The file uses RGB colors; printed in CMYK the colors would change.",
        )
    ],
    "how_to": [
        (
            "Screens show RGB colours; printers print CMYK. Convert the file yourself to see "
            "the printed colours before we print:",
            "Screens show RGB colors; printers print CMYK. Convert the file yourself to see "
            "the printed colors before we print:",
        ),
        ('under "Colour profile" choose CMYK', 'under "Color profile" choose CMYK'),
        ("CMYK Color, check the colours, then", "CMYK Color, check the colors, then"),
    ],
}


def color_report(values):
    """A scan's report (``print.preflight.scan.report``) with the new names: returns a new
    dict, or None when ``values`` has no old name."""
    if not isinstance(values, dict):
        return None
    report = {REPORT_FIELDS.get(name, name): value for name, value in values.items()}
    findings = []
    for finding in values.get("findings") or []:
        if isinstance(finding, dict):
            finding = dict(finding)
            for name in ("code", "key"):
                finding[name] = KEYS.get(finding.get(name), finding.get(name))
        findings.append(finding)
    if "findings" in values:
        report["findings"] = findings
    return report if report != values else None


def _rename_finding_code(cr):
    old, new = CODE
    cr.execute("UPDATE print_preflight_finding SET code = %s WHERE code = %s", (new, old))
    codes = cr.rowcount
    for old_message, new_message in MESSAGES.items():
        cr.execute(
            "UPDATE print_preflight_finding SET message = %s WHERE code = %s AND message = %s",
            (new_message, new, old_message),
        )
    cr.execute(
        """
        UPDATE ir_model_fields_selection sel
           SET value = %s
          FROM ir_model_fields field
         WHERE field.id = sel.field_id
           AND field.model = 'print.preflight.finding' AND field.name = 'code'
           AND sel.value = %s
           AND NOT EXISTS (SELECT 1 FROM ir_model_fields_selection other
                            WHERE other.field_id = sel.field_id AND other.value = %s)
        """,
        (new, old, new),
    )
    # Saved filters on the findings (``[('code', '=', 'colour_space')]``).
    for quote in ("'", '"'):
        cr.execute(
            "UPDATE ir_filters SET domain = replace(domain, %s, %s) WHERE domain LIKE %s",
            (f"{quote}{old}{quote}", f"{quote}{new}{quote}", f"%{quote}{old}{quote}%"),
        )
    _logger.info("print.preflight.finding: %s findings now have the code %s", codes, new)


def _rename_scan_reports(cr):
    cr.execute(
        """
        SELECT id FROM print_preflight_scan
         WHERE report IS NOT NULL AND report::text LIKE '%colour%'
         ORDER BY id
        """
    )
    ids = [row[0] for row in cr.fetchall()]
    changed = 0
    for start in range(0, len(ids), 1000):
        cr.execute(
            "SELECT id, report FROM print_preflight_scan WHERE id IN %s",
            (tuple(ids[start : start + 1000]),),
        )
        for scan_id, values in cr.fetchall():
            report = color_report(values)
            if report is not None:
                cr.execute(
                    "UPDATE print_preflight_scan SET report = %s::jsonb WHERE id = %s",
                    (json.dumps(report), scan_id),
                )
                changed += 1
    _logger.info("print.preflight.scan: %s reports take the new names", changed)


def _rename_xmlids(cr):
    for old, new in XMLIDS.items():
        cr.execute(
            """
            UPDATE ir_model_data SET name = %s
             WHERE module = %s AND name = %s
               AND NOT EXISTS (SELECT 1 FROM ir_model_data WHERE module = %s AND name = %s)
            """,
            (new, MODULE, old, MODULE, new),
        )


def _rename_demo_product(cr):
    cr.execute(
        """
        UPDATE product_template tmpl
           SET name = jsonb_set(tmpl.name, '{en_US}', to_jsonb(%s::text))
          FROM ir_model_data data
         WHERE data.module = %s AND data.name = 'product_print_color_page_product_template'
           AND data.model = 'product.template' AND data.res_id = tmpl.id
           AND tmpl.name->>'en_US' = %s
        """,
        (DEMO_PRODUCT_NAME[1], MODULE, DEMO_PRODUCT_NAME[0]),
    )


def _reword_reason(cr):
    cr.execute(
        """
        SELECT res_id FROM ir_model_data
         WHERE module = %s AND name = 'reason_color_space' AND model = 'print.change.reason'
        """,
        (MODULE,),
    )
    row = cr.fetchone()
    if not row:
        return
    for field, replacements in REASON_TEXTS.items():
        for old, new in replacements:
            # The English text only; the translations are the translators'.
            cr.execute(
                sql.SQL(
                    """
                    UPDATE print_change_reason
                       SET {field} = jsonb_set({field}, '{{en_US}}',
                                               to_jsonb(replace({field}->>'en_US', %s, %s)))
                     WHERE id = %s AND strpos({field}->>'en_US', %s) > 0
                    """
                ).format(field=sql.Identifier(field)),
                (old, new, row[0], old),
            )


def migrate(cr, version):
    if not version:
        return
    _rename_finding_code(cr)
    _rename_scan_reports(cr)
    _rename_xmlids(cr)
    _rename_demo_product(cr)
    _reword_reason(cr)
