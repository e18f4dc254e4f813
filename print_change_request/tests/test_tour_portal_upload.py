"""Upload that shows how it goes, in Chromium (issue 23): two files dropped on a job's files
are listed with a progress bar each, sent by XMLHttpRequest, and stored on the job; what was
typed is kept.  A large file sent slowly shows its bar move and its status go from "sending"
to "sent"."""

import io
import random
from unittest.mock import patch

from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from odoo.tests import tagged
from odoo.tests.common import ChromeBrowser

from .portal_common import PrintPortalCommon

#: The browser's upload speed in the progress tour (bytes per second, Chromium's network
#: emulation): a file of a few MB takes seconds to send, long enough to see it "sending".
SLOW_UPLOAD = 1000 * 1000


def make_large_pdf(megabytes=3):
    """A readable PDF of about ``megabytes`` MB, as a scanned poster is: one page with a
    photograph of noise (which compresses to nothing smaller)."""
    side = int((megabytes * 1000 * 1000 / 3) ** 0.5)
    noise = random.Random(23).randbytes(side * side * 3)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawImage(ImageReader(Image.frombytes("RGB", (side, side), noise)), 50, 250, 495, 495)
    pdf.drawString(100, 780, "Large poster")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


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

    def test_02_a_large_file_shows_its_progress_and_the_word_stays(self):
        data = make_large_pdf()
        self.assertGreater(len(data), 2 * 1000 * 1000)
        # Given to the tour by URL: the browser fetches it as the customer's file.
        source = self.env["ir.attachment"].create(
            {"name": "large-poster-source.pdf", "raw": data, "public": True}
        )
        before = set(self.job_1.attachment_ids.mapped("name"))
        navigate_to = ChromeBrowser.navigate_to

        def navigate_slowly(browser, url, wait_stop=False):
            browser._websocket_request("Network.enable")
            browser._websocket_request(
                "Network.emulateNetworkConditions",
                params={
                    "offline": False,
                    "latency": 0,
                    "downloadThroughput": -1,
                    "uploadThroughput": SLOW_UPLOAD,
                },
            )
            return navigate_to(browser, url, wait_stop=wait_stop)

        with patch.object(ChromeBrowser, "navigate_to", navigate_slowly):
            self.start_tour(
                f"/my/print_orders/{self.order.id}?print_tour_pdf=/web/content/{source.id}",
                "print_change_request_portal_upload_progress_tour",
                login="portal_paula",
            )

        self.env.invalidate_all()
        added = self.job_1.attachment_ids.filtered(lambda a: a.name not in before)
        self.assertEqual(added.mapped("name"), ["large-poster.pdf"])
        self.assertEqual(added.raw, data)
        # Kept as the browser posts a text area's line breaks (CR LF).
        self.assertEqual(
            self.order.sudo().portal_form_draft.get("message").splitlines(),
            ["Print on Friday, please.", "The poster first."],
        )
