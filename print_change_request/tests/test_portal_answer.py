"""The customer answers a request for change in the portal over real HTTP (multipart uploads,
CSRF, the e-mail's access token): files, ticket, submit, every refusal, replays."""

import base64

from odoo.exceptions import UserError
from odoo.tests import tagged

from .portal_common import PrintPortalCommon, make_encrypted_pdf, make_pdf, make_png


@tagged("post_install", "-at_install")
class TestPortalAnswer(PrintPortalCommon):
    def _job_files(self, job):
        job.invalidate_recordset()
        return job.attachment_ids

    def test_01_replace_the_flagged_file_keeps_the_old_one(self):
        old = self.flagged
        response = self._upload(
            self.job_1, [("fonts-embedded.pdf", make_pdf("fixed"))], replaces=old
        )
        self._assert_done(response, "uploaded")
        files = self._job_files(self.job_1)
        self.assertNotIn(old, files)
        new = files.filtered(lambda att: att.name == "fonts-embedded.pdf")
        self.assertEqual(len(new), 1)
        self.assertEqual(new.mimetype, "application/pdf")
        self.assertEqual((new.res_model, new.res_id), ("print.job", self.job_1.id))
        self.assertTrue(old.exists(), "the replaced file is never deleted")
        self.assertRecordValues(
            self.request.change_ids,
            [
                {
                    "kind": "file_replaced",
                    "job_id": self.job_1.id,
                    "old_attachment_id": old.id,
                    "new_attachment_id": new.id,
                    "old_name": "job1-file1.pdf",
                    "new_name": "fonts-embedded.pdf",
                    "author_id": self.customer.id,
                    "user_id": False,
                }
            ],
        )

    def test_02_add_png_and_remove_a_file(self):
        self._assert_done(
            self._upload(self.job_1, [("extra.png", make_png()), ("back.pdf", make_pdf())]),
            "uploaded",
        )
        names = set(self._job_files(self.job_1).mapped("name"))
        self.assertTrue({"extra.png", "back.pdf", "job1-file2.pdf"} <= names)
        self._assert_done(self._remove(self.job_1, self.flagged), "removed")
        self.assertNotIn(self.flagged, self._job_files(self.job_1))
        self.assertTrue(self.flagged.exists())
        self.assertEqual(
            sorted(self.request.change_ids.mapped("kind")),
            ["file_added", "file_added", "file_removed"],
        )

    def test_03_ticket_change_is_recorded_before_and_after(self):
        self._assert_done(
            self._ticket(
                self.job_2,
                copies="3",
                color_mode="bw",
                sides="two",
                finishing="staple",
                product_id=str(self.silk.id),
                ticket_note="Staple top left",
            ),
            "ticket",
        )
        self.assertRecordValues(
            self.job_2,
            [
                {
                    "copies": 3,
                    "color_mode": "bw",
                    "sides": "two",
                    "finishing": "staple",
                    "product_id": self.silk.id,
                    "ticket_note": "Staple top left",
                }
            ],
        )
        copies = self.request.change_ids.filtered(lambda change: change.field_name == "copies")
        self.assertEqual((copies.old_value, copies.new_value), ("1", "3"))
        self.assertEqual(len(self.request.change_ids), 6)
        self.assertEqual(self.job_2.price_unit, self.silk.lst_price, "the media sets the price")

    def test_04_submit_moves_jobs_to_job_is_changed_and_records_the_answer(self):
        self._answer_fully()
        response = self._submit("Fonts embedded, 3 copies please.")
        self._assert_done(response, "submitted")
        self.assertIn("We received your changes", response.text)

        self.env.invalidate_all()
        self.assertEqual(self.order.communication_state, "changed")
        self.assertEqual(self.job_1.communication_state, "changed")
        self.assertEqual(self.job_2.communication_state, "changed")
        self.assertRecordValues(
            self.request,
            [
                {
                    "state": "answered",
                    "answered_by_id": self.customer.id,
                    "answer_message": "Fonts embedded, 3 copies please.",
                }
            ],
        )
        self.assertTrue(self.request.date_answered)
        activity = self.order.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.order.user_id)
        self.assertIn("job1-file1.pdf → fonts-embedded.pdf", activity.note)
        summary = self.order.message_ids.filtered(
            lambda message: "sent changes in answer to" in (message.body or "")
        )
        self.assertEqual(len(summary), 1)
        self.assertIn("job1-file1.pdf → fonts-embedded.pdf", summary.body)
        self.assertIn("Copies: 1 → 3", summary.body)
        # The addon's summary, not words of the customer: the shop's (issue 14).
        self.assertEqual(summary.author_id, self.env.company.partner_id)
        confirmation = self.order.message_ids.filtered(
            lambda message: (
                message.subject and message.subject.startswith("We received the changes")
            )
        )
        self.assertEqual(len(confirmation), 1)
        self.assertIn(self.customer, confirmation.partner_ids)

    def test_05_incomplete_answer_says_what_is_missing(self):
        response = self._submit()
        error = self._assert_refused(
            response,
            "not complete yet",
            "Job 1 / job1-file1.pdf: replace or remove this file",
            "Job 2: change the job ticket as asked (Choose 170 g paper)",
        )
        self.assertIn(self.reason.name, error)
        self.env.invalidate_all()
        self.assertEqual(self.order.communication_state, "change_requested")
        self.assertEqual(self.request.state, "waiting")

        # A word about the ticket is an answer; the flagged file is still missing.
        self._assert_refused(self._submit("The paper is fine as it is."), "job1-file1.pdf")
        self._upload(self.job_1, [("fixed.pdf", make_pdf())], replaces=self.flagged)
        self._assert_done(self._submit("The paper is fine as it is."), "submitted")

    def test_06_refused_uploads_name_the_file_and_store_nothing(self):
        before = self._job_files(self.job_1)
        attachments = self.env["ir.attachment"].search_count([])
        cases = [
            # Read by the preflight, in a process of its own: its errors refuse the upload.
            ([("secret.pdf", make_encrypted_pdf())], ["secret.pdf", "password"]),
            ([("broken.pdf", b"%PDF-1.4\n garbage")], ["broken.pdf", "export it again"]),
            ([("notes.pdf", b"just text, named pdf")], ["notes.pdf", "not a type of file"]),
            ([("script.html", b"<html><script>x</script></html>")], ["script.html"]),
            ([("empty.pdf", b"")], ["empty.pdf", "is empty"]),
            ([("ok.pdf", make_pdf()), ("secret.pdf", make_encrypted_pdf())], ["secret.pdf"]),
        ]
        for files, fragments in cases:
            with self.subTest(files=[name for name, _data in files]):
                self._assert_refused(self._upload(self.job_1, files), *fragments)
        self.assertEqual(self._job_files(self.job_1), before)
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)
        self.assertFalse(self.request.change_ids)

    def test_07_size_limit_and_allowed_types_are_the_shops(self):
        big = make_pdf("x" * 50, pages=40)
        self.env["ir.config_parameter"].sudo().set_param(
            "web.max_file_upload_size", str(len(big) - 1)
        )
        self._assert_refused(self._upload(self.job_1, [("big.pdf", big)]), "big.pdf", "too large")
        # A request body far beyond the limit is cut short by Odoo's HTTP layer (413): back
        # to the order's page, which says the limit.
        response = self._upload(self.job_1, [("huge.pdf", big * 200)])
        self._assert_too_large(response, len(big) - 1)
        self.env["ir.config_parameter"].sudo().set_param(
            "web.max_file_upload_size", str(128 * 1024 * 1024)
        )
        self.assertEqual(len(self._job_files(self.job_1)), 2)
        self.env.company.print_upload_types = "pdf"
        self._assert_refused(self._upload(self.job_1, [("logo.png", make_png())]), "PDF")
        self.env.company.print_upload_types = "pdf, png"
        self._assert_done(self._upload(self.job_1, [("logo.png", make_png())]), "uploaded")

    def test_08_odd_names_are_cleaned(self):
        response = self._upload(self.job_1, [("../../etc/Grüße <b>.pdf", make_pdf())])
        self._assert_done(response, "uploaded")
        self.assertIn("Grüße <b>.pdf", self._job_files(self.job_1).mapped("name"))
        _response, page = self._get_page(f"/my/print_orders/{self.order.id}{self._token_query()}")
        self.assertIn("Grüße <b>.pdf", page.text_content(), "shown escaped, as text")

    def test_09_bad_input_is_refused_clearly(self):
        order_id, job_1 = self.order.id, self.job_1
        # No file at all, a bad replaces_id, a file of another customer, a wrong ticket.
        self._assert_refused(self._upload(job_1, []), "Choose a file")
        self._assert_refused(
            self._post(
                f"/my/print_orders/{order_id}/jobs/{job_1.id}/files",
                data={"replaces_id": "abc"},
                files=[("files", ("x.pdf", make_pdf()))],
            ),
            "not one of the files",
        )
        foreign = self.other_order.job_ids.attachment_ids[:1]
        self._assert_refused(
            self._upload(job_1, [("x.pdf", make_pdf())], replaces=foreign),
            "not one of the files",
        )
        self._assert_refused(self._remove(job_1, foreign), "not one of the files")
        self.assertIn(foreign, self.other_order.job_ids.attachment_ids)
        for values, fragment in (
            ({"copies": "0"}, "Copies"),
            ({"copies": "many"}, "Copies"),
            ({"color_mode": "rainbow"}, "Color mode"),
            ({"product_id": str(self.paper.id + 10000)}, "media"),
            ({"ticket_note": "x" * 3000}, "at most"),
        ):
            with self.subTest(values=values):
                self._assert_refused(self._ticket(self.job_2, **values), fragment)
        # A job that was not asked to change.
        job_3 = self.env["print.job"].create(
            {"order_id": order_id, "name": "Job 3", "price_unit": 1.0}
        )
        self._assert_refused(self._ticket(job_3, copies="2"), "was not asked to change")
        # Wrong ids: 404, nothing said about the order.
        response = self._post(
            f"/my/print_orders/{order_id}/jobs/{self.other_order.job_ids.id}/ticket",
            data={"copies": "5"},
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.other_order.job_ids.copies, 1)
        self.assertFalse(self.request.change_ids)

    def test_10_csrf_and_token_are_required(self):
        before = self._job_files(self.job_1)
        response = self._upload(self.job_1, [("x.pdf", make_pdf())], csrf=False)
        self.assertEqual(response.status_code, 400, "no CSRF token")
        response = self._post(
            f"/my/print_orders/{self.order.id}/jobs/{self.job_1.id}/files",
            data={"csrf_token": "forged"},
            files=[("files", ("x.pdf", make_pdf()))],
        )
        self.assertEqual(response.status_code, 400, "a forged CSRF token")
        csrf = self._csrf(f"/my/print_orders/{self.order.id}{self._token_query()}")
        response = self.url_open(
            f"/my/print_orders/{self.order.id}/jobs/{self.job_1.id}/files",
            data={"csrf_token": csrf},
            files=[("files", ("x.pdf", make_pdf()))],
        )
        self.assertEqual(response.status_code, 404, "no access token")
        response = self.url_open(
            f"/my/print_orders/{self.order.id}/submit?access_token=wrong",
            data={"csrf_token": csrf},
        )
        self.assertEqual(response.status_code, 404, "a wrong access token")
        self.assertEqual(self._job_files(self.job_1), before)
        self.assertEqual(self.order.communication_state, "change_requested")

    def test_11_replays_change_nothing_twice(self):
        new_pdf = make_pdf("fixed")
        self._assert_done(
            self._upload(self.job_1, [("fixed.pdf", new_pdf)], replaces=self.flagged), "uploaded"
        )
        self._assert_done(
            self._upload(self.job_1, [("fixed.pdf", new_pdf)], replaces=self.flagged),
            "unchanged",
        )
        self._assert_refused(
            self._upload(self.job_1, [("other.pdf", make_pdf("other"))], replaces=self.flagged),
            "already replaced",
        )
        self._assert_done(self._upload(self.job_1, [("more.pdf", new_pdf)]), "uploaded")
        self._assert_done(self._upload(self.job_1, [("more.pdf", new_pdf)]), "unchanged")
        self._assert_done(self._ticket(self.job_2, copies="3"), "ticket")
        self._assert_done(self._ticket(self.job_2, copies="3"), "unchanged")
        self.assertEqual(len(self.request.change_ids), 3)
        self.assertEqual(len(self._job_files(self.job_1)), 3)

        self._assert_done(self._submit(), "submitted")
        messages = len(self.order.message_ids)
        self._assert_refused(self._submit(), "already sent to the print shop")
        self._assert_refused(
            self._upload(self.job_1, [("late.pdf", make_pdf("late"))]), "already sent"
        )
        self.env.invalidate_all()
        self.assertEqual(len(self.order.message_ids), messages)
        self.assertEqual(len(self.order.activity_ids), 1)

    def test_12_no_changes_once_the_shop_went_on(self):
        self.order.with_user(self.operator).action_continue_without_customer()
        self._assert_refused(self._submit("late"), "went on with order")
        self._assert_refused(
            self._upload(self.job_1, [("late.pdf", make_pdf())]), "went on with order"
        )
        self.order.with_user(self.operator).action_accept()
        self._assert_refused(self._submit("late"), "is Accepted")
        question = self.order.with_user(self.operator).action_cancel()  # paid: refund question
        self.env[question["res_model"]].with_user(self.operator).browse(
            question["res_id"]
        ).action_refund_manually()
        self._assert_refused(self._ticket(self.job_2, copies="2"), "is Canceled")
        self.env.invalidate_all()
        self.assertEqual(self.job_2.copies, 1)
        self.assertFalse(self.request.date_answered)

    def test_13_owner_logged_in_answers_without_token(self):
        self.authenticate("portal_paula", "portal_paula")
        csrf = self._csrf()
        response = self.url_open(
            f"/my/print_orders/{self.order.id}/jobs/{self.job_1.id}/files",
            data={"csrf_token": csrf, "replaces_id": str(self.flagged.id)},
            files=[("files", ("fixed.pdf", make_pdf()))],
        )
        self._assert_done(response, "uploaded")
        self.assertEqual(self.request.change_ids.user_id, self.portal_paula)
        response = self.url_open(
            f"/my/print_orders/{self.order.id}/submit",
            data={"csrf_token": csrf, "message": "Ticket stays."},
        )
        self._assert_done(response, "submitted")
        self.assertEqual(self.request.answered_by_id, self.customer)

    def test_14_operator_uploads_for_the_customer_with_the_same_checks(self):
        wizard = (
            self.env["print.job.upload.wizard"]
            .with_user(self.operator)
            .with_context(active_model="print.job", active_id=self.job_1.id)
        )
        with self.assertRaisesRegex(UserError, "secret.pdf"):
            wizard.create(
                {
                    "file": base64.b64encode(make_encrypted_pdf()),
                    "filename": "secret.pdf",
                    "replaces_id": self.flagged.id,
                }
            ).action_upload()
        wizard.create(
            {
                "file": base64.b64encode(make_pdf()),
                "filename": "by-mail.pdf",
                "replaces_id": self.flagged.id,
            }
        ).action_upload()
        self.assertNotIn(self.flagged, self._job_files(self.job_1))
        self.assertRecordValues(
            self.request.change_ids,
            [
                {
                    "kind": "file_replaced",
                    "new_name": "by-mail.pdf",
                    "author_id": self.operator.partner_id.id,
                    "user_id": self.operator.id,
                }
            ],
        )
        # The phone answer: "Customer changed it" still works.
        self.order.with_user(self.operator).action_customer_changed()
        self.assertEqual(self.order.communication_state, "changed")
