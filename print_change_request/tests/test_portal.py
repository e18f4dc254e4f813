"""The customer's page of a print order: the link of the change-request e-mail works with the
order's access token, and for the owner logged in."""

from urllib.parse import urlsplit

from lxml import html

from odoo.tests import Form, HttpCase, new_test_user, tagged

from .common import PrintCommon


@tagged("post_install", "-at_install")
class TestPortal(PrintCommon, HttpCase):
    def setUp(self):
        super().setUp()
        self.reason = self.env.ref("print_change_request.reason_missing_fonts")
        self.order = self._create_order(jobs=2)
        self._pay_by_transaction(self.order)  # a provider that cannot refund: by hand
        self._send_request(self.order)
        self.assertEqual(self.order.communication_state, "change_requested")
        self.change_request = self.order.change_request_ids
        self.assertEqual(len(self.change_request), 1)

    def _send_request(self, order):
        """The operator asks to change the first job's file and the second job's ticket,
        with a message, and leaves the refund to the accountants."""
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
        wizard_form.ticket_job_ids.add(order.job_ids.sorted("sequence")[1])
        wizard_form.ticket_note = "Choose 170 g paper"
        wizard_form.message = "Thanks for your patience!"
        result = wizard_form.save().action_confirm()
        self.assertEqual(result.get("res_model"), "print.refund.confirm.wizard")
        confirm = Form(
            self.env[result["res_model"]]
            .with_user(self.operator)
            .with_context(**result["context"])
        ).save()
        confirm.action_refund_manually()

    def _open(self, url):
        """GET ``url``; return the response, its final path and the page's text."""
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        text = " ".join(html.fromstring(response.content).text_content().split())
        return response, urlsplit(response.url).path, text

    def _assert_no_order_data(self, text):
        for data in (self.order.name, "job1-file1.pdf", "Embed the fonts", self.reason.name):
            self.assertNotIn(data, text)

    def test_01_token_shows_what_must_change(self):
        url = self.order.get_portal_url()
        self.assertTrue(url.startswith(f"/my/print_orders/{self.order.id}?"))
        self.assertIn(f"access_token={self.order.access_token}", url)

        response, path, text = self._open(url)

        self.assertEqual(path, f"/my/print_orders/{self.order.id}", "no redirection")
        page = html.fromstring(response.content)
        state = page.get_element_by_id("print_order_state")
        self.assertEqual(state.text_content().strip(), "Waiting for your changes")
        self.assertIn("text-bg-warning", state.get("class"))
        self.assertEqual(
            page.get_element_by_id("print_order_paid").text_content().strip(),
            "Not paid",
            "the money is promised back",
        )
        self.assertIn(f"Print order {self.order.name}", text)
        changes = " ".join(page.get_element_by_id("print_order_changes").text_content().split())
        self.assertIn("What you must change", changes)
        self.assertIn(f"Job 1 / job1-file1.pdf: {self.reason.name}", changes)
        self.assertIn(self.reason.description, changes)
        self.assertIn("Embed the fonts of page 2", changes)
        self.assertIn("Job 2: Choose 170 g paper", changes)
        self.assertIn("Thanks for your patience!", changes)
        refunds = " ".join(page.get_element_by_id("print_order_refunds").text_content().split())
        self.assertIn("Refund of", refunds)
        self.assertIn("20.00", refunds)
        self.assertIn("Under way", refunds)
        jobs = page.get_element_by_id("print_order_jobs").xpath(".//tbody/tr")
        self.assertEqual(len(jobs), 2)
        job_1 = " ".join(jobs[0].text_content().split())
        self.assertIn("Job 1", job_1)
        self.assertIn("job1-file1.pdf", job_1)
        self.assertIn(self.paper.name, job_1)
        self.assertIn("Waiting for your changes", job_1)
        self.assertNotIn("Back to edit mode", text, "customers see no back-office link")

    def test_02_wrong_token_or_missing_order_redirects(self):
        for url in (
            f"/my/print_orders/{self.order.id}?access_token=wrong-token",
            f"/my/print_orders/{self.order.id + 1000000}?access_token={self.order.access_token}",
        ):
            _response, path, text = self._open(url)
            self.assertEqual(path, "/web/login", "sent to /my, which asks to log in")
            self._assert_no_order_data(text)

    def test_03_no_token_leaks_nothing(self):
        _response, path, text = self._open(f"/my/print_orders/{self.order.id}")
        self.assertEqual(path, "/web/login")
        self._assert_no_order_data(text)

        # The customer logged in as a portal user sees their order without the token too.
        new_test_user(
            self.env,
            login="pcr_portal_page",
            groups="base.group_portal",
            partner_id=self.customer.id,
        )
        self.authenticate("pcr_portal_page", "pcr_portal_page")
        _response, path, text = self._open(f"/my/print_orders/{self.order.id}")
        self.assertEqual(path, f"/my/print_orders/{self.order.id}")
        self.assertIn(self.order.name, text)
        _response, path, text = self._open(self.order.get_portal_url())
        self.assertEqual(path, f"/my/print_orders/{self.order.id}")
        self.assertIn(self.order.name, text)

    def test_04_email_link_opens_the_page(self):
        body = html.fromstring(self.change_request.mail_message_id.body)
        links = [href for href in body.xpath("//a/@href") if "/my/print_orders/" in (href or "")]
        self.assertEqual(len(links), 1)
        link = urlsplit(links[0])
        self.assertEqual(f"{link.path}?{link.query}", self.order.get_portal_url())

        _response, path, text = self._open(f"{link.path}?{link.query}")

        self.assertEqual(path, link.path)
        self.assertIn(self.order.name, text)
        self.assertIn("What you must change", text)

    def test_05_operator_opens_the_page_without_token(self):
        self.authenticate(self.operator.login, self.operator.login)
        _response, path, text = self._open(f"/my/print_orders/{self.order.id}")
        self.assertEqual(path, f"/my/print_orders/{self.order.id}")
        self.assertIn(self.order.name, text)
        self.assertIn("Back to edit mode", text)

    def test_06_nothing_to_change_without_a_request(self):
        order = self._create_order()
        order._portal_ensure_token()
        _response, path, text = self._open(order.get_portal_url())
        self.assertEqual(path, f"/my/print_orders/{order.id}")
        self.assertIn(order.name, text)
        self.assertNotIn("What you must change", text)
        self.assertNotIn("Refund of", text)
