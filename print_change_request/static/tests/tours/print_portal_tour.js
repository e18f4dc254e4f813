/** @odoo-module **/
/* The customer's side of the loop (issue 7): from the e-mail's link, replace the flagged PDF,
 * change the copies, send the changes, pay with the test provider, and see the order
 * "Changes received" and paid.  Then the operator's list shows it. */

import { registry } from "@web/core/registry";
import { choosePdf } from "@print_change_request/../tests/tours/print_tour_files";

const ORDER = "TOUR/PORTAL";

registry.category("web_tour.tours").add("print_change_request_portal_tour", {
    steps: () => [
        {
            content: "The e-mail's link opens the order, waiting for the customer's changes",
            trigger: "#print_order_state:contains('Waiting for your changes')",
        },
        {
            content: "It says what must change and why",
            trigger: "#print_order_file_changes:contains('job1-file1.pdf'):contains('Missing fonts')",
        },
        {
            content: "Choose the new PDF for the flagged file",
            trigger: ".o_print_file:has(.o_print_file_reason) .o_print_replace_file input[type='file']",
            run() {
                choosePdf(this.anchor, "fonts-embedded.pdf");
            },
        },
        {
            content: "Replace it",
            trigger: ".o_print_file:has(.o_print_file_reason) .o_print_replace_file button[type='submit']",
            run: "click",
        },
        {
            content: "The file is replaced",
            trigger: "#print_order_notice:contains('Your file is uploaded')",
        },
        {
            trigger: "#print_order_history:contains('job1-file1.pdf → fonts-embedded.pdf')",
        },
        {
            content: "Change the copies of job 2",
            trigger: ".o_print_job_card:contains('Job 2') input[name$='_copies']",
            run: "edit 3",
        },
        {
            content: "Save the job ticket",
            trigger: ".o_print_job_card:contains('Job 2') .o_print_ticket button[type='submit']",
            run: "click",
        },
        {
            content: "The ticket is changed",
            trigger: "#print_order_notice:contains('The job ticket is changed')",
        },
        {
            content: "Write a word to the shop",
            trigger: "#print_order_submit_message",
            run: "edit Fonts are embedded now.",
        },
        {
            content: "Send the changes",
            trigger: "#print_order_submit button[type='submit']",
            run: "click",
        },
        {
            content: "The changes are received: Changes received",
            trigger: "#print_order_notice:contains('We received your changes')",
        },
        {
            trigger: "#print_order_state:contains('Changes received')",
        },
        {
            content: "Pay what is due with the test provider",
            trigger: "#print_order_payment input[name='o_payment_radio'][data-payment-method-code='demo']",
            run: "click",
        },
        {
            content: "Card number",
            trigger: "#print_order_payment input[name='customer_input']",
            run: "edit 4242424242424242",
        },
        {
            content: "Pay",
            trigger: "#print_order_payment button[name='o_payment_submit_button']:not(:disabled)",
            run: "click",
        },
        {
            content: "Back on the order: paid, and Changes received",
            trigger: "#print_order_paid:contains('Paid')",
            timeout: 20000,
        },
        {
            trigger: "#print_order_state:contains('Changes received')",
        },
    ],
});

registry.category("web_tour.tours").add("print_change_request_portal_operator_tour", {
    url: "/odoo/action-print_change_request.print_order_action",
    steps: () => [
        {
            content: "The operator's list shows the order changed by the customer (violet), and paid",
            trigger: `.o_list_view .o_data_row:contains('${ORDER}') td[name='communication_state'] .badge:contains('Job is changed')`,
        },
        {
            trigger: `.o_list_view .o_data_row:contains('${ORDER}') td[name='is_paid'] input:checked`,
        },
        {
            content: "Open it: the customer's changes are on the order",
            trigger: `.o_list_view .o_data_row td[name='name']:contains('${ORDER}')`,
            run: "click",
        },
        {
            trigger: ".o_notebook a.nav-link[name='customer_changes']",
            run: "click",
        },
        // The page fades in (Bootstrap .fade: opacity 0, then .show and a CSS transition).  The runner
        // checks visibility only when the DOM changes, and a transition changes no DOM: a check made
        // as the fade starts finds the row "not visible" and never looks again.  So wait on the tab
        // being the active one (outside the fading pane), then on the page's fade-in having ended,
        // as the person waits for the page to appear, and only then look for the row.
        {
            content: "The Customer's changes page is the open one, and has faded in",
            trigger: ".o_notebook a.nav-link.active[name='customer_changes']:contains(\"Customer's changes\")",
            async run() {
                const pane = document.querySelector(".o_notebook .tab-pane.active");
                await Promise.all(pane.getAnimations().map((animation) => animation.finished));
            },
        },
        {
            trigger: ".o_notebook .tab-pane.active.show .o_field_one2many[name='job_change_ids'] .o_data_row:contains('fonts-embedded.pdf')",
        },
    ],
});
