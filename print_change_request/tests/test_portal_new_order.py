"""Customers place print orders in the portal, over real HTTP: a draft they fill (jobs, files,
tickets), then submit once; nobody else sees it, and operators see it only once submitted."""

import json
from urllib.parse import urlsplit

from lxml import html

from odoo import fields
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .portal_common import PrintPortalCommon, make_encrypted_pdf, make_pdf


class PortalNewOrderCommon(PrintPortalCommon):
    """The customer (``portal_paula``) logged in, with helpers that fill a draft over HTTP."""

    def setUp(self):
        super().setUp()
        self.authenticate("portal_paula", "portal_paula")

    def _operators_see(self, order):
        action = self.env.ref("print_change_request.print_order_action")
        domain = [("id", "=", order.id), *safe_eval(action.domain)]
        return bool(self.env["print.order"].with_user(self.operator).search(domain))

    def _start_order(self, **values):
        data = {
            "name": "Flyer A5",
            "product_id": str(self.silk.id),
            "copies": "2",
            "color_mode": "bw",
            "sides": "two",
            "finishing": "fold",
            "ticket_note": "Fold in half",
            **values,
        }
        _response, page = self._get_page("/my/print_orders/new")
        data["csrf_token"] = page.xpath("//input[@name='csrf_token']/@value")[0]
        return self.url_open("/my/print_orders/new", data=data)

    def _draft(self):
        return self.env["print.order"].search(
            [("partner_id", "=", self.customer.id), ("portal_draft", "=", True)]
        )

    def _post_draft(self, draft, path, data=None, files=None):
        data = dict(data or {})
        data["csrf_token"] = self._csrf(f"/my/print_orders/{draft.id}")
        return self.url_open(f"/my/print_orders/{draft.id}{path}", data=data, files=files)

    def _upload_to(self, job, name="flyer.pdf", data=None):
        return self._post_draft(
            job.order_id,
            f"/jobs/{job.id}/files",
            files=[("files", (name, data or make_pdf(name)))],
        )

    def _ready_draft(self, jobs=1):
        self.assertEqual(self._start_order().status_code, 200)
        draft = self._draft()
        for index in range(1, jobs):
            response = self._post_draft(draft, "/jobs", {"name": f"Poster {index}", "copies": "1"})
            self.assertIn("notice=job_added", response.url)
        for job in draft.job_ids:
            self.assertEqual(self._upload_to(job, f"{job.name}.pdf").status_code, 200)
        return draft


