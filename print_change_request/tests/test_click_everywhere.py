"""Every menu, view, filter and dialog of the Print Shop app, clicked in Chromium.

Odoo's own crawler (``@web/webclient/clickbot``) opens each menu of the app, switches to
each view (list, kanban, form...) and applies each filter, on the demo data.  Any error in
the browser or in the server's log fails the test."""

from odoo.tests import HttpCase, new_test_user, tagged

CLICKBOT = (
    "odoo.loader.modules.get('@web/webclient/clickbot/clickbot_loader')"
    ".startClickEverywhere('print_change_request.menu_print_root');"
)


@tagged("post_install", "-at_install")
class TestClickEverywhere(HttpCase):
    allow_end_on_form = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.user_admin").tour_enabled = False
        cls.operator = new_test_user(
            cls.env,
            login="pcr_click_operator",
            groups="base.group_user,print_change_request.group_print_operator",
            tour_enabled=False,
        )

    def _click_everywhere(self, login):
        self.assertTrue(
            self.env.ref("print_change_request.order_waiting").exists(),
            "the crawler needs the demo orders",
        )
        self.browser_js(
            "/odoo",
            CLICKBOT,
            "odoo.isReady === true",
            login=login,
            timeout=600,
            success_signal="clickbot test succeeded",
        )

    def test_01_every_screen_opens_for_an_administrator(self):
        self._click_everywhere("admin")

    def test_02_every_screen_opens_for_an_operator(self):
        self._click_everywhere(self.operator.login)
