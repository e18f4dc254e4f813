"""One job, one form, in Chromium (issue 14): the customer types ticket values, replaces a file
or adds one, then sends: the order has what they typed.  A draft reads as a draft."""

from odoo.tests import tagged

from .portal_common import PrintPortalCommon


@tagged("post_install", "-at_install")
class TestTourPortalForm(PrintPortalCommon):
    def test_01_typed_tickets_survive_a_replace_and_are_sent(self):
        self.assertEqual((self.job_1.copies, self.job_2.copies), (1, 1))

        self.start_tour(
            f"/my/print_orders/{self.order.id}",
            "print_change_request_portal_keep_typed_tour",
            login="portal_paula",
        )

        self.env.invalidate_all()
        self.assertEqual(self.order.communication_state, "changed")
        self.assertEqual(self.request.state, "answered")
        self.assertEqual(self.request.answer_message, "Laminated, please.")
        self.assertRecordValues(
            self.job_1 | self.job_2,
            [{"copies": 40, "finishing": "laminate"}, {"copies": 46, "finishing": "none"}],
        )
        self.assertEqual(
            sorted(self.job_1.attachment_ids.mapped("name")),
            ["fonts-embedded.pdf", "job1-file2.pdf"],
        )
        replaced = self.request.change_ids.filtered(lambda change: change.kind == "file_replaced")
        self.assertEqual(replaced.old_attachment_id, self.flagged)

    def test_02_a_draft_reads_as_a_draft_and_submits_what_was_typed(self):
        draft = self.env["print.order"]._create_portal_draft(self.customer)
        draft.name = "TOUR/DRAFT"
        draft._add_portal_job("Flyer A5", {"copies": "1"})

        self.start_tour(
            "/my/print_orders", "print_change_request_portal_draft_tour", login="portal_paula"
        )

        self.env.invalidate_all()
        self.assertRecordValues(
            draft,
            [{"portal_draft": False, "portal_submitted": True, "communication_state": "new"}],
        )
        self.assertRecordValues(
            draft.job_ids,
            [{"copies": 9, "finishing": "fold", "ticket_note": "Fold in half"}],
        )
        self.assertEqual(draft.job_ids.attachment_ids.mapped("name"), ["flyer.pdf"])
