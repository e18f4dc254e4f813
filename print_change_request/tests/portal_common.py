"""Fixture of the portal tests: two customers with portal logins, real files, and helpers that
use the portal as a browser does (GET the page, read its CSRF token, POST multipart forms)."""

import io
import re
from urllib.parse import urlsplit

from lxml import html
from PIL import Image
from reportlab.pdfgen import canvas

from odoo import Command
from odoo.tests import Form, HttpCase, new_test_user
from odoo.tools.misc import human_size
from odoo.tools.pdf import PdfReader, PdfWriter

from .common import PrintCommon


def make_pdf(text="Print me", pages=1):
    """A real, readable PDF."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for page in range(pages):
        pdf.drawString(100, 750, f"{text} ({page + 1})")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def make_encrypted_pdf(password="secret"):
    """A PDF protected by a password: the seed's own example of a file that cannot be printed."""
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(make_pdf("Secret"))).pages:
        writer.add_page(page)
    writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def make_png():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return buffer.getvalue()


class PrintPortalCommon(PrintCommon, HttpCase):
    """An order of the customer waiting for their changes: job 1's first file must change
    (missing fonts), job 2's ticket must change; paid and refunded by hand (so 20.00 is due
    again).  Two portal users: the customer's (``portal_paula``) and another customer's
    (``portal_oscar``) with an order of their own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The class's environment, read from a record of it: pylint takes ``cls.env`` for
        # TransactionCase's ``env = None`` (it does not see setUpClass set it).
        env = cls.customer.env
        cls.reason = env.ref("print_change_request.reason_missing_fonts")
        cls.other_customer = env["res.partner"].create(
            {"name": "Oscar Other", "email": "oscar.other@example.com"}
        )
        company = cls.env.company
        cls.portal_paula = new_test_user(
            cls.env,
            login="portal_paula",
            groups="base.group_portal",
            partner_id=cls.customer.id,
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        cls.portal_oscar = new_test_user(
            cls.env,
            login="portal_oscar",
            groups="base.group_portal",
            partner_id=cls.other_customer.id,
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        cls.silk = env["product.product"].create(
            {
                "name": "Silk A3 170 g",
                "type": "service",
                "list_price": 0.9,
                "taxes_id": [Command.clear()],
            }
        )
        company.print_portal_media_ids = [Command.set(cls.silk.ids)]

    def setUp(self):
        super().setUp()
        self.order = self._create_order(jobs=2, files=2)
        self._replace_job_files(self.order)
        self._pay_by_transaction(self.order)  # a provider that cannot refund: by hand
        self._send_request(self.order)
        self.assertEqual(self.order.communication_state, "change_requested")
        self.request = self.order.change_request_ids
        self.job_1, self.job_2 = self.order.job_ids.sorted("sequence")
        self.flagged = self.request.file_item_ids.attachment_id
        self.assertEqual(len(self.flagged), 1)
        self.other_order = self._create_order(jobs=1, partner_id=self.other_customer.id)
        self._replace_job_files(self.other_order)

    # ------------------------------------------------------------
    # Set-up helpers
    # ------------------------------------------------------------

    @classmethod
    def _setup_demo_provider(cls):
        """Odoo's demo payment provider for the test company (``payment_demo`` is installed
        for the tests only, by scripts/test.sh)."""
        env = cls.customer.env  # cls.env: see setUpClass
        demo = env["ir.module.module"].search([("name", "=", "payment_demo")])
        assert demo.state == "installed", (
            "payment_demo must be installed for these tests: scripts/test.sh installs it"
        )
        cls.demo_method = cls.env.ref("payment_demo.payment_method_demo")
        cls.demo_provider = (
            cls.env.ref("payment.payment_provider_demo")
            .sudo()
            .copy(
                {
                    "name": "Demo (test)",
                    "company_id": cls.env.company.id,
                    "state": "test",
                    "is_published": True,
                    "payment_method_ids": [Command.set(cls.demo_method.ids)],
                }
            )
        )

    def _replace_job_files(self, order):
        """Give every job real PDFs (the common fixture's files are not readable PDFs)."""
        for job in order.job_ids:
            for attachment in job.attachment_ids:
                attachment.raw = make_pdf(attachment.name)

    def _send_request(self, order, ticket=True):
        """The operator asks to change job 1's first file and job 2's ticket, with a message,
        and leaves the refund to the accountants."""
        action = order.with_user(self.operator).action_request_change()
        wizard_form = Form(
            self.env[action["res_model"]]
            .with_user(self.operator)
            .with_context(**action["context"])
        )
        with wizard_form.line_ids.edit(0) as line:
            line.to_change = True
            line.reason_id = self.reason
            line.note = "Embed the fonts of page 2"
        if ticket:
            wizard_form.ticket_job_ids.add(order.job_ids.sorted("sequence")[1])
            wizard_form.ticket_note = "Choose 170 g paper"
        wizard_form.message = "Thanks for your patience!"
        result = wizard_form.save().action_confirm()
        if result.get("res_model") == "print.refund.confirm.wizard":
            Form(
                self.env[result["res_model"]]
                .with_user(self.operator)
                .with_context(**result["context"])
            ).save().action_refund_manually()

    # ------------------------------------------------------------
    # Browser-like helpers
    # ------------------------------------------------------------

    def _token_query(self, order=None):
        order = order or self.order
        order._portal_ensure_token()
        return f"?access_token={order.access_token}"

    def _get_page(self, url, status=200):
        response = self.url_open(url)
        self.assertEqual(response.status_code, status, response.text[:500])
        return response, html.fromstring(response.content)

    def _csrf(self, url=None):
        """The CSRF token of the order page's forms, read from the page like a browser."""
        response, page = self._get_page(url or f"/my/print_orders/{self.order.id}")
        tokens = page.xpath("//input[@name='csrf_token']/@value")
        if not tokens:  # no form on the page: the token the page's scripts use
            tokens = re.findall(r'csrf_token: "([^"]+)"', response.text)
        self.assertTrue(tokens, "the page gives a CSRF token")
        return tokens[0]

    def _post(self, path, data=None, files=None, token=True, csrf=True, order=None):
        """POST a form of the order page (multipart when ``files``), with the page's CSRF token
        and the order's access token unless told otherwise.  Return the final response."""
        order = order or self.order
        query = self._token_query(order) if token else ""
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self._csrf(f"/my/print_orders/{order.id}{query}"))
        return self.url_open(f"{path}{query}", data=data, files=files)

    def _upload(self, job, files, replaces=None, **kwargs):
        data = {"replaces_id": str(replaces.id)} if replaces else {}
        return self._post(
            f"/my/print_orders/{job.order_id.id}/jobs/{job.id}/files",
            data=data,
            files=[("files", file) for file in files],
            order=job.order_id,
            **kwargs,
        )

    def _ticket(self, job, **values):
        return self._post(
            f"/my/print_orders/{job.order_id.id}/jobs/{job.id}/ticket",
            data=values,
            order=job.order_id,
        )

    def _remove(self, job, attachment, **kwargs):
        return self._post(
            f"/my/print_orders/{job.order_id.id}/jobs/{job.id}/files/{attachment.id}/remove",
            order=job.order_id,
            **kwargs,
        )

    def _submit(self, message="", **kwargs):
        return self._post(
            f"/my/print_orders/{self.order.id}/submit", data={"message": message}, **kwargs
        )

    def _error_of(self, response):
        page = html.fromstring(response.content)
        errors = page.xpath("//*[@id='print_order_error']")
        return " ".join(errors[0].text_content().split()) if errors else ""

    def _assert_refused(self, response, *fragments, status=400):
        self.assertEqual(response.status_code, status, response.text[:300])
        error = self._error_of(response)
        for fragment in fragments:
            self.assertIn(fragment, error)
        self.assertNotIn("Traceback", response.text)
        return error

    def _assert_too_large(self, response, limit):
        """The order's page after a request beyond the shop's upload limit: it says the
        limit, and nothing was stored."""
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.assertEqual(urlsplit(response.url).path, f"/my/print_orders/{self.order.id}")
        self.assertIn("notice=too_large", response.url)
        notice = html.fromstring(response.text).get_element_by_id("print_order_notice")
        self.assertIn("too large", notice.text_content())
        self.assertIn(human_size(limit), notice.text_content())

    def _assert_done(self, response, notice):
        self.assertEqual(response.status_code, 200, self._error_of(response))
        self.assertEqual(urlsplit(response.url).path, f"/my/print_orders/{self.order.id}")
        self.assertIn(f"notice={notice}", response.url)

    def _answer_fully(self):
        """Replace the flagged file and change job 2's copies, as the customer does."""
        self._assert_done(
            self._upload(
                self.job_1, [("fonts-embedded.pdf", make_pdf("fixed"))], replaces=self.flagged
            ),
            "uploaded",
        )
        self._assert_done(self._ticket(self.job_2, copies="3"), "ticket")
