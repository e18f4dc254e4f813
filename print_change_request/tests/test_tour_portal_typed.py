"""Nothing the customer types is lost, in Chromium (issue 23, items 1-3): the word for the print
shop and a half-filled "Add a job" survive every button of the order page and are sent; a
protected PDF chosen beside a good one is refused alone; the price follows the form after a
refused upload."""

from odoo.tests import tagged

from .portal_common import PrintPortalCommon


@tagged("post_install", "-at_install")
class TestTourPortalTyped(PrintPortalCommon):
    def test_01_the_word_survives_uploads_a_refusal_and_a_replace_and_is_sent(self):
        self.env.company.print_upload_max_files = 2  # three files at once: refused
        flagged_job_files = self.job_1.attachment_ids

        self.start_tour(
            f"/my/print_orders/{self.order.id}",
            "print_change_request_portal_keep_words_tour",
            login="portal_paula",
        )

        self.env.invalidate_all()
        self.assertEqual(self.request.state, "answered")
        self.assertEqual(self.request.answer_message, "Laminated please")
        self.assertEqual(self.job_2.copies, 300)
        self.assertEqual(
            sorted(self.job_1.attachment_ids.mapped("name")),
            sorted(
                [
                    *(flagged_job_files - self.flagged).mapped("name"),
                    "extra.pdf",
                    "fonts-embedded.pdf",
                ]
            ),
        )
        self.assertFalse(self.order.sudo().portal_form_draft, "sent: forgotten")
        self.assertFalse(self.order.sudo().portal_refused_files)

    def test_02_a_half_filled_job_and_the_word_survive_until_added_and_submitted(self):
        draft = self.env["print.order"]._create_portal_draft(self.customer)
        draft._add_portal_job("Flyer A5", {"copies": "1", "product_id": str(self.silk.id)})

        self.start_tour(
            f"/my/print_orders/{draft.id}",
            "print_change_request_portal_draft_keep_words_tour",
            login="portal_paula",
        )

        self.env.invalidate_all()
        self.assertRecordValues(draft, [{"portal_draft": False, "portal_submitted": True}])
        jobs = draft.job_ids.sorted("sequence")
        self.assertEqual(jobs.mapped("name"), ["Flyer A5", "Poster A3"])
        self.assertEqual(jobs.mapped("copies"), [1, 40])
        self.assertEqual(
            [job.attachment_ids.mapped("name") for job in jobs],
            [["flyer-2.pdf"], ["poster.pdf"]],
        )
        words = draft.message_ids.filtered(lambda message: "Needed by Friday" in message.body)
        self.assertEqual(len(words), 1, "the word reaches the order once, when submitted")
        self.assertEqual(words.author_id, self.customer)
        self.assertFalse(draft.sudo().portal_form_draft)
