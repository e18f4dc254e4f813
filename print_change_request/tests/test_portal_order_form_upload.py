"""The order page's form posted by its script with upload progress (issue 23, item 4), over real
HTTP: ``print_order_form.js`` sends the whole form (``FormData``, the clicked button's ``do``,
the chosen files) by XMLHttpRequest with the header ``X-Print-Upload``; the route then answers
the redirect as JSON (``{"location": ...}``) for the script to open the page itself.  Without
the header the same post answers the usual redirect; a refusal is never JSON (the script posts
the form again as the browser does)."""

from urllib.parse import parse_qs, urlsplit

from lxml import html

from odoo.tests import tagged

from .portal_common import PrintPortalCommon, make_encrypted_pdf, make_pdf

PROTECTED = "The PDF is protected by a password, so we cannot open it."


@tagged("post_install", "-at_install")
class TestPortalOrderFormUpload(PrintPortalCommon):
    def setUp(self):
        super().setUp()
        self.authenticate("portal_paula", "portal_paula")
        self.page_url = f"/my/print_orders/{self.order.id}"

    def _form_post(self, do, typed=None, chosen=None, upload_header=True):
        """Post the page's form as its script does: every field of the form as the page holds
        it (``FormData``: the CSRF token, the tickets, the message, each file input, an empty
        one as an empty file), ``typed`` over it, ``chosen`` files (``{input name: [(file
        name, bytes)]}``) in their inputs, the clicked button's ``do`` appended last, and the
        header that asks for the JSON answer.  Return the response, redirects not followed."""
        _response, page = self._get_page(self.page_url)
        form = page.get_element_by_id("print_order_form")
        typed = dict(typed or {})
        chosen = dict(chosen or {})
        data = [(name, typed.pop(name, value)) for name, value in form.form_values()]
        self.assertFalse(set(typed), "only fields the form has are typed")
        self.assertIn("csrf_token", dict(data))
        files = []
        for file_input in form.xpath(".//input[@type='file'][@name]"):
            name = file_input.get("name")
            for filename, content in chosen.pop(name, [("", b"")]):
                content_type = "application/pdf" if filename else "application/octet-stream"
                files.append((name, (filename, content, content_type)))
        self.assertFalse(set(chosen), "files are chosen in inputs the form has")
        data.append(("do", do))
        headers = {"X-Print-Upload": "1"} if upload_header else {}
        return self.url_open(
            form.get("action"), data=data, files=files, headers=headers, allow_redirects=False
        )

    def _assert_location(self, location, notice, anchor):
        parts = urlsplit(location)
        self.assertEqual(parts.path, self.page_url)
        self.assertEqual(parse_qs(parts.query)["notice"], [notice])
        self.assertEqual(parts.fragment, anchor)

    def _refused_shown(self, location):
        """The refused files the page lists when the script opens ``location``."""
        _response, page = self._get_page(location)
        return [
            " ".join(item.text_content().split())
            for item in page.xpath("//*[@id='print_order_refused_files']//li")
        ]

    def test_01_the_script_gets_json_the_files_are_stored_the_refused_one_named(self):
        j1, j2 = self.job_1.id, self.job_2.id
        before = self.job_1.attachment_ids
        response = self._form_post(
            f"save:{j1}",
            typed={"message": "Typed before the upload", f"job_{j2}_copies": "45"},
            chosen={
                f"job_{j1}_files": [
                    ("poster.pdf", make_pdf("poster", pages=40)),
                    ("secret.pdf", make_encrypted_pdf()),
                ]
            },
        )
        # JSON, not a redirect: XMLHttpRequest would follow a redirect by itself.
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.assertFalse(response.is_redirect)
        self.assertIn("application/json", response.headers["Content-Type"])
        answer = response.json()
        self.assertEqual(set(answer), {"location"})
        self._assert_location(answer["location"], "saved", f"job-{j1}")
        # Saved: the good file on job 1, the ticket typed beside it, the word kept.
        self.assertEqual((self.job_1.attachment_ids - before).mapped("name"), ["poster.pdf"])
        self.assertEqual(self.job_2.copies, 45)
        self.assertEqual(
            self.order.sudo().portal_form_draft.get("message"), "Typed before the upload"
        )
        # The refused file is named, with why, on the page the script opens (the JSON answer
        # did not show it: the one-time notice is still there for the customer).
        refused = self._refused_shown(answer["location"])
        self.assertEqual(len(refused), 1, refused)
        self.assertIn(f"Job 1 / secret.pdf: {PROTECTED}", refused[0])
        self.assertNotIn("poster.pdf", refused[0])
        _response, page = self._get_page(answer["location"])
        self.assertEqual(
            page.xpath("//textarea[@name='message']")[0].text, "Typed before the upload"
        )
        self.assertIn(
            "poster.pdf",
            " ".join(page.get_element_by_id(f"job-{j1}").text_content().split()),
        )

    def test_02_without_the_header_the_same_post_redirects(self):
        j1 = self.job_1.id
        before = self.job_1.attachment_ids
        response = self._form_post(
            f"save:{j1}",
            chosen={f"job_{j1}_files": [("plain.pdf", make_pdf("plain"))]},
            upload_header=False,
        )
        self.assertEqual(response.status_code, 303, response.text[:300])
        self.assertNotIn("json", response.headers.get("Content-Type", ""))
        self._assert_location(response.headers["Location"], "uploaded", f"job-{j1}")
        self.assertEqual((self.job_1.attachment_ids - before).mapped("name"), ["plain.pdf"])

    def test_03_a_refusal_is_the_error_page_not_json(self):
        """Every file refused (nothing saved): the page with the error (400), which the
        script cannot open from JSON: it posts the form again as the browser does."""
        j1 = self.job_1.id
        before = self.job_1.attachment_ids
        response = self._form_post(
            f"save:{j1}",
            typed={"message": "Still here"},
            chosen={f"job_{j1}_files": [("secret.pdf", make_encrypted_pdf())]},
        )
        self.assertEqual(response.status_code, 400, response.text[:300])
        self.assertNotIn("json", response.headers.get("Content-Type", ""))
        self.assertIn("Job 1 / secret.pdf: The PDF is protected", self._error_of(response))
        page = html.fromstring(response.content)
        self.assertEqual(page.xpath("//textarea[@name='message']")[0].text, "Still here")
        self.assertEqual(self.job_1.attachment_ids, before)
