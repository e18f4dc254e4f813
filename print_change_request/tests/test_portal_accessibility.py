"""Every portal page of the addon in Chromium, checked by axe-core (WCAG 2.1 A and AA rules) at a
desktop and a phone width: no serious or critical violation that Odoo's own portal pages do not
have too (Odoo's /my/orders pages when sale is installed, else /my/home and /my/account; Odoo's
payment form and chatter, rendered by Odoo as on its own pages, are left out), and on the phone
neither a page nor one of its tables scrolls sideways.

axe-core comes from npm: ``scripts/setup.sh --test`` installs it under
``~/.local/share/print_change_request/node`` (or set ``PCR_AXE_CORE`` to its ``axe.min.js``).
Without it the tests fail: they are never skipped."""

import json
import os
from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged
from odoo.tests.common import ChromeBrowser

from .portal_common import PrintPortalCommon, make_pdf

AXE_PATH = os.environ.get("PCR_AXE_CORE") or os.path.join(
    os.environ.get("PCR_HOME") or os.path.expanduser("~/.local/share/print_change_request"),
    "node",
    "node_modules",
    "axe-core",
    "axe.min.js",
)
RESULT_PREFIX = "print_axe_result "

# Load axe-core (served to the browser from an attachment of the test's transaction), wait for
# the page's chatter, run the WCAG 2.1 A/AA rules and log the serious and critical violations
# with the page's sideways overflow; then the success signal.
AXE_CODE = """
(async () => {
    const waitFor = async (test) => {
        for (let tries = 0; tries < 600 && !test(); tries++) {
            await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50)));
        }
    };
    await waitFor(() => document.readyState === "complete");
    // Odoo's frontend fully started (its lazy scripts, services and translations loaded, the
    // public root mounted): nothing of the page is still being fetched when the test ends.
    await waitFor(() => window.odoo && window.odoo.__WOWL_DEBUG__);
    if (document.querySelector("#print_order_communication, #o_portal_chatter_root")) {
        await waitFor(() => document.querySelector(
            ".o_portal_chatter_composer, .o-mail-Composer, .o_portal_chatter_messages"
        ));
    }
    await new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = "%(axe_url)s";
        script.onload = resolve;
        script.onerror = () => reject(new Error("axe-core could not be loaded"));
        document.head.appendChild(script);
    });
    // Odoo's own widgets, shown as Odoo renders them on its /my/orders/<id> page: the
    // payment form (payment.form) and the chatter (portal.message_thread).
    const results = await window.axe.run({
        exclude: [["#o_payment_form"], ["#chatterRoot"]],
    }, {
        runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        resultTypes: ["violations"],
    });
    const violations = results.violations
        .filter((violation) => ["serious", "critical"].includes(violation.impact))
        .map((violation) => ({
            id: violation.id,
            impact: violation.impact,
            help: violation.help,
            targets: violation.nodes.slice(0, 5).map((node) => node.target.join(" ")),
        }));
    // The page, or a table of it, wider than the window: scrolled sideways.
    const overflow = Math.max(
        document.documentElement.scrollWidth - window.innerWidth,
        ...[...document.querySelectorAll(".table-responsive")].map(
            (table) => table.scrollWidth - table.clientWidth
        )
    );
    console.log("%(prefix)s" + JSON.stringify({violations, overflow}));
    console.log("test successful");
})();
"""


