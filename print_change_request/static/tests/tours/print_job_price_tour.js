/** @odoo-module **/
/* The customer changes the copies and the color of job 2's ticket: the price block follows
 * each change (computed by the server), before anything is saved. */

import { registry } from "@web/core/registry";

const TICKET = ".o_print_job_card:eq(1) .o_print_ticket";

registry.category("web_tour.tours").add("print_change_request_job_price_tour", {
    steps: () => [
        {
            content: "Job 2's price as it is: 2 pages in color, one copy",
            trigger: `${TICKET} .o_print_price_subtotal:contains('1.60')`,
        },
        {
            content: "Five copies",
            trigger: `${TICKET} input[name$='_copies']`,
            run: "edit 5",
        },
        {
            content: "The price follows: 5 x 1.60",
            trigger: `${TICKET} .o_print_price_subtotal:contains('8.00')`,
        },
        {
            content: "Black & white",
            trigger: `${TICKET} select[name$='_color_mode']`,
            run: "select bw",
        },
        {
            content: "Black & white pages cost less: 5 x (1.00 paper + 0.16)",
            trigger: `${TICKET} .o_print_price_subtotal:contains('5.80')`,
        },
        {
            content: "...and the order's total with taxes too: 10.00 + 5.80 + 0.17 tax",
            trigger: `${TICKET} .o_print_price_order_total:contains('15.97')`,
        },
    ],
});
