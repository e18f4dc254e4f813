"""One request cannot bring more work than the shop allows (issue 22, item 11): the order
page's form is capped by the shop's *Files per upload* across all its jobs, refused before
any file is read or stored, and a customer adds at most *Jobs per order* jobs to a draft."""

from unittest.mock import patch

from odoo.tests import tagged

from ..lib import preflight
from .test_portal_files import tiny_png
from .test_portal_new_order import PortalNewOrderCommon


@tagged("post_install", "-at_install")
class TestPortalRequestCaps(PortalNewOrderCommon):
    def setUp(self):
        super().setUp()
        self.scans = []
        real = preflight.scan_file_isolated

        def counted(name, data, *args, **kwargs):
            self.scans.append(name)
            return real(name, data, *args, **kwargs)

        patcher = patch.object(preflight, "scan_file_isolated", counted)
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_01_the_forms_files_are_capped_across_all_its_jobs(self):
        self.env.company.print_upload_max_files = 3
        draft = self._ready_draft(jobs=2)
        job_1, job_2 = draft.job_ids.sorted("id")
        files_before = draft.job_ids.attachment_ids
        copies = job_1.copies
        attachments = self.env["ir.attachment"].search_count([])
        self.scans.clear()
        # Two files per job: each job within the cap, the form beyond it.
        files = [
            (f"job_{job.id}_files", (f"p{job.id}_{shade}.png", tiny_png(shade + 10 * index)))
            for index, job in enumerate((job_1, job_2))
            for shade in (1, 2)
        ]
        response = self._post_draft(
            draft, "/save", {"do": "save", f"job_{job_1.id}_copies": str(copies + 5)}, files=files
        )
        error = self._assert_refused(response, "You sent 4 files at once", "at most 3 files")
        self.assertIn("Nothing was stored", error)
        self.assertEqual(self.scans, [], "refused before any file is read")
        draft.invalidate_recordset()
        self.assertEqual(draft.job_ids.attachment_ids, files_before)
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)
        self.assertEqual(job_1.copies, copies, "nothing saved")
        # Within the cap, the same form is saved.
        response = self._post_draft(draft, "/save", {"do": "save"}, files=files[:3])
        self.assertEqual(response.status_code, 200, self._error_of(response))
        self.assertIn("notice=uploaded", response.url)
        self.assertEqual(len(draft.job_ids.attachment_ids), len(files_before) + 3)

    def test_02_jobs_per_order_are_capped(self):
        self.env.company.print_order_max_jobs = 2
        draft = self._ready_draft(jobs=2)
        self._assert_refused(
            self._post_draft(draft, "/jobs", {"name": "Poster 3", "copies": "1"}),
            "This order already holds 2 jobs",
            "place another order",
        )
        self._assert_refused(
            self._post_draft(draft, "/save", {"do": "add_job", "new_job_name": "Poster 3"}),
            "This order already holds 2 jobs",
        )
        self.assertEqual(len(draft.job_ids), 2)
