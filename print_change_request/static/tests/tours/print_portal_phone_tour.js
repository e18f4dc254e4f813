/** @odoo-module **/
/* The customer on a phone (390 px, issue 23 item 8): the orders list and the order page read
 * without scrolling sideways, the jobs' file names and states whole, the form usable. */

import { registry } from "@web/core/registry";

/** Fail when the page, or one of its tables, is wider than the window. */
function assertNoSidewaysScroll(where) {
    const page = document.documentElement.scrollWidth - window.innerWidth;
    if (page > 0) {
        throw new Error(`${where}: the page scrolls sideways by ${page} px`);
    }
    for (const table of document.querySelectorAll(".table-responsive")) {
        const overflow = table.scrollWidth - table.clientWidth;
        if (overflow > 0) {
            throw new Error(`${where}: a table scrolls sideways by ${overflow} px`);
        }
    }
}

/** Fail when ``element`` is not wholly inside the window's width. */
function assertInside(element, what) {
    const box = element.getBoundingClientRect();
    if (box.left < 0 || box.right > window.innerWidth) {
        throw new Error(`${what} is cut off (${box.left}-${box.right} of ${window.innerWidth} px)`);
    }
}

registry.category("web_tour.tours").add("print_change_request_portal_phone_tour", {
    steps: () => [
        {
            content: "The orders list shows the order, its state, payment and total",
            trigger: "#print_orders_list tr:has(a:contains('TOUR/PHONE')) .o_print_order_payment_state",
            run() {
                assertNoSidewaysScroll("Orders list");
                const row = this.anchor.closest("tr");
                for (const cell of row.querySelectorAll("td")) {
                    assertInside(cell, `The list's cell "${cell.textContent.trim()}"`);
                }
            },
        },
        {
            content: "Open the order",
            trigger: "#print_orders_list a:contains('TOUR/PHONE')",
            run: "click",
        },
        {
            content: "The jobs read whole: file names at full width, the state not cut off",
            trigger: "#print_order_jobs tr[data-job-id] .o_print_job_file a",
            run() {
                assertNoSidewaysScroll("Order page");
                for (const link of document.querySelectorAll("#print_order_jobs .o_print_job_file a")) {
                    assertInside(link, `File ${link.textContent}`);
                    if (link.closest("td").getBoundingClientRect().width < window.innerWidth / 2) {
                        throw new Error(`File ${link.textContent} is squeezed into a narrow column`);
                    }
                }
                for (const badge of document.querySelectorAll("#print_order_jobs .badge")) {
                    assertInside(badge, `The state "${badge.textContent.trim()}"`);
                }
            },
        },
        {
            content: "Change the second job's copies",
            trigger: ".o_print_job_card:last input[name$='_copies']",
            run: "edit 3",
        },
        {
            content: "The price follows, the form fits the phone",
            trigger: ".o_print_job_card:last .o_print_price_body [data-print-price='copies']:contains('3')",
            run() {
                assertNoSidewaysScroll("Order page's form");
                assertInside(document.querySelector("#print_order_submit button[value='submit']"), "Send my changes");
            },
        },
        {
            content: "The payment form fits too",
            trigger: "#print_order_payment",
            run() {
                assertNoSidewaysScroll("Order page's payment");
            },
        },
    ],
});
