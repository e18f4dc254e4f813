"""Text the customer (or a link) brings to the order page, over real HTTP: stand-in text in
the access token, a NUL character in a job's name, ticket note or message.  The page answers
as usual, and the server logs no error."""

from lxml import html

from odoo.tests import tagged

from .portal_common import PrintPortalCommon

#: What the page says when text holds a NUL character.
NUL_REFUSED = "a character that cannot be saved"


@tagged("post_install", "-at_install")
class TestPortalHostileText(PrintPortalCommon):
    def test_01_stand_in_text_in_the_token_is_only_text(self):
        """The page prints the token in its files' links, in the blocks it renders once with
        stand-ins: a token written like a stand-in is printed as it is, never filled in."""
        self.authenticate("portal_paula", "portal_paula")
        for token in (
            "pcrStandInnopepcrEnd",  # a name no block has: was a KeyError, 500
            "pcrStandInattachment_namepcrEnd",  # a block's own name: was filled in
            "pcrStandIn0123456789abcdefxattachment_namepcrEnd",
        ):
            with self.subTest(token=token), self.assertNoLogs("odoo", "ERROR"):
                response = self.url_open(f"/my/print_orders/{self.order.id}?access_token={token}")
                self.assertEqual(response.status_code, 200, response.text[:300])
                page = html.fromstring(response.content)
                links = page.xpath(f"//a[contains(@href, '/files/{self.flagged.id}?')]/@href")
                self.assertTrue(links)
                for link in links:
                    self.assertTrue(link.endswith(f"?access_token={token}"), link)
                self.assertIn(self.flagged.name, response.text)
        # Without a login the token is checked first: the page is out of reach, no error.
        self.logout()
        with self.assertNoLogs("odoo", "ERROR"):
            response = self.url_open(
                f"/my/print_orders/{self.order.id}?access_token=pcrStandInnopepcrEnd",
                allow_redirects=False,
            )
        self.assertIn(response.status_code, (302, 303, 403, 404))

    def test_02_a_nul_in_a_ticket_note_or_message_gets_the_pages_message(self):
        before = self.job_2.ticket_note
        for path, data in (
            (
                f"/my/print_orders/{self.order.id}/save",
                {f"job_{self.job_2.id}_ticket_note": "Silk\x00 paper", "do": "save"},
            ),
            (f"/my/print_orders/{self.order.id}/save", {"message": "Done\x00", "do": "submit"}),
            (f"/my/print_orders/{self.order.id}/submit", {"message": "Done\x00"}),
            (
                f"/my/print_orders/{self.order.id}/jobs/{self.job_2.id}/ticket",
                {"ticket_note": "\x00"},
            ),
        ):
            with self.subTest(path=path, data=data), self.assertNoLogs("odoo", "ERROR"):
                self._assert_refused(self._post(path, data=data), NUL_REFUSED)
        self.job_2.invalidate_recordset()
        self.assertEqual(self.job_2.ticket_note, before)
        self.assertEqual(self.request.state, "waiting")
        self.assertFalse(self.request.answer_message)

    def test_03_a_nul_in_a_new_jobs_name_gets_the_pages_message(self):
        self.authenticate("portal_paula", "portal_paula")
        _response, page = self._get_page("/my/print_orders/new")
        csrf = page.xpath("//input[@name='csrf_token']/@value")[0]
        drafts = self.env["print.order"].search([("portal_draft", "=", True)])
        with self.assertNoLogs("odoo", "ERROR"):
            response = self.url_open(
                "/my/print_orders/new", data={"csrf_token": csrf, "name": "Flyer\x00 A5"}
            )
        self._assert_refused(response, NUL_REFUSED)
        self.assertEqual(self.env["print.order"].search([("portal_draft", "=", True)]), drafts)
        # The draft's own "Add a job" alike.
        response = self.url_open("/my/print_orders/new", data={"csrf_token": csrf})
        draft = self.env["print.order"].search([("portal_draft", "=", True)]) - drafts
        self.assertTrue(draft)
        with self.assertNoLogs("odoo", "ERROR"):
            response = self._post(
                f"/my/print_orders/{draft.id}/save",
                data={"new_job_name": "Poster\x00", "do": "add_job"},
                token=False,
                order=draft,
            )
        self._assert_refused(response, NUL_REFUSED)
        with self.assertNoLogs("odoo", "ERROR"):
            response = self._post(
                f"/my/print_orders/{draft.id}/jobs",
                data={"name": "Poster\x00"},
                token=False,
                order=draft,
            )
        self._assert_refused(response, NUL_REFUSED)
        self.assertFalse(draft.job_ids)
