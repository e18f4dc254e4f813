"""The backend lists at 1440 px: the columns an operator reads are not cut off.

Each list is opened in Chromium at 1440x900 on the demo data; a script checks that the text of
the key cells and headers fits (``scrollWidth <= clientWidth`` of the cell and of every element
inside it), so "Preflight warnings" is not shown as "Preflight ..." and "Payment authorized" not
as "Payr"."""

from odoo.tests import HttpCase, tagged

CHECK_COLUMNS = """
(async () => {
    const columns = %(columns)s;
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    let rows = [];
    for (let i = 0; i < 400 && !rows.length; i++) {
        await sleep(50);
        rows = document.querySelectorAll(".o_list_renderer .o_data_row");
    }
    if (!rows.length) {
        throw new Error("the list shows no record");
    }
    await sleep(300);
    const clipped = [];
    const check = (el, what) => {
        for (const node of [el, ...el.querySelectorAll("*")]) {
            if (node.offsetParent !== null && node.scrollWidth > node.clientWidth + 1) {
                clipped.push(`${what}: "${el.innerText.trim()}"`);
                return;
            }
        }
    };
    for (const name of columns) {
        const header = document.querySelector(`.o_list_renderer th[data-name="${name}"]`);
        if (!header) {
            throw new Error(`no column ${name}`);
        }
        check(header.querySelector(".o_column_title") || header, `header ${name}`);
        for (const cell of document.querySelectorAll(`.o_data_row td[name="${name}"]`)) {
            check(cell, name);
        }
    }
    if (clipped.length) {
        throw new Error("clipped at 1440 px: " + clipped.join("; "));
    }
    console.log("test successful");
})();
"""


@tagged("post_install", "-at_install")
class TestListColumns(HttpCase):
    browser_size = "1440x900"

    def setUp(self):
        super().setUp()
        self.env.ref("base.user_admin").tour_enabled = False
        order = self.env.ref("print_change_request.order_waiting")
        # the longest badge texts, as the preflight writes them
        jobs = self.env["print.job"].search([("order_id", "!=", False)], limit=2)
        jobs[:1].write({"preflight_state": "warning"})
        jobs[1:].write({"preflight_state": "error"})
        # a job name as operators type them: long, so it leaves the other columns little room
        jobs[:1].write({"name": "Flyers A5 for the summer concert, double-sided, 170 g silk"})
        self.env["print.refund"].create(
            {
                "order_id": order.id,
                "company_id": order.company_id.id,
                "currency_id": order.currency_id.id,
                "amount": 12.5,
                "method": "manual",
                "state": "pending",
            }
        )

    def _assert_not_clipped(self, action, columns):
        self.browser_js(
            f"/odoo/action-print_change_request.{action}",
            CHECK_COLUMNS % {"columns": columns},
            "odoo.isReady === true",
            login="admin",
            timeout=120,
        )

    def test_01_orders(self):
        self._assert_not_clipped(
            "print_order_action",
            ["name", "partner_id", "preflight_state", "is_payment_authorized"],
        )

    def test_02_jobs(self):
        self._assert_not_clipped("print_job_action", ["order_id", "preflight_state"])

    def test_03_refunds(self):
        self._assert_not_clipped("print_refund_action", ["name", "order_id", "partner_id"])
