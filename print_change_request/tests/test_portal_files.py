"""Many files and large files in the portal (issue 13): the shop's caps per upload and per job
(refused with a message, nothing stored, over RPC too), a change on a job of many files
reads only the new file, and an ordinary 26 MB TIFF is accepted up to the shop's limit and
answered with the addon's page above it."""

import io
from unittest.mock import patch

from PIL import Image

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..lib import preflight
from .portal_common import PrintPortalCommon


def tiny_png(shade):
    buffer = io.BytesIO()
    Image.new("L", (8, 8), shade).save(buffer, "PNG")
    return buffer.getvalue()


def a4_tiff_300dpi():
    """An uncompressed A4 page at 300 dpi (2480 x 3508 RGB, about 26 MB), white: no line
    break in its pixels."""
    buffer = io.BytesIO()
    Image.new("RGB", (2480, 3508), "white").save(buffer, "TIFF", dpi=(300, 300))
    return buffer.getvalue()


@tagged("post_install", "-at_install")
class TestPortalFiles(PrintPortalCommon):
    def setUp(self):
        super().setUp()
        # The fixture's files, read now (their contents were replaced after they were stored).
        (self.order.job_ids | self.other_order.job_ids)._preflight_run(background=True)
        self.scans = []
        real = preflight.scan_file_isolated

        def counted(name, data, *args, **kwargs):
            self.scans.append(name)
            return real(name, data, *args, **kwargs)

        patcher = patch.object(preflight, "scan_file_isolated", counted)
        patcher.start()
        self.addCleanup(patcher.stop)

    def _files_of(self, job):
        job.invalidate_recordset()
        return job.attachment_ids

    def test_01_too_many_files_are_refused_with_the_shops_caps(self):
        company = self.env.company
        company.print_upload_max_files = 3
        company.print_job_max_files = 5
        before = self._files_of(self.job_1)
        attachments = self.env["ir.attachment"].search_count([])
        pngs = [(f"p{shade}.png", tiny_png(shade)) for shade in range(4)]
        self._assert_refused(
            self._upload(self.job_1, pngs), "You sent 4 files at once", "at most 3 files"
        )
        # Within the upload cap, beyond the job's: 2 files and 3 more.
        company.print_job_max_files = 4
        self._assert_refused(
            self._upload(self.job_1, pngs[:3]), "can hold at most 4 files", "would hold 5"
        )
        self.assertEqual(self._files_of(self.job_1), before)
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)
        self.assertEqual(self.scans, [], "nothing was read")
        # The model refuses it too, over RPC.
        with self.assertRaisesRegex(ValidationError, "can hold at most 4 files"):
            self.job_2.with_user(self.operator).write(
                {
                    "attachment_ids": [
                        Command.create({"name": name, "raw": data}) for name, data in pngs
                    ]
                }
            )
        self._assert_done(self._upload(self.job_1, pngs[:2]), "uploaded")
        self.assertEqual(len(self._files_of(self.job_1)), 4)

    def test_02_a_change_on_a_job_of_many_files_reads_only_the_new_file(self):
        self.job_1.with_user(self.operator).write(
            {
                "attachment_ids": [
                    Command.create({"name": f"page{shade}.png", "raw": tiny_png(shade)})
                    for shade in range(12)
                ]
            }
        )
        self.job_1._preflight_run(background=True)  # all read once (the cron's part)
        self.assertEqual(len(self._files_of(self.job_1)), 14)
        self.assertNotEqual(self.job_1.preflight_state, "pending")
        self.scans.clear()
        self._assert_done(self._upload(self.job_1, [("new.png", tiny_png(200))]), "uploaded")
        self.assertEqual(self.scans, ["new.png"], "only the new file is read")
        self.job_1.with_user(self.operator).color_mode = "bw"
        self._assert_done(self._remove(self.job_1, self.flagged), "removed")
        self.job_1.with_user(self.operator).action_preflight()
        self.assertEqual(self.scans, ["new.png"], "a color change or a removal reads nothing")
        self.assertNotEqual(self.job_1.preflight_state, "pending")

    def test_03_a_26_mb_tiff_is_stored_and_checked(self):
        tiff = a4_tiff_300dpi()
        self.assertGreater(len(tiff), 26_000_000)
        self._assert_done(self._upload(self.job_1, [("scan.tif", tiff)]), "uploaded")
        stored = self._files_of(self.job_1).filtered(lambda att: att.name == "scan.tif")
        self.assertEqual(stored.file_size, len(tiff))
        self.assertEqual(self.scans, ["scan.tif"])
        self.assertNotEqual(self.job_1.preflight_state, "pending", "checked at upload")
        self.assertFalse(
            self.job_1.preflight_finding_ids.filtered(lambda found: found.file_name == "scan.tif")
        )

    def test_04_above_the_shops_limit_the_addons_page_says_so(self):
        limit = 5 * 1024 * 1024
        self.env["ir.config_parameter"].sudo().set_param("web.max_file_upload_size", str(limit))
        before = self._files_of(self.job_1)
        response = self._upload(self.job_1, [("scan.tif", a4_tiff_300dpi())])
        self._assert_too_large(response, limit)
        self.assertIn(self.job_1.name, response.text, "the order's page")
        self.assertEqual(self._files_of(self.job_1), before)
        self.assertEqual(self.scans, [])

    def test_05_the_order_pages_form_takes_the_26_mb_tiff_too(self):
        """The page posts its one form (``/save``), not the upload route: the same limit."""
        tiff = a4_tiff_300dpi()
        response = self._post(
            f"/my/print_orders/{self.order.id}/save",
            data={"do": f"save:{self.job_1.id}"},
            files=[(f"job_{self.job_1.id}_files", ("scan.tif", tiff))],
            order=self.order,
        )
        self._assert_done(response, "uploaded")
        stored = self._files_of(self.job_1).filtered(lambda att: att.name == "scan.tif")
        self.assertEqual(stored.file_size, len(tiff))
        self.assertEqual(self.scans, ["scan.tif"])

    def test_06_above_the_shops_limit_the_order_pages_form_says_so(self):
        limit = 5 * 1024 * 1024
        self.env["ir.config_parameter"].sudo().set_param("web.max_file_upload_size", str(limit))
        before = self._files_of(self.job_1)
        response = self._post(
            f"/my/print_orders/{self.order.id}/save",
            data={"do": f"save:{self.job_1.id}"},
            files=[(f"job_{self.job_1.id}_files", ("scan.tif", a4_tiff_300dpi()))],
            order=self.order,
        )
        self._assert_too_large(response, limit)
        self.assertEqual(self._files_of(self.job_1), before)
        self.assertEqual(self.scans, [])
