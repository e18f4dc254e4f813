"""Issue 24 item 8: the code says "color", as Odoo does; the update to 18.0.1.6.0 renames what
a database stored with the old spelling (migrations/18.0.1.6.0/pre-migrate.py)."""

import importlib.util
import json
from os.path import dirname, join

from odoo import Command
from odoo.tests import tagged

from ..lib import preflight
from . import preflight_samples as samples
from .common import PrintCommon

MODULE = "print_change_request"


def _migration():
    path = join(dirname(dirname(__file__)), "migrations", "18.0.1.6.0", "pre-migrate.py")
    spec = importlib.util.spec_from_file_location("pre_migrate_color", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    return migration


@tagged("post_install", "-at_install")
class TestColorMigration(PrintCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.migration = _migration()
        cls.paper.write({"print_media_width_mm": 210, "print_media_height_mm": 297})

    def _rgb_job(self):
        order = self.env["print.order"].create({"partner_id": self.customer.id})
        return self.env["print.job"].create(
            {
                "order_id": order.id,
                "name": "Photo",
                "product_id": self.paper.id,
                "attachment_ids": [
                    Command.create(
                        {"name": "photo.png", "raw": samples.image((1252, 1772), "RGB")}
                    )
                ],
            }
        )

    def _xmlid_name(self, res_model, res_id):
        self.env.cr.execute(
            "SELECT name FROM ir_model_data WHERE module = %s AND model = %s AND res_id = %s",
            (MODULE, res_model, res_id),
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def test_01_an_old_scan_report_takes_the_new_names(self):
        old = {
            "kind": "pdf",
            "is_colour": True,
            "rgb": True,
            "scanned": True,
            "findings": [
                {"code": "colour_space", "key": "colour_space_rgb", "params": {}},
                {"code": "fonts_not_embedded", "key": "fonts_not_embedded", "params": {}},
            ],
        }
        new = self.migration.color_report(old)
        self.assertEqual(old["is_colour"], True, "the stored value is not changed in place")
        self.assertNotIn("is_colour", new)
        self.assertIs(new["is_color"], True)
        self.assertEqual(
            [(f["code"], f["key"]) for f in new["findings"]],
            [("color_space", "color_space_rgb"), ("fonts_not_embedded", "fonts_not_embedded")],
        )
        report = preflight.Report.from_dict(new)
        self.assertTrue(report.is_color)
        self.assertEqual(report.codes, [preflight.COLOR_SPACE, preflight.FONTS_NOT_EMBEDDED])
        self.assertIn("RGB colors", report.findings[0].message)
        self.assertIsNone(self.migration.color_report(new), "a new report is left as it is")
        self.assertIsNone(self.migration.color_report(None))

    def test_02_the_update_renames_the_stored_findings_scans_and_xml_ids(self):
        job = self._rgb_job()
        finding = job.preflight_finding_ids
        self.assertEqual(finding.code, "color_space")
        scan = self.env["print.preflight.scan"].search(
            [("checksum", "=", job.attachment_ids.checksum)]
        )
        self.assertEqual(len(scan), 1)
        self.assertIs(scan.report["is_color"], True)
        reason = self.env.ref(f"{MODULE}.reason_color_space")
        # The XML ids renamed here in SQL and rolled back: no lookup cached meanwhile stays.
        self.addCleanup(self.env.registry.clear_cache)
        product = self.env["product.product"].create({"name": "Color page", "type": "service"})
        cr = self.env.cr

        # The database as 18.0.1.5.0 left it: the old spelling.
        old_message = next(iter(self.migration.MESSAGES))
        cr.execute(
            "UPDATE print_preflight_finding SET code = 'colour_space', message = %s WHERE id = %s",
            (old_message, finding.id),
        )
        old_report = {("is_colour" if k == "is_color" else k): v for k, v in scan.report.items()}
        cr.execute(
            "UPDATE print_preflight_scan SET report = %s::jsonb WHERE id = %s",
            (json.dumps(old_report), scan.id),
        )
        cr.execute(
            """
            UPDATE ir_model_fields_selection sel SET value = 'colour_space'
              FROM ir_model_fields field
             WHERE field.id = sel.field_id AND field.model = 'print.preflight.finding'
               AND field.name = 'code' AND sel.value = 'color_space'
            RETURNING sel.id
            """
        )
        selection_id = cr.fetchone()[0]
        cr.execute(
            "UPDATE ir_model_data SET name = replace(name, 'color', 'colour')"
            " WHERE module = %s AND name IN %s",
            (MODULE, tuple(self.migration.XMLIDS.values())),
        )
        if not self.env.ref(f"{MODULE}.product_print_colour_page", raise_if_not_found=False):
            self.env["ir.model.data"].create(
                {
                    "module": MODULE,
                    "name": "product_print_colour_page",
                    "model": "product.product",
                    "res_id": product.id,
                }
            )
        product_id = self.env.ref(f"{MODULE}.product_print_colour_page").id
        self.env["product.product"].browse(product_id).name = "Colour page (print)"
        reason.write(
            {
                "name": "Wrong colour space",
                "description": "The file uses RGB colours; printed in CMYK the colours would "
                "change. Please convert the file to CMYK.",
                "how_to": '<p>Canva: under "Colour profile" choose CMYK (Canva Pro).</p>',
            }
        )
        filter_ = self.env["ir.filters"].create(
            {
                "name": "RGB files",
                "model_id": "print.preflight.finding",
                "domain": "[('code', '=', 'colour_space')]",
            }
        )
        self.env.invalidate_all()

        self.migration.migrate(cr, "18.0.1.5.0")
        self.env.invalidate_all()

        self.assertEqual(finding.code, "color_space")
        self.assertEqual(finding.message, self.migration.MESSAGES[old_message])
        self.assertNotIn("colour", json.dumps(scan.report))
        self.assertIs(scan.report["is_color"], True)
        cr.execute("SELECT value FROM ir_model_fields_selection WHERE id = %s", (selection_id,))
        self.assertEqual(cr.fetchone()[0], "color_space")
        self.assertEqual(
            self._xmlid_name("ir.model.fields.selection", selection_id),
            {"selection__print_preflight_finding__code__color_space"},
        )
        # (in SQL: the XML ids' lookups are cached for the registry)
        self.assertEqual(
            self._xmlid_name("product.product", product_id), {"product_print_color_page"}
        )
        product = self.env["product.product"].browse(product_id)
        if self._xmlid_name("product.template", product.product_tmpl_id.id):
            # the demo product (its template's XML id renamed with it): its shipped name too
            self.assertEqual(
                self._xmlid_name("product.template", product.product_tmpl_id.id),
                {"product_print_color_page_product_template"},
            )
            self.assertEqual(product.name, "Color page (print)")
        self.assertEqual(reason.name, "Wrong color space")
        self.assertEqual(
            reason.description,
            "The file uses RGB colors; printed in CMYK the colors would change. "
            "Please convert the file to CMYK.",
        )
        self.assertIn('under "Color profile" choose CMYK', reason.how_to)
        self.assertEqual(filter_.domain, "[('code', '=', 'color_space')]")

        # The kept scan is read back with the new names: a new ticket judges it again.
        job.color_mode = "bw"
        self.assertEqual(job.preflight_finding_ids.code, "color_space")
        self.assertIn("black & white", job.preflight_finding_ids.message)

        # Run twice (an update started again): nothing more changes, nothing fails.
        self.migration.migrate(cr, "18.0.1.5.0")
        self.env.invalidate_all()
        self.assertEqual(reason.name, "Wrong color space")

    def test_03_a_reason_the_shop_rewrote_is_kept(self):
        reason = self.env.ref(f"{MODULE}.reason_color_space")
        reason.write({"name": "Colour profile (RGB)", "description": "Our own colour words."})
        self.env.invalidate_all()
        self.migration.migrate(self.env.cr, "18.0.1.5.0")
        self.env.invalidate_all()
        self.assertEqual(reason.name, "Colour profile (RGB)")
        self.assertEqual(reason.description, "Our own colour words.")

    def test_04_a_new_database_is_not_touched(self):
        reason = self.env.ref(f"{MODULE}.reason_color_space")
        reason.name = "Wrong colour space"
        self.env.invalidate_all()
        self.migration.migrate(self.env.cr, False)
        self.env.invalidate_all()
        self.assertEqual(reason.name, "Wrong colour space")