class PrintPortalAccessibilityCommon(PrintPortalCommon):
    """Runs axe on a page as the customer and reads what it found."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_demo_provider()
        # Missing axe-core fails here, loudly: the check must never be skipped.
        with open(AXE_PATH, encoding="utf-8") as axe_file:
            cls.axe_source = axe_file.read()

    def setUp(self):
        super().setUp()
        axe = self.env["ir.attachment"].create(
            {
                "name": "axe.min.js",
                "raw": self.axe_source.encode(),
                "mimetype": "text/javascript",
                "public": True,
            }
        )
        self.axe_code = AXE_CODE % {
            "axe_url": f"/web/content/{axe.id}?unique={axe.checksum}",
            "prefix": RESULT_PREFIX,
        }

    def _axe(self, url, login="portal_paula"):
        """The serious and critical violations on ``url`` ({rule id: violation}) and how far
        the page overflows the window sideways (pixels)."""
        results = []
        handle_console = ChromeBrowser._handle_console

        def _handle_console(browser, **params):
            args = params.get("args")
            message = str(browser._from_remoteobject(args[0])) if args else ""
            if message.startswith(RESULT_PREFIX):
                results.append(message[len(RESULT_PREFIX) :])
            return handle_console(browser, **params)

        # What the page found comes back through its console, as Odoo's browser reads it.
        with patch.object(ChromeBrowser, "_handle_console", _handle_console):
            self.browser_js(url, self.axe_code, login=login, timeout=120)
        self.assertEqual(len(results), 1, f"axe ran once on {url}")
        result = json.loads(results[0])
        return {violation["id"]: violation for violation in result["violations"]}, result[
            "overflow"
        ]

    def _baseline_rules(self):
        """The rule ids Odoo's own portal pages violate: not the addon's to fix."""
        if "sale.order" in self.env:
            sale_order = self.env["sale.order"].create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [Command.create({"product_id": self.paper.id})],
                }
            )
            sale_order.action_confirm()
            urls = ["/my/orders", f"/my/orders/{sale_order.id}"]
        else:
            urls = ["/my/home", "/my/account"]
        rules = set()
        for url in urls:
            violations, _overflow = self._axe(url)
            rules |= set(violations)
        return rules

    def _addon_pages(self):
        draft = self.env["print.order"]._create_portal_draft(self.customer)
        self.env["print.job"].sudo().create(
            {
                "order_id": draft.id,
                "name": "Flyer",
                "attachment_ids": [
                    Command.create(
                        {"name": "flyer.pdf", "raw": make_pdf(), "mimetype": "application/pdf"}
                    )
                ],
            }
        )
        accepted = self._create_order(jobs=1)
        self._replace_job_files(accepted)
        accepted.with_user(self.operator).action_accept()
        return {
            "orders list": "/my/print_orders",
            "new order": "/my/print_orders/new",
            "draft order": f"/my/print_orders/{draft.id}",
            "order waiting for changes, to pay": f"/my/print_orders/{self.order.id}",
            "accepted order": f"/my/print_orders/{accepted.id}",
            "order by its e-mail's link": f"/my/print_orders/{self.order.id}"
            + self._token_query(),
        }

    def _check_every_page(self):
        baseline = self._baseline_rules()
        found = {}
        for page, url in self._addon_pages().items():
            login = None if "e-mail" in page else "portal_paula"
            violations, overflow = self._axe(url, login=login)
            own = {rule: found for rule, found in violations.items() if rule not in baseline}
            if own:
                found[page] = own
            if self.browser_size.startswith("390"):
                self.assertLessEqual(overflow, 0, f"the {page} page scrolls sideways on a phone")
        self.assertFalse(
            found,
            "serious or critical accessibility violations Odoo's own pages do not have "
            f"(Odoo's own: {sorted(baseline)}):\n" + json.dumps(found, indent=1),
        )


@tagged("post_install", "-at_install")
class TestPortalAccessibilityDesktop(PrintPortalAccessibilityCommon):
    browser_size = "1440x900"

    def test_01_every_portal_page_passes_axe_at_desktop_width(self):
        self._check_every_page()


@tagged("post_install", "-at_install")
class TestPortalAccessibilityPhone(PrintPortalAccessibilityCommon):
    browser_size = "390x844"
    touch_enabled = True

    def test_01_every_portal_page_passes_axe_on_a_phone_without_sideways_scroll(self):
        self._check_every_page()
