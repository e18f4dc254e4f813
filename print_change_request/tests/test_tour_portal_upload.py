"""Upload that shows how it goes, in Chromium (issue 23): two files dropped on a job's files
are listed with a progress bar each, sent by XMLHttpRequest, and stored on the job; what was
typed is kept."""

from odoo.tests import tagged

from .portal_common import PrintPortalCommon


@tagged("post_install", "-at_install")
class TestTourPortalUpload(PrintPortalCommon):
    def test_01_dropped_files_are_listed_sent_and_stored(self):
        before = set(self.job_1.attachment_ids.mapped("name"))

        self.start_tour(
            f"/my/print_orders/{self.order.id}",
            "print_change_request_portal_upload_tour",
            login="portal_paula",
        )

        self.env.invalidate_all()
        self.assertEqual(
            set(self.job_1.attachment_ids.mapped("name")) - before,
            {"dropped-one.pdf", "dropped-two.pdf"},
        )
        self.assertEqual(self.job_1.copies, 12)  # "Add files" saves the whole form
