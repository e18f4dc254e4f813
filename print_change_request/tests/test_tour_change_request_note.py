"""The Request for change dialog's note is a Text field (issue 23, item 13), in Chromium: a note
of two lines typed in the dialog is saved as typed and shown on two lines, in the back office
(the e-mail in the order's chatter, the request's files to change) and on the customer's page."""

from lxml import html

from odoo.tests import HttpCase, tagged

from .common import PrintCommon

NOTE = "Embed the fonts of page 2.\nThe cover's fonts too."


@tagged("post_install", "-at_install")
class TestTourChangeRequestNote(PrintCommon, HttpCase):
    def test_01_a_note_of_two_lines_is_kept_and_shown_on_two_lines(self):
        order = self._create_order(jobs=1, files=2, name="TOUR/CR-NOTE")

        self.start_tour(
            f"/odoo/action-print_change_request.print_order_action/{order.id}",
            "print_change_request_note_tour",
            login=self.operator.login,
        )

        self.env.invalidate_all()
        item = order.change_request_ids.file_item_ids
        self.assertRecordValues(item, [{"file_name": "job1-file2.pdf", "note": NOTE}])
        # The e-mail sent: the note's line break is a line break of the HTML.
        mail = order.message_ids.filtered(lambda m: "What to change, job by job" in m.body)
        self.assertEqual(len(mail), 1)
        self.assertIn("Embed the fonts of page 2.<br>The cover's fonts too.", mail.body)
        # The customer's page: on two lines beside the file (the lines kept by the style) and
        # in "What you must change".
        order._portal_ensure_token()
        response = self.url_open(f"{order.access_url}?access_token={order.access_token}")
        self.assertEqual(response.status_code, 200)
        page = html.fromstring(response.content)
        beside = page.xpath(
            "//*[contains(@class, 'o_print_file_reason')]/div[contains(@style, 'pre-line')]"
        )
        self.assertEqual([div.text_content() for div in beside], [NOTE])
        asked = page.xpath("//ul[@id='print_order_file_changes']//em[br]")
        self.assertEqual([em.text_content() for em in asked], [NOTE])
