"""The order page's one form (``/my/print_orders/<id>/save``): whatever button the customer
clicks, every job's ticket and chosen files are saved together; a refusal changes nothing
and shows the page again with what the customer typed."""

from lxml import html

from odoo.tests import tagged

from .portal_common import PrintPortalCommon, make_encrypted_pdf, make_pdf


@tagged("post_install", "-at_install")
class TestPortalOrderForm(PrintPortalCommon):
    def _save(self, data, files=None, order=None, **kwargs):
        order = order or self.order
        return self._post(
            f"/my/print_orders/{order.id}/save", data=data, files=files, order=order, **kwargs
        )

    def _location(self, response):
        """Where the POST redirected to, with its anchor (a browser keeps it)."""
        self.assertTrue(response.history, response.text[:300])
        return response.history[0].headers["Location"]

    def test_01_a_replace_saves_the_tickets_typed_beside_it(self):
        response = self._save(
            {
                "do": f"save:{self.job_1.id}",
                f"job_{self.job_1.id}_copies": "40",
                f"job_{self.job_1.id}_finishing": "laminate",
                f"job_{self.job_2.id}_copies": "45",
                f"job_{self.job_2.id}_ticket_note": "On the silk paper",
            },
            files=[
                (f"job_{self.job_1.id}_replace_{self.flagged.id}", ("fixed.pdf", make_pdf())),
                # An empty file input of the form, as a browser posts it.
                (f"job_{self.job_2.id}_files", ("", b"")),
            ],
        )
        self._assert_done(response, "saved")
        self.assertTrue(self._location(response).endswith(f"#job-{self.job_1.id}"))
        self.assertRecordValues(
            self.job_1 | self.job_2,
            [
                {"copies": 40, "finishing": "laminate", "ticket_note": False},
                {"copies": 45, "finishing": "none", "ticket_note": "On the silk paper"},
            ],
        )
        self.assertNotIn(self.flagged, self.job_1.attachment_ids)
        self.assertIn("fixed.pdf", self.job_1.attachment_ids.mapped("name"))
        changes = self.request.change_ids
        self.assertEqual(
            sorted(changes.mapped("kind")),
            ["file_replaced", "ticket", "ticket", "ticket", "ticket"],
        )
        # The page: the replaced file is shown done in "What you must change".
        _response, page = self._get_page(f"/my/print_orders/{self.order.id}{self._token_query()}")
        done = page.xpath("//li[contains(@class, 'o_print_file_change_done')]")
        self.assertEqual(len(done), 1)
        self.assertIn("Done: replaced by fixed.pdf", done[0].text_content())

    def test_02_send_sends_the_tickets_as_on_screen(self):
        self._save(
            {"do": "save"},
            files=[
                (f"job_{self.job_1.id}_replace_{self.flagged.id}", ("fixed.pdf", make_pdf())),
            ],
        )
        response = self._save(
            {
                "do": "submit",
                "message": "All done",
                f"job_{self.job_2.id}_copies": "3",
            }
        )
        self._assert_done(response, "submitted")
        self.assertEqual(self.job_2.copies, 3)
        self.assertEqual(self.request.state, "answered")
        self.assertEqual(self.request.answer_message, "All done")
        self.assertEqual(self.order.communication_state, "changed")
        # Sent twice (a reload): refused, nothing changes.
        self._assert_refused(
            self._save({"do": "submit", f"job_{self.job_2.id}_copies": "4"}), "already sent"
        )
        self.assertEqual(self.job_2.copies, 3)

    def test_03_a_refused_upload_says_which_files_and_keeps_what_was_typed(self):
        """Every file refused (and nothing else done): nothing changes, each file is named
        with why, and the page shows what was typed.  (A file refused beside a good one:
        test_portal_order_form_typed.)"""
        before = self.job_1.attachment_ids
        response = self._save(
            {
                "do": f"save:{self.job_1.id}",
                "message": "Typed, not lost",
                f"job_{self.job_2.id}_copies": "1",  # as saved
            },
            files=[
                (f"job_{self.job_1.id}_files", ("secret.pdf", make_encrypted_pdf())),
                (f"job_{self.job_1.id}_files", ("notes.pdf", b"Just words, no PDF")),
            ],
        )
        error = self._assert_refused(
            response,
            "Job 1 / secret.pdf: The PDF is protected by a password",
            "Job 1 / notes.pdf is not a type of file we print from",
        )
        self.assertNotIn("None of the", error)
        # Nothing changed, not even the word typed beside the files.
        self.assertEqual(self.job_1.attachment_ids, before)
        self.assertFalse(self.request.change_ids)
        self.assertFalse(self.order.sudo().portal_form_draft)
        # The page shows what the customer typed, not saved yet.
        page = html.fromstring(response.content)
        self.assertEqual(page.xpath("//textarea[@name='message']")[0].text, "Typed, not lost")
        self.assertTrue(page.xpath("//form[@id='print_order_form'][@data-print-unsaved='1']"))

    def test_04_remove_saves_the_tickets_too(self):
        kept = self.job_1.attachment_ids - self.flagged
        response = self._save(
            {
                "do": f"remove:{self.job_1.id}:{self.flagged.id}",
                f"job_{self.job_1.id}_copies": "7",
            }
        )
        self._assert_done(response, "saved")
        self.assertTrue(self._location(response).endswith(f"#job-{self.job_1.id}"))
        self.assertEqual(self.job_1.attachment_ids, kept)
        self.assertEqual(self.job_1.copies, 7)

    def test_05_access_csrf_and_validation_hold(self):
        other_job = self.other_order.job_ids
        # A job of another customer's order, named in this order's form: not found.
        response = self._save({f"job_{other_job.id}_copies": "9"})
        self.assertEqual(response.status_code, 404)
        # Another customer's order, with this order's token: not found.
        response = self._save({"do": "save"}, order=self.other_order, token=False)
        self.assertEqual(response.status_code, 404)
        self.assertEqual(other_job.copies, 1)
        # No CSRF token: refused.
        response = self._save({f"job_{self.job_2.id}_copies": "9"}, csrf=False)
        self.assertEqual(response.status_code, 400)
        # A wrong value: the ticket's own message, nothing saved.
        self._assert_refused(
            self._save({f"job_{self.job_2.id}_copies": "0", f"job_{self.job_1.id}_copies": "5"}),
            "Copies of job Job 2",
        )
        self.assertEqual((self.job_1.copies, self.job_2.copies), (1, 1))
        # A job the shop did not ask to change stays as it is.
        order = self._create_order(jobs=2)
        self._replace_job_files(order)
        self._send_request(order, ticket=False)  # job 1's file only
        not_asked = order.job_ids.sorted("sequence")[1]
        self._assert_refused(
            self._save({f"job_{not_asked.id}_copies": "9"}, order=order),
            "Job 2 was not asked to change",
        )
        self.assertEqual(not_asked.copies, 1)

    def test_06_a_draft_reads_as_a_draft(self):
        self.authenticate("portal_paula", "portal_paula")
        self.env.company.print_portal_pay_on_submit = True
        draft = self.env["print.order"]._create_portal_draft(self.customer)
        draft._add_portal_job("Flyer A5", {"copies": "1", "product_id": str(self.silk.id)})
        self.assertTrue(draft._is_paid_at_portal_submission())
        canceled = self._create_order(jobs=1, price=0.0)
        canceled.with_user(self.operator).action_cancel()
        self.assertEqual(canceled.communication_state, "canceled")

        _response, listing = self._get_page("/my/print_orders")

        def row(order):
            cells = listing.xpath(f"//tr[@data-order-id='{order.id}']/td")
            return [" ".join(cell.text_content().split()) for cell in cells]

        _name, submitted_on, state, payment, _total = row(draft)
        self.assertEqual((submitted_on, state), ("", "Draft"))
        self.assertEqual(payment, "Not sent to the shop yet")
        self.assertEqual(row(self.order)[3], "To pay")
        self.assertEqual(row(canceled)[2:4], ["Canceled", ""])

        _response, page = self._get_page(f"/my/print_orders/{draft.id}")
        sidebar = " ".join(
            page.xpath("//div[hasclass('o_portal_sidebar')]")[0].text_content().split()
        )
        self.assertIn("Draft, not sent to the shop yet", sidebar)
        self.assertNotIn("Submitted on", sidebar)
        self.assertNotIn("Received", sidebar)
        self.assertNotIn("Not paid", sidebar)
        button = page.xpath("//div[@id='print_order_submit']/button[@value='submit']")
        self.assertEqual(
            [" ".join(b.text_content().split()) for b in button],
            ["Submit my order to the shop and pay"],
        )
        # One copy is "1 copy" (the other word hidden), in the price of the draft's job.
        quote = page.xpath(
            "//div[hasclass('o_print_ticket')]//div[hasclass('o_print_price_quote')]"
        )[0]
        shown = [
            el.text
            for el in quote.xpath(
                ".//*[@data-print-price-one='copies']|.//*[@data-print-price-many='copies']"
            )
            if "d-none" not in (el.get("class") or "")
        ]
        self.assertEqual(shown, ["copy:"])
        # The breadcrumb of a new order's page leads back to the list.
        self.authenticate("portal_oscar", "portal_oscar")  # no draft: the form that starts one
        _response, new_page = self._get_page("/my/print_orders/new")
        crumbs = new_page.xpath("//ol[hasclass('o_portal_submenu')]/li")
        self.assertEqual(
            [" ".join(li.text_content().split()) for li in crumbs],
            ["", "Print orders", "New print order"],
        )
