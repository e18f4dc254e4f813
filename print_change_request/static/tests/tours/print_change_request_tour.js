/** @odoo-module **/
/* The operator opens a paid order, requests a change for one file, confirms the automatic
 * refund, and sees the states and colors change (order, jobs, payment, refund). */

import { registry } from "@web/core/registry";

const ORDER = "TOUR/CR-PAID";
const FILE = "job1-file2.pdf";
const JOBS = ".o_field_one2many[name='job_ids']";
const LINE = `.modal .o_field_one2many[name='line_ids'] .o_data_row:contains('${FILE}')`;

registry.category("web_tour.tours").add("print_change_request_paid_order_tour", {
    url: "/odoo/action-print_change_request.print_order_action",
    steps: () => [
        // The orders list: the paid order is new (blue) and ticked as paid.
        {
            content: "The paid order is listed as new, in its blue",
            trigger: `.o_list_view .o_data_row:contains('${ORDER}') td[name='communication_state'] .badge.o_print_state_color_8:contains('New')`,
        },
        {
            content: "...and ticked as paid",
            trigger: `.o_list_view .o_data_row:contains('${ORDER}') td[name='is_paid'] input:checked`,
        },
        {
            content: "Open the paid order",
            trigger: `.o_list_view .o_data_row td[name='name']:contains('${ORDER}')`,
            run: "click",
        },
        // The form before the request.
        {
            content: "The status bar shows the order as new",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('New')",
        },
        {
            content: "...so does the blue badge",
            trigger: ".o_form_view .oe_title .badge.o_print_state_color_8:contains('New')",
        },
        {
            content: "The order carries the 'Paid' ribbon",
            trigger: ".o_form_view .ribbon:contains('Paid')",
        },
        {
            content: "'Job is paid' is ticked",
            trigger: ".o_form_view .o_inner_group div[name='is_paid'] input:checked",
        },
        {
            content: "No refund yet: no Refunds smart button",
            trigger: ".o_form_view:has(.o_form_sheet):not(:has(button[name='action_view_refunds']))",
        },
        {
            content: "Both jobs are new (blue) and paid",
            trigger: `${JOBS} .o_data_row:contains('Job 1') td[name='is_paid'] input:checked`,
        },
        {
            trigger: `${JOBS} .o_data_row:contains('Job 2') td[name='is_paid'] input:checked`,
        },
        // "Send a change request for <order>"
        {
            content: "Request for change",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_request_change']",
            run: "click",
        },
        {
            content: "The dialog opens",
            trigger: `.modal .modal-title:contains('Send a change request for ${ORDER}')`,
        },
        {
            content: "It says the customer has paid",
            trigger: ".modal .alert-info:contains('The customer has paid'):contains('20.00')",
        },
        {
            content: "It lists the order's four files",
            trigger: ".modal .o_field_one2many[name='line_ids'] .o_data_row:nth-child(4):contains('job2-file2.pdf')",
        },
        {
            content: "Tick the one file the customer must change",
            trigger: `${LINE} td[name='to_change'] input`,
            run: "check",
        },
        {
            content: "The file is ticked",
            trigger: `${LINE} td[name='to_change'] input:checked`,
        },
        {
            content: "Edit the line",
            trigger: `${LINE} td[name='reason_id']`,
            run: "click",
        },
        {
            content: "Give the reason",
            trigger: `${LINE}.o_selected_row td[name='reason_id'] input`,
            run: "edit Missing",
        },
        {
            trigger: ".modal .o-autocomplete--dropdown-menu .dropdown-item:contains('Missing fonts')",
            run: "click",
        },
        {
            content: "Say what to fix",
            trigger: `${LINE}.o_selected_row td[name='note'] textarea`,
            run: "edit Embed the fonts of page 2",
        },
        {
            content: "The reason is set",
            trigger: `${LINE} td[name='reason_id'] input:value('Missing fonts')`,
        },
        {
            content: "OK",
            trigger: ".modal .modal-footer button[name='action_confirm']",
            run: "click",
        },
        // "The customer has already paid the order..."
        {
            content: "The refund question opens",
            trigger: ".modal .modal-title:contains('The customer has already paid the order')",
        },
        {
            content: "It tells the amount and how the customer paid",
            trigger: ".modal .modal-body:contains('Amount to refund'):contains('20.00'):contains('Stripe (test)')",
        },
        {
            content: "OK: refund automatically",
            trigger: ".modal .modal-footer button[name='action_refund_automatically']",
            run: "click",
        },
        {
            content: "A green notification tells the request was sent and the refund is done",
            trigger: `.o_notification:has(.o_notification_bar.bg-success):contains('Request for change sent for ${ORDER}'):contains('Done')`,
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
        // The form after the request.
        {
            content: "The status bar shows 'Request for change'",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Request for change')",
        },
        {
            content: "...so does the orange (warning) badge",
            trigger: ".o_form_view .oe_title .badge.o_print_state_color_3:contains('Request for change')",
        },
        {
            content: "The job with the file waits for the customer: orange (warning)",
            trigger: `${JOBS} .o_data_row:contains('Job 1') td[name='communication_state'] .badge.o_print_state_color_3:contains('Request for change')`,
        },
        {
            content: "...and is no longer paid",
            trigger: `${JOBS} .o_data_row:contains('Job 1') td[name='is_paid'] input:not(:checked)`,
        },
        {
            content: "The other job stays new (blue)",
            trigger: `${JOBS} .o_data_row:contains('Job 2') td[name='communication_state'] .badge.o_print_state_color_8:contains('New')`,
        },
        {
            content: "'Job is paid' is unticked",
            trigger: ".o_form_view .o_inner_group div[name='is_paid'] input:not(:checked)",
        },
        {
            content: "The 'Paid' ribbon is gone",
            trigger: ".o_form_view:not(:has(.ribbon))",
        },
        {
            content: "The refunded amount shows",
            trigger: ".o_form_view .o_inner_group div[name='amount_refund_done']:contains('20.00')",
        },
        {
            content: "One request for change",
            trigger: ".o_form_view .o-form-buttonbox button[name='action_view_change_requests'] .o_stat_value:contains('1')",
        },
        {
            content: "One refund: open it",
            trigger: ".o_form_view .o-form-buttonbox button[name='action_view_refunds']:has(.o_stat_value:contains('1'))",
            run: "click",
        },
        {
            content: "The refund is done: green (success)",
            trigger: `.o_list_view .o_data_row.text-success:contains('${ORDER}') td[name='state'] .badge.text-bg-success:contains('Done')`,
        },
        {
            content: "...made automatically",
            trigger: `.o_list_view .o_data_row:contains('${ORDER}') td[name='method']:contains('Automatic')`,
        },
        {
            content: "...and it is the only one",
            trigger: ".o_list_view .o_data_row:only-child",
        },
    ],
});
