"""The order page's one form keeps what the customer typed (issue 23, items 1-3), over real
HTTP: the word for the print shop and the job being added come back after every button (kept on
the order until sent); a file refused by its content is refused alone, named with why, the rest
saved; the price blocks shown with typed values are priced again from the form."""

from urllib.parse import urlsplit

from lxml import html

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .portal_common import PrintPortalCommon, make_encrypted_pdf, make_pdf

PROTECTED = "The PDF is protected by a password, so we cannot open it."


@tagged("post_install", "-at_install")
class TestPortalOrderFormTyped(PrintPortalCommon):
    def _save(self, data, files=None, order=None, **kwargs):
        order = order or self.order
        return self._post(
            f"/my/print_orders/{order.id}/save", data=data, files=files, order=order, **kwargs
        )

    def _done(self, response, notice, order=None):
        """The post was done: back on the order's page with ``notice``; that page."""
        order = order or self.order
        self.assertEqual(response.status_code, 200, self._error_of(response))
        self.assertEqual(urlsplit(response.url).path, f"/my/print_orders/{order.id}")
        self.assertIn(f"notice={notice}", response.url)
        return html.fromstring(response.content)

    @staticmethod
    def _shown(page):
        """What the page's fields show of the word and of the job being added."""
        shown = {"message": page.xpath("//textarea[@name='message']")[0].text or ""}
        for name in ("new_job_name", "new_job_copies"):
            values = page.xpath(f"//input[@name='{name}']/@value")
            if values:
                shown[name] = values[0]
        notes = page.xpath("//textarea[@name='new_job_ticket_note']")
        if notes:
            shown["new_job_ticket_note"] = notes[0].text or ""
        return shown

    @staticmethod
    def _refused(page):
        return [
            " ".join(item.text_content().split())
            for item in page.xpath("//*[@id='print_order_refused_files']//li")
        ]

    @staticmethod
    def _priced_on_start(page, xpath):
        return bool(page.xpath(f"{xpath}[@data-print-price-on-start='1']"))

    def test_01_the_word_for_the_shop_survives_every_button_and_is_sent(self):
        word = "Laminated, please."
        j1, j2 = self.job_1.id, self.job_2.id
        # Add files
        page = self._done(
            self._save(
                {"do": f"save:{j1}", "message": word},
                files=[(f"job_{j1}_files", ("extra.pdf", make_pdf("extra")))],
            ),
            "uploaded",
        )
        self.assertEqual(self._shown(page)["message"], word)
        self.assertFalse(page.xpath("//form[@id='print_order_form'][@data-print-unsaved]"))
        extra = self.job_1.attachment_ids.filtered(lambda att: att.name == "extra.pdf")
        self.assertTrue(extra)
        # Replace
        page = self._done(
            self._save(
                {"do": f"save:{j1}", "message": word},
                files=[(f"job_{j1}_replace_{self.flagged.id}", ("fixed.pdf", make_pdf("fixed")))],
            ),
            "uploaded",
        )
        self.assertEqual(self._shown(page)["message"], word)
        # Save the job ticket
        page = self._done(
            self._save({"do": f"save:{j2}", "message": word, f"job_{j2}_copies": "3"}), "ticket"
        )
        self.assertEqual(self._shown(page)["message"], word)
        # Remove a file
        page = self._done(
            self._save({"do": f"remove:{j1}:{extra.id}", "message": word}), "removed"
        )
        self.assertEqual(self._shown(page)["message"], word)
        # Only the word changed (Enter in the form): kept, and said so.
        page = self._done(self._save({"do": "save", "message": "Laminated, both jobs."}), "saved")
        self.assertEqual(self._shown(page)["message"], "Laminated, both jobs.")
        # The same again changes nothing.
        self._done(self._save({"do": "save", "message": "Laminated, both jobs."}), "unchanged")
        # Opened again later, from the e-mail's link: still there.
        _response, page = self._get_page(f"/my/print_orders/{self.order.id}{self._token_query()}")
        self.assertEqual(self._shown(page)["message"], "Laminated, both jobs.")
        # The customer's unsent words are theirs: neither they nor the shop read them over RPC.
        for user in (self.portal_paula, self.operator):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.order.with_user(user).read(["portal_form_draft"])
        # Sent: the word reaches the shop, and the page forgets it.
        self._done(self._save({"do": "submit", "message": "Laminated, both jobs."}), "submitted")
        self.assertEqual(self.request.answer_message, "Laminated, both jobs.")
        self.assertFalse(self.order.sudo().portal_form_draft)

    def test_02_a_half_filled_new_job_survives_uploads_and_starts_empty_once_added(self):
        self.authenticate("portal_paula", "portal_paula")
        draft = self.env["print.order"]._create_portal_draft(self.customer)
        draft._add_portal_job("Flyer A5", {"copies": "1", "product_id": str(self.silk.id)})
        flyer = draft.job_ids
        typed = {
            "message": "Needed by Friday",
            "new_job_name": "Poster A3",
            "new_job_product_id": str(self.silk.id),
            "new_job_copies": "40",
            "new_job_ticket_note": "Matte",
        }
        add_job_block = "//div[@id='print_order_add_job']"
        # A fresh draft: the job to add is priced as rendered.
        _response, page = self._get_page(f"/my/print_orders/{draft.id}")
        self.assertFalse(self._priced_on_start(page, add_job_block))

        page = self._done(
            self._save(
                {"do": f"save:{flyer.id}", **typed},
                files=[(f"job_{flyer.id}_files", ("flyer.pdf", make_pdf()))],
                order=draft,
            ),
            "uploaded",
            order=draft,
        )
        expected = {key: value for key, value in typed.items() if key != "new_job_product_id"}
        self.assertEqual(self._shown(page), expected)
        # Its price block is rendered for one copy: the page prices it again from the form.
        self.assertTrue(self._priced_on_start(page, add_job_block))
        # Replace
        page = self._done(
            self._save(
                {"do": f"save:{flyer.id}", **typed},
                files=[
                    (
                        f"job_{flyer.id}_replace_{flyer.attachment_ids.id}",
                        ("flyer-2.pdf", make_pdf("v2")),
                    )
                ],
                order=draft,
            ),
            "uploaded",
            order=draft,
        )
        self.assertEqual(self._shown(page), expected)
        # Add the job: it has what was typed; the form to add one starts empty, the word stays.
        page = self._done(self._save({"do": "add_job", **typed}, order=draft), "job_added", draft)
        poster = draft.job_ids - flyer
        self.assertRecordValues(
            poster, [{"name": "Poster A3", "copies": 40, "ticket_note": "Matte"}]
        )
        self.assertEqual(
            self._shown(page),
            {"message": "Needed by Friday", "new_job_copies": "1", "new_job_ticket_note": ""},
        )
        self.assertFalse(self._priced_on_start(page, add_job_block))
        # Submitted: the word is on the order, once; nothing is kept.
        self._done(
            self._save(
                {"do": f"save:{poster.id}", "message": "Needed by Friday"},
                files=[(f"job_{poster.id}_files", ("poster.pdf", make_pdf("poster")))],
                order=draft,
            ),
            "uploaded",
            order=draft,
        )
        self._done(
            self._save({"do": "submit", "message": "Needed by Friday"}, order=draft),
            "submitted_order",
            order=draft,
        )
        words = draft.message_ids.filtered(lambda message: "Needed by Friday" in message.body)
        self.assertEqual(len(words), 1)
        self.assertFalse(draft.sudo().portal_form_draft)

    def test_03_a_refused_file_is_refused_alone_and_named_with_why(self):
        j1, j2 = self.job_1.id, self.job_2.id
        before = self.job_1.attachment_ids
        response = self._save(
            {"do": f"save:{j1}", "message": "Typed", f"job_{j2}_copies": "45"},
            files=[
                (f"job_{j1}_files", ("good.pdf", make_pdf("good"))),
                (f"job_{j1}_files", ("secret.pdf", make_encrypted_pdf())),
            ],
        )
        page = self._done(response, "saved")  # the good file and the ticket
        self.assertFalse(page.xpath("//*[@id='print_order_error']"))
        self.assertEqual(sorted((self.job_1.attachment_ids - before).mapped("name")), ["good.pdf"])
        self.assertEqual(self.job_2.copies, 45)
        self.assertEqual(
            self.request.change_ids.filtered(lambda change: change.kind == "file_added").new_name,
            "good.pdf",
        )
        refused = self._refused(page)
        self.assertEqual(len(refused), 1, refused)
        self.assertIn(f"Job 1 / secret.pdf: {PROTECTED}", refused[0])
        self.assertNotIn("good.pdf", " ".join(refused))
        self.assertEqual(self._shown(page)["message"], "Typed")
        # The next post refuses nothing: the list of refused files is gone.
        page = self._done(self._save({"do": "save", "message": "Typed"}), "unchanged")
        self.assertEqual(self._refused(page), [])

    def test_04_send_with_a_refused_file_sends_nothing_and_keeps_the_rest(self):
        j1 = self.job_1.id
        response = self._save(
            {"do": "submit", "message": "Here it is"},
            files=[
                (f"job_{j1}_replace_{self.flagged.id}", ("secret.pdf", make_encrypted_pdf())),
                (f"job_{j1}_files", ("good.pdf", make_pdf("good"))),
            ],
        )
        page = self._done(response, "not_sent")
        self.assertIn(
            "nothing was sent to the print shop",
            page.xpath("//*[@id='print_order_notice']")[0].text_content(),
        )
        self.assertEqual(self.request.state, "waiting")
        self.assertEqual(self.order.communication_state, "change_requested")
        self.assertIn(self.flagged, self.job_1.attachment_ids, "its replacement was refused")
        self.assertIn("good.pdf", self.job_1.attachment_ids.mapped("name"))
        self.assertIn(f"Job 1 / secret.pdf: {PROTECTED}", " ".join(self._refused(page)))
        self.assertEqual(self._shown(page)["message"], "Here it is")
        # Every file refused, nothing else: refused as a whole, nothing sent.
        self._assert_refused(
            self._save(
                {"do": "submit", "message": "Here it is"},
                files=[(f"job_{j1}_files", ("secret.pdf", make_encrypted_pdf()))],
            ),
            "Job 1 / secret.pdf",
        )
        self.assertEqual(self.request.state, "waiting")
        # Sent with a good replacement.
        self._done(
            self._save(
                {"do": "submit", "message": "Here it is", f"job_{self.job_2.id}_copies": "3"},
                files=[(f"job_{j1}_replace_{self.flagged.id}", ("fixed.pdf", make_pdf("fixed")))],
            ),
            "submitted",
        )
        self.assertEqual(self.request.answer_message, "Here it is")

    def test_05_a_ticket_shown_as_typed_after_a_refusal_is_priced_from_the_form(self):
        self.env.company.print_upload_max_files = 1
        j1, j2 = self.job_1.id, self.job_2.id
        self._done(self._save({"do": f"save:{j2}", f"job_{j2}_copies": "250"}), "ticket")
        ticket = "//div[hasclass('o_print_ticket')][@data-job-id='{}']"
        _response, page = self._get_page(f"/my/print_orders/{self.order.id}{self._token_query()}")
        self.assertFalse(self._priced_on_start(page, ticket.format(j2)))

        response = self._save(
            {"do": f"save:{j1}", f"job_{j1}_copies": "1", f"job_{j2}_copies": "300"},
            files=[
                (f"job_{j1}_files", ("a.pdf", make_pdf("a"))),
                (f"job_{j1}_files", ("b.pdf", make_pdf("b"))),
            ],
        )
        self._assert_refused(response, "2 files")
        self.assertEqual(self.job_2.copies, 250)
        page = html.fromstring(response.content)
        self.assertEqual(page.xpath(f"//input[@name='job_{j2}_copies']/@value"), ["300"])
        # Its block was rendered for the 250 copies saved: the page prices it again.
        self.assertTrue(self._priced_on_start(page, ticket.format(j2)))
        self.assertFalse(self._priced_on_start(page, ticket.format(j1)), "shown as saved")
