"""A customer's double click, over real HTTP against committed data: two requests at once.

Two ``POST /my/print_orders/new`` make one draft, and two submits of the draft both get the
normal page (not "Another user is working on..."), the order submitted once.  To make the two
requests truly meet, the test holds the row they queue on (the customer's, the order's) in a
third transaction until both wait, then lets them go."""

# Two real transactions must see each other's locks: this test commits on purpose, on its
# own cursors only (never the test's), and removes what it committed.

import threading
import time
from urllib.parse import urlsplit

import requests
from lxml import html

from odoo import Command, api
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL, config

from .common import CLEAN_PDF

LOGIN = "pcr_double_click"
TIMEOUT = 60


@tagged("post_install", "-at_install")
class TestPortalDoubleClick(TransactionCase):
    def setUp(self):
        super().setUp()
        self.base_url = f"http://127.0.0.1:{config['http_port']}"
        # The test runner holds the registries' lock while it runs the tests; an HttpCase
        # swaps it for a dummy (Registry.enter_test_mode) and so does this test, whose requests
        # use real cursors on committed data instead of the test's cursor.
        self.patch(Registry, "_lock", DummyRLock())
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            user = env["res.users"].search([("login", "=", LOGIN)])
            if not user:
                user = (
                    env["res.users"]
                    .with_context(no_reset_password=True)
                    .create(
                        {
                            "name": "Double Click",
                            "login": LOGIN,
                            "password": LOGIN,
                            "email": "double.click@example.com",
                            "groups_id": [Command.set([env.ref("base.group_portal").id])],
                        }
                    )
                )
            self.partner_id = user.partner_id.id
        self._remove_committed_data()  # what an interrupted run may have left
        self.addCleanup(self._remove_committed_data)

    def _remove_committed_data(self):
        with self.registry.cursor() as cr:
            cr.execute("SELECT id FROM print_order WHERE partner_id = %s", [self.partner_id])
            order_ids = [row[0] for row in cr.fetchall()]
            if order_ids:
                cr.execute(
                    "DELETE FROM mail_activity WHERE res_model = 'print.order' AND res_id IN %s",
                    [tuple(order_ids)],
                )
                cr.execute(
                    "DELETE FROM mail_message WHERE model = 'print.order' AND res_id IN %s",
                    [tuple(order_ids)],
                )
                cr.execute("DELETE FROM print_order WHERE id IN %s", [tuple(order_ids)])

    def _drafts(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT id FROM print_order WHERE partner_id = %s AND portal_draft",
                [self.partner_id],
            )
            return [row[0] for row in cr.fetchall()]

    def _session(self):
        """A browser logged in as the customer."""
        session = requests.Session()
        page = session.get(f"{self.base_url}/web/login", timeout=TIMEOUT)
        csrf = html.fromstring(page.content).xpath("//input[@name='csrf_token']/@value")[0]
        logged_in = session.post(
            f"{self.base_url}/web/login",
            data={"login": LOGIN, "password": LOGIN, "csrf_token": csrf, "redirect": "/my"},
            timeout=TIMEOUT,
        )
        self.assertEqual(urlsplit(logged_in.url).path, "/my", "logged in")
        return session

    @staticmethod
    def _csrf(session, path):
        page = session.get(path, timeout=TIMEOUT)
        return html.fromstring(page.content).xpath("//input[@name='csrf_token']/@value")[0]

    def _click_twice_while_held(self, table, row_id, session, path, data):
        """POST ``data`` to ``path`` twice at once (one browser, two clicks) while another
        transaction holds the row ``row_id`` of ``table``; release it once both requests
        wait on it (or are answered).  Return both responses."""
        responses = [None, None]

        def click(index):
            # a copy of the browser: same cookies (session), its own connection
            browser = requests.Session()
            browser.cookies.update(session.cookies)
            responses[index] = browser.post(f"{self.base_url}{path}", data=data, timeout=TIMEOUT)

        with self.registry.cursor() as holder:
            holder.execute(
                SQL("SELECT id FROM %s WHERE id = %s FOR UPDATE", SQL.identifier(table), row_id)
            )
            threads = [threading.Thread(target=click, args=(index,)) for index in range(2)]
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and any(thread.is_alive() for thread in threads):
                with self.registry.cursor() as probe:
                    probe.execute(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                    if probe.fetchone()[0] >= 2:
                        break
                time.sleep(0.1)
            holder.rollback()
        for thread in threads:
            thread.join(TIMEOUT)
        return responses

    def test_01_two_new_order_posts_at_once_make_one_draft(self):
        session = self._session()
        csrf = self._csrf(session, f"{self.base_url}/my/print_orders/new")
        first, second = self._click_twice_while_held(
            "res_partner",
            self.partner_id,
            session,
            "/my/print_orders/new",
            {"csrf_token": csrf},
        )
        drafts = self._drafts()
        self.assertEqual(len(drafts), 1, "one draft for the customer")
        for response in (first, second):
            self.assertEqual(response.status_code, 200, response.text[:300])
            self.assertEqual(urlsplit(response.url).path, f"/my/print_orders/{drafts[0]}")

    def test_01b_a_new_draft_has_its_access_token_at_once(self):
        """The first views of a new draft's page (both answers of a double click land on
        it) must not write its token: a draft is made with it."""
        partner = self.env["res.partner"].browse(self.partner_id)
        draft = self.env["print.order"]._create_portal_draft(partner)
        self.assertTrue(draft.access_token)

    def test_02_two_submits_at_once_both_get_the_normal_page(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            partner = env["res.partner"].browse(self.partner_id)
            draft = env["print.order"]._create_portal_draft(partner)
            env["print.job"].sudo().create(
                {
                    "order_id": draft.id,
                    "name": "Flyer",
                    "attachment_ids": [
                        Command.create(
                            {"name": "flyer.pdf", "raw": CLEAN_PDF, "mimetype": "application/pdf"}
                        )
                    ],
                }
            )
            draft_id = draft.id
        session = self._session()
        csrf = self._csrf(session, f"{self.base_url}/my/print_orders/{draft_id}")
        first, second = self._click_twice_while_held(
            "print_order",
            draft_id,
            session,
            f"/my/print_orders/{draft_id}/submit",
            {"csrf_token": csrf, "message": ""},
        )
        for response in (first, second):
            self.assertEqual(response.status_code, 200, response.text[:300])
            self.assertNotIn("Another user is working", response.text)
            self.assertEqual(urlsplit(response.url).path, f"/my/print_orders/{draft_id}")
            self.assertIn("Your order is submitted", response.text)
        self.assertEqual(first.url, second.url, "the same answer twice")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            order = env["print.order"].browse(draft_id)
            self.assertFalse(order.portal_draft)
            self.assertTrue(order.portal_submitted)
            submitted = order.message_ids.filtered(lambda m: "was submitted" in (m.body or ""))
            self.assertEqual(len(submitted), 1, "submitted once")
