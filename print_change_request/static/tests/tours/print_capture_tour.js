/** @odoo-module **/
/* Capture at acceptance: the customer authorizes in the portal, the operator requests a
 * change (the authorization is released), the customer authorizes again, the operator
 * accepts (captured). */

import { registry } from "@web/core/registry";
import { choosePdf } from "@print_change_request/../tests/tours/print_tour_files";

const ORDER = "TOUR/CAPTURE";
const FILE = "job1-file1.pdf";
const LINE = `.modal .o_field_one2many[name='line_ids'] .o_data_row:contains('${FILE}')`;

/** The customer authorizes the order's total with Odoo's payment form (demo provider, which
 * the test sets to capture manually). */
function authorizeSteps() {
    return [
        {
            content: "Pay with the demo provider",
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
            content: "Back on the order: the payment is authorized, not taken yet",
            trigger: "#print_order_paid:contains('Payment authorized')",
            timeout: 20000,
        },
        {
            trigger: "#print_order_payment_status:contains('is authorized')",
        },
    ];
}

registry.category("web_tour.tours").add("print_change_request_capture_customer_tour", {
    steps: () => authorizeSteps(),
});

registry.category("web_tour.tours").add("print_change_request_capture_resubmit_tour", {
    steps: () => [
        {
            content: "The order waits for the customer's changes",
            trigger: "#print_order_state:contains('Waiting for your changes')",
        },
        {
            content: "The shop says what to change",
            trigger: ".o_print_file:has(.o_print_file_reason):contains('Embed the fonts')",
        },
        {
            content: "Choose the new PDF of the flagged file",
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
            content: "Only the file changed: it is uploaded",
            trigger: "#print_order_notice:contains('Your file is uploaded')",
        },
        {
            trigger: "#print_order_file_changes .o_print_file_change_done:contains('Done: replaced by fonts-embedded.pdf')",
        },
        {
            content: "Two copies instead of one: the total changes",
            trigger: ".o_print_job_card:contains('Job 1') input[name$='_copies']",
            run: "edit 2",
        },
        {
            trigger: "#print_order_submit_message",
            run: "edit Fonts embedded, and two copies please.",
        },
        {
            content: "Send my changes",
            trigger: "#print_order_submit button[type='submit']:contains('Send my changes')",
            run: "click",
        },
        {
            trigger: "#print_order_notice:contains('We received your changes')",
        },
        {
            trigger: "#print_order_state:contains('Changes received')",
        },
        {
            trigger: "#print_order_jobs tr:contains('Job 1') .o_print_job_copies:contains('2')",
        },
        {
            content: "The first authorization was released: the page asks for the new total",
            trigger: "#print_order_paid:contains('Not paid')",
        },
        ...authorizeSteps(),
    ],
});

registry.category("web_tour.tours").add("print_change_request_capture_release_tour", {
    url: "/odoo/action-print_change_request.print_order_action",
    steps: () => [
        {
            content: "The list shows the order's payment as authorized",
            trigger: `.o_list_view .o_data_row:contains('${ORDER}') td[name='is_payment_authorized'] input:checked`,
        },
        {
            content: "Open the order",
            trigger: `.o_list_view .o_data_row td[name='name']:contains('${ORDER}')`,
            run: "click",
        },
        {
            content: "The form shows 'Payment authorized'",
            trigger: ".o_form_view .oe_title .o_print_payment_authorized:contains('Payment authorized')",
        },
        {
            content: "Request for change",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_request_change']",
            run: "click",
        },
        {
            content: "Tick the file",
            trigger: `${LINE} td[name='to_change'] input`,
            run: "check",
        },
        {
            trigger: `${LINE} td[name='reason_id']`,
            run: "click",
        },
        {
            trigger: `${LINE}.o_selected_row td[name='reason_id'] input`,
            run: "edit Missing",
        },
        {
            trigger: ".modal .o-autocomplete--dropdown-menu .dropdown-item:contains('Missing fonts')",
            run: "click",
        },
        {
            trigger: `${LINE}.o_selected_row td[name='note'] textarea`,
            run: "edit Embed the fonts",
        },
        {
            trigger: `${LINE} td[name='reason_id'] input:value('Missing fonts')`,
        },
        {
            content: "OK",
            trigger: ".modal .modal-footer button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The release question, not the refund question",
            trigger: ".modal .modal-title:contains(\"The customer's payment is authorized\")",
        },
        {
            content: "It says the authorization is released and nothing was charged",
            trigger: ".modal .o_print_release_question:contains('the authorization is released'):contains('nothing was charged')",
        },
        {
            trigger: ".modal .modal-body:contains('Authorization to release'):contains('Demo (capture manually)')",
        },
        {
            content: "OK: release it",
            trigger: ".modal .modal-footer button[name='action_release_automatically']",
            run: "click",
        },
        {
            content: "The notification says it was released",
            trigger: ".o_notification:contains('was released')",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The order waits for the customer, its payment no longer authorized",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Request for change')",
        },
        {
            trigger: ".o_form_view .oe_title:not(:has(.o_print_payment_authorized))",
        },
    ],
});

registry.category("web_tour.tours").add("print_change_request_capture_accept_tour", {
    url: "/odoo/action-print_change_request.print_order_action",
    steps: () => [
        {
            content: "Open the changed order, authorized again",
            trigger: `.o_list_view .o_data_row:contains('${ORDER}'):has(td[name='is_payment_authorized'] input:checked) td[name='name']`,
            run: "click",
        },
        {
            trigger: ".o_form_view .oe_title .o_print_payment_authorized",
        },
        {
            content: "Accept",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_accept']",
            run: "click",
        },
        {
            content: "Accepted, and paid: the payment was captured",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Accepted')",
        },
        {
            trigger: ".o_form_view .ribbon:contains('Paid')",
        },
        {
            trigger: ".o_form_view .oe_title:not(:has(.o_print_payment_authorized))",
        },
    ],
});