@tagged("post_install", "-at_install")
class TestPortalNewOrder(PortalNewOrderCommon):
    def test_01_anonymous_visitors_log_in_and_come_back(self):
        self.authenticate(None, None)
        response = self.url_open("/my/print_orders/new", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        location = urlsplit(response.headers["Location"])
        self.assertEqual(location.path, "/web/login")
        self.assertIn("redirect=", location.query)
        self.assertIn("print_orders", location.query)

    def test_01b_new_customers_sign_up_then_find_their_draft_again(self):
        """With Odoo's free sign-up on (Settings > Customer account: On free sign up), a
        visitor signs up from the login page and lands on the new-order form; the draft they
        start is theirs, and after logging out and in again it is where they left it."""
        self.env["ir.config_parameter"].sudo().set_param("auth_signup.invitation_scope", "b2c")
        self.authenticate(None, None)
        login = self.url_open("/my/print_orders/new")
        self.assertEqual(urlsplit(login.url).path, "/web/login")
        page = html.fromstring(login.content)
        signup_link = page.xpath("//a[contains(@href, '/web/signup')]/@href")
        self.assertTrue(signup_link, "the login page offers to sign up")
        self.assertIn("print_orders", signup_link[0])
        signup = self.url_open(signup_link[0])
        self.assertEqual(signup.status_code, 200)
        form = html.fromstring(signup.content)
        data = {
            "csrf_token": form.xpath("//input[@name='csrf_token']/@value")[0],
            "redirect": form.xpath("//input[@name='redirect']/@value")[0],
            "login": "nina.new@example.com",
            "name": "Nina New",
            "password": "nina-new-password",
            "confirm_password": "nina-new-password",
        }
        signed_up = self.url_open("/web/signup", data=data, allow_redirects=False)
        self.assertIn(signed_up.status_code, (302, 303), signed_up.text[:300])
        self.assertEqual(urlsplit(signed_up.headers["Location"]).path, "/my/print_orders/new")
        # (sudo: the new customer belongs to the website's company, not the test's)
        nina = self.env["res.users"].sudo().search([("login", "=", "nina.new@example.com")])
        self.assertTrue(nina._is_portal())
        # (the test server's sessions do not survive the sign-up's session rotation: log in
        # as the test framework does, then follow the sign-up's redirection)
        self.authenticate("nina.new@example.com", "nina-new-password")
        landed = self.url_open(signed_up.headers["Location"])
        self.assertEqual(urlsplit(landed.url).path, "/my/print_orders/new")
        form = html.fromstring(landed.content)
        started = self.url_open(
            "/my/print_orders/new",
            data={
                "csrf_token": form.xpath("//input[@name='csrf_token']/@value")[0],
                "name": "Choir programme",
                "copies": "30",
            },
        )
        draft = (
            self.env["print.order"]
            .sudo()
            .search([("partner_id", "=", nina.partner_id.id), ("portal_draft", "=", True)])
        )
        self.assertEqual(len(draft), 1, started.text[:300])
        self.assertEqual(urlsplit(started.url).path, f"/my/print_orders/{draft.id}")
        # Another day: logged in again, "New print order" leads back to the draft.
        self.authenticate("nina.new@example.com", "nina-new-password")
        back = self.url_open("/my/print_orders/new")
        self.assertEqual(urlsplit(back.url).path, f"/my/print_orders/{draft.id}")
        self.assertIn("Choir programme", back.text)

    def test_02_new_order_creates_a_draft_with_its_first_job(self):
        _response, home = self._get_page("/my")
        self.assertTrue(home.xpath("//a[@href='/my/print_orders/new']"))
        _response, listing = self._get_page("/my/print_orders")
        self.assertTrue(listing.xpath("//a[@id='print_order_new_button']"))
        response = self._start_order()
        draft = self._draft()
        self.assertEqual(len(draft), 1)
        self.assertEqual(urlsplit(response.url).path, f"/my/print_orders/{draft.id}")
        self.assertRecordValues(
            draft.job_ids,
            [
                {
                    "name": "Flyer A5",
                    "product_id": self.silk.id,
                    "copies": 2,
                    "color_mode": "bw",
                    "sides": "two",
                    "finishing": "fold",
                    "ticket_note": "Fold in half",
                    "communication_state": "new",
                }
            ],
        )
        self.assertFalse(self._operators_see(draft), "a draft is not New for operators")
        page = html.fromstring(response.content)
        self.assertTrue(page.xpath("//*[@id='print_order_add_job']"))
        # The price the backend computes (the media's price per copy), shown on the job.
        self.assertEqual(draft.job_ids.price_subtotal, 1.8)
        price = page.xpath("//span[hasclass('o_print_job_price')]")[0].text_content()
        self.assertIn("1.80", price)
        self.assertIn("Submit my order", response.text)
        # The draft survives a reload: /my/print_orders/new leads back to it.
        again = self.url_open("/my/print_orders/new")
        self.assertEqual(urlsplit(again.url).path, f"/my/print_orders/{draft.id}")

    def test_03_add_jobs_files_and_submit(self):
        self.env.company.print_portal_user_id = self.operator
        draft = self._ready_draft(jobs=2)
        self.assertEqual(len(draft.job_ids), 2)
        self.assertTrue(all(job.attachment_ids for job in draft.job_ids))
        # A draft started long ago: the submission date is the day it is submitted.
        draft.sudo().date_submitted = "2026-01-01 08:00:00"

        response = self._post_draft(draft, "/submit")

        self.assertEqual(response.status_code, 200)
        self.assertIn("notice=submitted_order", response.url)
        self.assertRecordValues(
            draft,
            [
                {
                    "portal_draft": False,
                    "portal_submitted": True,
                    "communication_state": "new",
                    "user_id": self.operator.id,
                }
            ],
        )
        self.assertGreater(draft.date_submitted, fields.Datetime.to_datetime("2026-01-02"))
        self.assertTrue(self._operators_see(draft))
        self.assertEqual(draft.activity_ids.user_id, self.operator)
        confirmation = draft.message_ids.filtered(lambda message: "was submitted" in message.body)
        self.assertEqual(confirmation.partner_ids, self.customer)
        _response, page = self._get_page("/my/print_orders")
        self.assertTrue(page.xpath(f"//tr[@data-order-id='{draft.id}']"))

    def test_04_a_second_submit_submits_once(self):
        draft = self._ready_draft()
        self._post_draft(draft, "/submit")
        submitted_on = draft.date_submitted
        messages = len(draft.message_ids)

        second = self._post_draft(draft, "/submit")

        # answered as the first (a double click is no error), and nothing changed
        self.assertEqual(second.status_code, 200)
        self.assertEqual(urlsplit(second.url).path, f"/my/print_orders/{draft.id}")
        self.assertIn("notice=submitted_", second.url)
        self.assertIn("Your order is submitted", second.text)
        draft.invalidate_recordset()
        self.assertEqual(draft.date_submitted, submitted_on)
        self.assertEqual(len(draft.activity_ids), 1)
        self.assertEqual(len(draft.message_ids), messages)

    def test_05_nobody_else_sees_or_changes_a_draft(self):
        draft = self._ready_draft()
        job = draft.job_ids
        self.authenticate("portal_oscar", "portal_oscar")
        page = self.url_open(f"/my/print_orders/{draft.id}")
        self.assertNotEqual(urlsplit(page.url).path, f"/my/print_orders/{draft.id}")
        csrf = self._csrf(
            f"/my/print_orders/{self.other_order.id}{self._token_query(self.other_order)}"
        )
        for path in ("/jobs", f"/jobs/{job.id}/ticket", "/submit"):
            response = self.url_open(
                f"/my/print_orders/{draft.id}{path}",
                data={"csrf_token": csrf, "name": "Mine", "copies": "9"},
            )
            self.assertEqual(response.status_code, 404, path)
        draft.invalidate_recordset()
        self.assertTrue(draft.portal_draft)
        self.assertEqual(len(draft.job_ids), 1)
        self.assertEqual(job.copies, 2)
        self.assertFalse(
            self.env["print.order"].with_user(self.portal_oscar).search([("id", "=", draft.id)])
        )

    def test_06_refusals_say_what_to_do(self):
        self._start_order()
        draft = self._draft()
        self._assert_refused(self._post_draft(draft, "/submit"), "Add the files of Flyer A5")
        self._assert_refused(
            self._post_draft(draft, "/jobs", {"name": " "}), "Give the job a name"
        )
        self._assert_refused(
            self._post_draft(draft, "/jobs", {"name": "Card", "copies": "0"}), "whole number"
        )
        self._assert_refused(
            self._upload_to(draft.job_ids, "secret.pdf", make_encrypted_pdf()), "secret.pdf"
        )
        self.assertFalse(draft.job_ids.attachment_ids)
        self.assertTrue(draft.portal_draft)
        self.assertEqual(len(draft.job_ids), 1)

    def test_07_no_job_can_be_added_once_submitted(self):
        draft = self._ready_draft()
        self._post_draft(draft, "/submit")
        self._assert_refused(
            self._post_draft(draft, "/jobs", {"name": "Late"}),
            "does not wait for changes from you",
        )
        self.assertEqual(len(draft.job_ids), 1)

    def test_08_responsible_in_turn_without_the_setting(self):
        second = self._create_user("pcr_operator_2", "print_change_request.group_print_operator")
        operators = self.env["res.users"].search(
            [
                ("share", "=", False),
                ("company_ids", "in", self.env.company.id),
                ("groups_id", "in", self.env.ref("print_change_request.group_print_operator").id),
            ],
            order="id",
        )
        self.assertIn(second, operators)
        first_draft = self._ready_draft()
        self._post_draft(first_draft, "/submit")
        second_draft = self._ready_draft()
        self._post_draft(second_draft, "/submit")
        self.assertTrue(first_draft.user_id)
        self.assertTrue(second_draft.user_id)
        self.assertNotEqual(first_draft.user_id, second_draft.user_id, "in turn")

    def test_09_a_draft_cannot_be_paid_before_it_is_submitted(self):
        draft = self._ready_draft()
        self.assertGreater(draft.amount_total, 0)
        draft._portal_ensure_token()
        response = self.url_open(
            f"/my/print_orders/{draft.id}/transaction",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 1,
                    "params": {
                        "access_token": draft.access_token,
                        "provider_id": self.provider.id,
                        "payment_method_id": self.payment_method_unknown.id,
                        "token_id": None,
                        "amount": draft.amount_total,
                        "flow": "direct",
                        "tokenization_requested": False,
                        "landing_route": draft.get_portal_url(),
                        "is_validation": False,
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertIn("is not submitted yet", response.json()["error"]["data"]["message"])
        self.assertFalse(draft.transaction_ids)
