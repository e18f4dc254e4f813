/** @odoo-module **/
/* A customer orders in the portal (issue 10): from the print orders list, New print order, two
 * jobs each with a PDF uploaded through the page's form, the automatic check's warnings seen
 * before submitting, submit, pay with the test provider.  Then an operator's list shows the new
 * order as New with its preflight badge. */

import { registry } from "@web/core/registry";
import { choosePdf } from "@print_change_request/../tests/tours/print_tour_files";

function uploadSteps(job, fileName) {
    return [
        {
            content: `Choose the PDF of ${job}`,
            trigger: `.o_print_job_card:contains('${job}') .o_print_add_files input[type='file']`,
            run() {
                choosePdf(this.anchor, fileName);
            },
        },
        {
            content: "Send it",
            trigger: `.o_print_job_card:contains('${job}') .o_print_add_files button[type='submit']`,
            run: "click",
        },
        {
            content: "The file is uploaded and checked",
            trigger: "#print_order_notice:contains('Your file is uploaded')",
        },
        {
            content: "Its warnings are shown with the file",
            trigger: `.o_print_job_card:contains('${job}') .o_print_file:contains('${fileName}') .o_print_file_finding:contains('Fonts not embedded')`,
        },
    ];
}

registry.category("web_tour.tours").add("print_change_request_portal_new_order_tour", {
    url: "/my/print_orders",
    steps: () => [
        {
            content: "Start a new print order from the list",
            trigger: "a#print_order_new_button",
            run: "click",
        },
        {
            content: "Name the first job",
            trigger: "#print_order_new_form input[name='name']",
            run: "edit Flyer A5",
        },
        {
            trigger: "#print_order_new_form input[name='copies']",
            run: "edit 2",
        },
        {
            trigger: "#print_order_new_form select[name='color_mode']",
            run: "select bw",
        },
        {
            content: "Start the order",
            trigger: "#print_order_new_form button[type='submit']",
            run: "click",
        },
        {
            content: "The draft's page: the first job, waiting for its files",
            trigger: ".o_print_job_card:contains('Flyer A5')",
        },
        ...uploadSteps("Flyer A5", "flyer.pdf"),
        {
            content: "Add a second job",
            trigger: "#print_order_add_job input[name='new_job_name']",
            run: "edit Poster A3",
        },
        {
            trigger: "#print_order_add_job button[type='submit']",
            run: "click",
        },
        {
            content: "The job is added",
            trigger: "#print_order_notice:contains('The job was added')",
        },
        ...uploadSteps("Poster A3", "poster.pdf"),
        {
            content: "Before submitting, the warnings of both files are listed",
            trigger: "#print_order_preflight_warnings:contains('Flyer A5 / flyer.pdf'):contains('Poster A3 / poster.pdf')",
        },
        {
            content: "Submit the order",
            trigger: "#print_order_submit button[type='submit']:contains('Submit my order')",
            run: "click",
        },
        {
            content: "Submitted: the shop asks to pay now",
            trigger: "#print_order_notice:contains('Please pay it now')",
        },
        {
            trigger: "#print_order_state:contains('Received')",
        },
        {
            content: "Pay with the test provider",
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
            content: "Back on the order: Paid",
            trigger: "#print_order_paid:contains('Paid')",
            timeout: 20000,
        },
        {
            trigger: "#print_order_state:contains('Received')",
        },
    ],
});

registry.category("web_tour.tours").add("print_change_request_portal_new_order_operator_tour", {
    url: "/odoo/action-print_change_request.print_order_action",
    steps: () => [
        {
            content: "The operator's list shows the customer's new order as New, with its preflight badge",
            trigger: ".o_list_view .o_data_row:contains('Paula Print'):has(td[name='communication_state'] .badge:contains('New')) td[name='preflight_state'] .badge:contains('Preflight warnings')",
        },
        {
            content: "and paid",
            trigger: ".o_list_view .o_data_row:contains('Paula Print'):has(td[name='communication_state'] .badge:contains('New')) td[name='is_paid'] input:checked",
        },
        {
            content: "Open it",
            trigger: ".o_list_view .o_data_row:contains('Paula Print'):has(td[name='communication_state'] .badge:contains('New')) td[name='partner_id']",
            run: "click",
        },
        {
            content: "Its two jobs",
            trigger: ".o_field_one2many[name='job_ids'] .o_data_row:contains('Poster A3')",
        },
        {
            trigger: ".o_field_one2many[name='job_ids'] .o_data_row:contains('Flyer A5')",
        },
    ],
});
