"""After the customer submits a new order in the portal, over real HTTP: paying at once when the
shop asks for it (or later from the order's page), the warnings of the automatic check shown
per file before submitting, and the responsible told at once.  Pays with Odoo's
``payment_demo`` provider (installed for the tests only, see scripts/test.sh)."""

import json
from urllib.parse import urlsplit

from lxml import html

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import CLEAN_PDF
from .portal_common import make_pdf
from .test_portal_new_order import PortalNewOrderCommon


@tagged("post_install", "-at_install")
class TestPortalNewOrderSubmit(PortalNewOrderCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_demo_provider()

    def _submit_draft(self, draft):
        """Submit as the page's form does; return the redirection (not followed)."""
        csrf = self._csrf(f"/my/print_orders/{draft.id}")
        response = self.url_open(
            f"/my/print_orders/{draft.id}/submit",
            data={"csrf_token": csrf, "message": ""},
            allow_redirects=False,
        )
        self.assertIn(response.status_code, (302, 303), response.text[:300])
        return urlsplit(response.headers["Location"])

    def _json(self, url, params):
        response = self.url_open(
            url,
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        payload = response.json()
        error = payload.get("error")
        return payload.get("result"), (error["data"]["message"] if error else None)

    def _pay_with_demo(self, order, page):
        """Pay as Odoo's payment form does: its transaction route, then the demo provider."""
        form = page.xpath("//form[@id='o_payment_form']")
        self.assertEqual(len(form), 1, "the order page offers Odoo's payment form")
        route = form[0].get("data-transaction-route")
        result, error = self._json(
            route,
            {
                "access_token": order.access_token,
                "provider_id": self.demo_provider.id,
                "payment_method_id": self.demo_method.id,
                "token_id": None,
                "amount": float(form[0].get("data-amount")),
                "flow": "direct",
                "tokenization_requested": False,
                "landing_route": form[0].get("data-landing-route"),
                "is_validation": False,
            },
        )
        self.assertIsNone(error)
        _result, error = self._json(
            "/payment/demo/simulate_payment",
            {
                "reference": result["reference"],
                "payment_details": "4242",
                "simulated_state": "done",
            },
        )
        self.assertIsNone(error)
        return self.env["payment.transaction"].search([("reference", "=", result["reference"])])

    def _notice_of(self, page):
        notices = page.xpath("//*[@id='print_order_notice']")
        return " ".join(notices[0].text_content().split()) if notices else ""

    def test_01_the_shop_takes_payment_at_submission(self):
        self.env.company.print_portal_pay_on_submit = True
        self.env.company.print_invoice_on_payment = True
        draft = self._ready_draft(jobs=2)
        self.assertGreater(draft.amount_total, 0)

        location = self._submit_draft(draft)

        # The customer lands on the order's payment, and the confirmation says so.
        self.assertEqual(location.path, f"/my/print_orders/{draft.id}")
        self.assertIn("notice=submitted_pay", location.query)
        self.assertEqual(location.fragment, "print_order_payment")
        self.assertFalse(draft.portal_draft)
        self.assertEqual(draft.communication_state, "new")
        _response, page = self._get_page(f"{location.path}?{location.query}")
        self.assertIn("Please pay it now", self._notice_of(page))
        self.assertTrue(page.xpath("//section[@id='print_order_payment']"))
        confirmation = draft.message_ids.filtered(lambda message: "was submitted" in message.body)
        self.assertIn("Please pay", confirmation.body)
        self.assertIn("1.80", confirmation.body)  # the amount due
        self.assertEqual(confirmation.partner_ids, self.customer)
        self.assertFalse(draft.is_paid)

        tx = self._pay_with_demo(draft, page)

        self.env.invalidate_all()
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.print_order_ids, draft)
        self.assertEqual(tx.amount, draft.amount_total)
        self.assertTrue(draft.is_paid, "the order is Job is paid once the transaction is done")
        self.assertEqual(draft.communication_state, "new")
        _response, page = self._get_page(f"/my/print_orders/{draft.id}")
        self.assertEqual(page.get_element_by_id("print_order_paid").text_content().strip(), "Paid")
        self.assertFalse(page.xpath("//form[@id='o_payment_form']"))
        # Odoo's post-processing (its cron, or the payment status page) invoices the order and
        # reconciles the payment with the invoice, as the shop chose.
        tx.sudo()._post_process()
        invoice = draft.invoice_ids
        self.assertRecordValues(invoice, [{"state": "posted", "amount_total": draft.amount_total}])
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertTrue(draft.is_paid)

    def test_02_without_the_setting_the_order_is_paid_later(self):
        self.env.company.print_portal_pay_on_submit = False
        draft = self._ready_draft()

        location = self._submit_draft(draft)

        self.assertIn("notice=submitted_order", location.query)
        self.assertEqual(location.fragment, "")
        _response, page = self._get_page(f"{location.path}?{location.query}")
        self.assertIn("now or later", self._notice_of(page))
        self.assertNotIn("Please pay", self._notice_of(page))
        confirmation = draft.message_ids.filtered(lambda message: "was submitted" in message.body)
        self.assertNotIn("Please pay", confirmation.body)
        self.assertFalse(draft.portal_draft)
        self.assertFalse(draft.is_paid)

        # Later, from the order's page.
        _response, page = self._get_page(f"/my/print_orders/{draft.id}")
        tx = self._pay_with_demo(draft, page)
        self.env.invalidate_all()
        self.assertEqual(tx.state, "done")
        self.assertTrue(draft.is_paid)

    def test_03_nothing_to_pay_means_no_payment_step(self):
        self.env.company.print_portal_pay_on_submit = True
        free = self.env["product.product"].create(
            {"name": "Free proof print", "type": "service", "list_price": 0.0}
        )
        self.env.company.print_portal_media_ids = [Command.link(free.id)]
        self.assertEqual(self._start_order(product_id=str(free.id)).status_code, 200)
        draft = self._draft()
        self._upload_to(draft.job_ids)
        self.assertEqual(draft.amount_total, 0.0)

        location = self._submit_draft(draft)

        self.assertIn("notice=submitted_order", location.query)
        self.assertFalse(draft.portal_draft)

    def test_04_the_draft_shows_each_files_warnings_before_submitting(self):
        self.assertEqual(self._start_order().status_code, 200)
        draft = self._draft()
        job = draft.job_ids
        # reportlab's Helvetica is not embedded: a warning, the file is kept.
        self.assertEqual(
            self._upload_to(job, "flyer-front.pdf", make_pdf("front")).status_code, 200
        )
        self.assertEqual(self._upload_to(job, "flyer-back.pdf", CLEAN_PDF).status_code, 200)
        self.assertEqual(len(job.attachment_ids), 2)
        self.assertEqual(job.preflight_state, "warning")

        _response, page = self._get_page(f"/my/print_orders/{draft.id}")

        files = {
            " ".join(block.xpath(".//a")[0].text_content().split()): " ".join(
                block.text_content().split()
            )
            for block in page.xpath("//div[contains(@class, 'o_print_file ')]")
        }
        self.assertIn("Fonts not embedded: Helvetica", files["flyer-front.pdf"])
        self.assertNotIn("no problem found", files["flyer-front.pdf"])
        self.assertIn("no problem found", files["flyer-back.pdf"])
        self.assertNotIn("Fonts not embedded", files["flyer-back.pdf"])
        summary = page.get_element_by_id("print_order_preflight_warnings").text_content()
        summary = " ".join(summary.split())
        self.assertIn("Flyer A5 / flyer-front.pdf: Fonts not embedded: Helvetica", summary)
        self.assertNotIn("flyer-back.pdf", summary)
        # The submit form is below the warnings: the customer may still submit.
        self.assertTrue(page.xpath("//*[@id='print_order_submit']//button[@type='submit']"))

    def test_05_the_responsible_is_told_at_once(self):
        self.env.company.print_portal_user_id = self.operator
        draft = self._ready_draft()
        # The bus is Odoo's technical table (no user reads it): inspected as superuser.
        bus = self.env["bus.bus"].sudo()
        before = bus.search([], order="id desc", limit=1).id or 0

        self._submit_draft(draft)

        self.assertEqual(draft.user_id, self.operator)
        self.assertEqual(draft.activity_ids.user_id, self.operator)
        channel = [self.env.cr.dbname, "res.partner", self.operator.partner_id.id]
        notes = [
            json.loads(sent.message)
            for sent in bus.search([("id", ">", before)])
            if json.loads(sent.channel) == channel
        ]
        kinds = [note["type"] for note in notes]
        self.assertIn("simple_notification", kinds)
        self.assertIn("mail.activity/updated", kinds)
        note = next(note for note in notes if note["type"] == "simple_notification")
        self.assertEqual(
            note["payload"]["message"],
            f"{self.customer.display_name} submitted order {draft.name} in the portal.",
        )
        # Operators see it as New, with its preflight badge, in their list.
        orders = (
            self.env["print.order"]
            .with_user(self.operator)
            .search([("id", "=", draft.id), ("portal_draft", "=", False)])
        )
        self.assertRecordValues(
            orders, [{"communication_state": "new", "preflight_state": "warning"}]
        )

    def test_06_the_setting_is_a_shop_setting(self):
        admin = new_test_user(
            self.env,
            login="pcr_settings_admin",
            groups="base.group_system,print_change_request.group_print_manager",
            company_id=self.env.company.id,
            company_ids=[Command.set(self.env.company.ids)],
        )
        settings = self.env["res.config.settings"].with_user(admin).create({})
        self.assertFalse(settings.print_portal_pay_on_submit)
        settings.print_portal_pay_on_submit = True
        settings.execute()
        self.assertTrue(self.env.company.print_portal_pay_on_submit)
        arch = self.env["res.config.settings"].with_user(admin).get_views([(False, "form")])
        form = html.fromstring(arch["views"]["form"]["arch"])
        self.assertTrue(form.xpath("//field[@name='print_portal_pay_on_submit']"))
