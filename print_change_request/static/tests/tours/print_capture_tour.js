/** @odoo-module **/
/* Capture at acceptance: the customer authorizes in the portal, the operator requests a
 * change (the authorization is released), the customer authorizes again, the operator
 * accepts (captured). */

import { registry } from "@web/core/registry";

const ORDER = "TOUR/CAPTURE";
const FILE = "job1-file1.pdf";
const LINE = `.modal .o_field_one2many[name='line_ids'] .o_data_row:contains('${FILE}')`;

registry.category("web_tour.tours").add("print_change_request_capture_customer_tour", {
    steps: () => [
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
            trigger: `${LINE}.o_selected_row td[name='note'] input`,
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
