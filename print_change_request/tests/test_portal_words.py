"""The customer reads their own words (issue 23, items 6, 7, 10, 14), over real HTTP as the
customer: states and payment in the customer's words, plurals said properly, each name once,
a how-to under each reason (page and e-mail, editable by the shop), "Your changes" only for
the answer to a request, and one preflight verdict in the backend and on the page."""

import importlib.util
from os.path import dirname, join

from lxml import html

from odoo import Command
from odoo.tests import Form, tagged

from ..lib import pricing
from . import preflight_samples as samples
from .portal_common import make_pdf
from .test_portal_new_order import PortalNewOrderCommon

HOW_TO = "<p>In InDesign: File &gt; Export &gt; Adobe PDF (Print), preset PDF/X-4.</p>"


def _text(element):
    return " ".join(element.text_content().split())


@tagged("post_install", "-at_install")
class TestPortalWords(PortalNewOrderCommon):
    """``portal_paula`` logged in; ``self.order`` waits for her changes (job 1's first file:
    missing fonts)."""

    def _page(self, order=None):
        _response, page = self._get_page(f"/my/print_orders/{(order or self.order).id}")
        return page

    def _waiting_order(self):
        order = self._create_order(jobs=1)
        self._replace_job_files(order)
        self._send_request(order, ticket=False)
        self.assertEqual(order.communication_state, "change_requested")
        return order

    # ------------------------------------------------------------
    # Item 6: the customer's words
    # ------------------------------------------------------------

    def test_01_changed_and_paid_orders_read_in_the_customers_words(self):
        self._answer_fully()
        self.assertEqual(self._submit().status_code, 200)
        self.assertEqual(self.order.communication_state, "changed")
        paid = self._create_order(jobs=1)
        self._pay_by_transaction(paid)
        self.assertTrue(paid.is_paid)

        state = _text(self._page().get_element_by_id("print_order_state"))
        self.assertEqual(state, "Changes received")
        paid_page = self._page(paid)
        self.assertEqual(_text(paid_page.get_element_by_id("print_order_paid")), "Paid")
        _response, listing = self._get_page("/my/print_orders")
        for page in (self._page(), paid_page, listing):
            content = page.text_content()
            self.assertNotIn("Job is changed", content)
            self.assertNotIn("Job is paid", content)

    def test_02_home_says_one_order_or_two_orders_waiting(self):
        _response, home = self._get_page("/my")
        alert = _text(home.get_element_by_id("portal_alert_category"))
        self.assertIn("1 print order waiting for your changes", alert)
        self.assertNotIn("orders waiting", alert)

        self._waiting_order()
        _response, home = self._get_page("/my")
        alert = _text(home.get_element_by_id("portal_alert_category"))
        self.assertIn("2 print orders waiting for your changes", alert)

        # Nothing waiting: no alert at all (not "0 ...").
        self.authenticate("portal_oscar", "portal_oscar")
        _response, home = self._get_page("/my")
        self.assertNotIn("waiting for your changes", home.text_content())

    def test_03_emails_count_jobs_and_name_the_order_once(self):
        submitted = self.env.ref("print_change_request.mail_template_order_submitted")
        paid_mail = self.env.ref("print_change_request.mail_template_order_paid")
        (submitted | paid_mail).reset_template()  # as installed (noupdate data)
        one, two = self._create_order(jobs=1), self._create_order(jobs=2)
        bodies = submitted._render_field("body_html", (one | two).ids)
        self.assertIn("1 job.", bodies[one.id])
        self.assertIn("2 jobs.", bodies[two.id])
        for body in bodies.values():
            self.assertNotIn("job(s)", body)

        self._pay_by_transaction(one)
        transaction = one.transaction_ids
        transaction.reference = one.name  # Odoo's first reference of an order is its name
        body = paid_mail._render_field("body_html", one.ids)[one.id]
        self.assertEqual(body.count(one.name), 1, body)
        self.assertNotIn(f"({one.name})", body)
        transaction.reference = f"{one.name}-1"
        body = paid_mail._render_field("body_html", one.ids)[one.id]
        self.assertIn(f"({one.name}-1)", body, "a reference unlike the order's name stays")

    def test_04_price_lines_say_sheet_and_sheets(self):
        job = self.job_1.sudo()
        no_product = self.env["product.product"]
        products = dict.fromkeys((pricing.MEDIA, pricing.PRINTING, pricing.FINISHING), no_product)
        taxes = dict.fromkeys(products, self.env["account.tax"])

        def names(**values):
            breakdown = pricing.Breakdown(
                ticket=job._get_pricing_ticket(**values), media=1.0, printing=1.0, finishing=0.0
            )
            lines = self.order._get_print_price_lines("Flyers", breakdown, products, taxes)
            return " ".join(line["name"] for line in lines)

        self.assertIn("2 sheets per copy", names(pages=2, sides="one"))
        self.assertIn("2 pages per copy", names(pages=2, sides="one"))
        self.assertIn("1 sheet per copy", names(pages=2, sides="two"))
        self.assertIn("1 page per copy", names(pages=1, sides="one"))
        self.assertNotIn("(s)", names(pages=2, sides="one") + names(pages=1, sides="two"))

    # ------------------------------------------------------------
    # Item 7: the how-to under each reason
    # ------------------------------------------------------------

    def test_05_the_how_to_is_shown_on_the_page_and_editable_by_the_shop(self):
        with Form(self.reason.with_user(self.manager)) as form:
            form.how_to = HOW_TO
        page = self._page()
        changes = page.get_element_by_id("print_order_file_changes")
        how_to = changes.xpath(".//details[hasclass('o_print_reason_how_to')]")
        self.assertEqual(len(how_to), 1)
        self.assertIn("In InDesign: File > Export > Adobe PDF (Print)", _text(how_to[0]))

        self.reason.with_user(self.manager).how_to = "<p>In Canva: Download, PDF Print.</p>"
        changes = self._page().get_element_by_id("print_order_file_changes")
        self.assertIn("In Canva: Download, PDF Print.", _text(changes))
        self.assertNotIn("In InDesign", _text(changes))

        self.reason.with_user(self.manager).how_to = False
        changes = self._page().get_element_by_id("print_order_file_changes")
        self.assertFalse(changes.xpath(".//details"), "no how-to: nothing empty shown")

    def test_06_the_how_to_is_in_the_request_email(self):
        self.env.ref("print_change_request.mail_template_change_request").reset_template()
        self.reason.with_user(self.manager).how_to = HOW_TO
        order = self._waiting_order()
        mail = order.message_ids.filtered(
            lambda message: "Please change" in (message.subject or "")
        )
        self.assertEqual(len(mail), 1)
        body = html.fromstring(mail.body).text_content()
        self.assertIn("In InDesign: File > Export > Adobe PDF (Print), preset PDF/X-4.", body)

    def test_07_the_catalogue_has_a_how_to_for_each_reason_after_the_update(self):
        path = join(dirname(dirname(__file__)), "migrations", "18.0.1.4.0")
        spec = importlib.util.spec_from_file_location(
            "post_reason_how_to", join(path, "post-reason_how_to.py")
        )
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        texts = migration.how_tos()
        reasons = self.env["print.change.reason"].browse(
            [self.env.ref(f"print_change_request.{xmlid}").id for xmlid in texts]
        )
        self.assertEqual(len(reasons), 7)
        for word in ("Word", "InDesign", "Canva", "Photoshop"):
            self.assertIn(word, texts["reason_missing_fonts"])
            self.assertIn(word, texts["reason_color_space"])
            self.assertIn(word, texts["reason_page_size"])
        reasons.write({"how_to": False})
        self.reason.how_to = "<p>Ours</p>"
        migration.migrate(self.env.cr, "18.0.1.3.0")
        reasons.invalidate_recordset()
        self.assertEqual(str(self.reason.how_to), "<p>Ours</p>", "the shop's how-to is kept")
        color = self.env.ref("print_change_request.reason_color_space")
        self.assertIn("Image &gt; Mode &gt; CMYK Color", color.how_to)
        self.assertTrue(all(reasons.mapped("how_to")))

    # ------------------------------------------------------------
    # Item 10: "Your changes"
    # ------------------------------------------------------------

    def test_08_your_changes_lists_only_the_answer_to_a_request(self):
        draft = self._ready_draft(jobs=1)
        job = draft.job_ids
        self.assertEqual(self._upload_to(job, "back.pdf").status_code, 200)
        self.assertTrue(draft.job_change_ids, "the draft's edits are recorded")
        self.assertFalse(self._page(draft).xpath("//*[@id='print_order_history']"))

        self.assertIn("notice=submitted", self._post_draft(draft, "/submit").url)
        self.assertFalse(self._page(draft).xpath("//*[@id='print_order_history']"))
        self._send_request(draft, ticket=False)
        flagged = draft.last_change_request_id.file_item_ids.attachment_id.filtered(
            lambda attachment: attachment.name != "back.pdf"
        )[:1]
        response = self._post_draft(
            draft,
            f"/jobs/{job.id}/files",
            data={"replaces_id": str(flagged.id)},
            files=[("files", ("fixed.pdf", make_pdf("fixed")))],
        )
        self.assertEqual(response.status_code, 200)
        history = _text(self._page(draft).get_element_by_id("print_order_history"))
        self.assertIn(f"{flagged.name} → fixed.pdf", history)
        self.assertNotIn("back.pdf", history)
        self.assertNotIn("added", history)

    # ------------------------------------------------------------
    # Item 14: one preflight verdict
    # ------------------------------------------------------------

    def test_09_an_rgb_file_is_a_warning_in_the_backend_and_on_the_page(self):
        order = self._create_order(jobs=1, files=0)
        job = order.job_ids.with_user(self.operator)
        job.color_mode = "color"
        rgb = samples.image((1252, 1772), "RGB", dpi=300)
        job.attachment_ids = [Command.create({"name": "photo.png", "raw": rgb})]
        self.assertEqual(
            [(f.file_name, f.code) for f in job.preflight_finding_ids],
            [("photo.png", "color_space")],
            "the RGB finding is the job's only one",
        )

        self.assertEqual(job.preflight_state, "warning", "not Preflight OK")
        self.assertEqual(job.order_id.preflight_state, "warning")
        labels = dict(job._fields["preflight_state"]._description_selection(self.env))
        self.assertEqual(labels[job.preflight_state], "Preflight warnings")

        self._send_request(order, ticket=False)  # the page's form shows each file's notes
        self.assertEqual(job.preflight_state, "warning")
        page = self._page(order)
        file_block = f"//div[@data-attachment-id='{job.attachment_ids.id}']"
        notes = page.xpath(f"{file_block}//div[hasclass('o_print_file_finding')]")
        self.assertEqual(len(notes), 1)
        self.assertIn("RGB", _text(notes[0]))
        self.assertIn("text-warning-emphasis", notes[0].get("class"), "shown as a warning")
        self.assertFalse(page.xpath(f"{file_block}//div[hasclass('o_print_file_checked')]"))
