/** @odoo-module **/
/* Opens the orders list, then an order waiting for the customer, in the web client. */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("print_change_request_order_list_tour", {
    url: "/odoo/action-print_change_request.print_order_action",
    steps: () => [
        {
            content: "The list shows the communication state and 'Job is paid' columns",
            trigger: ".o_list_view th[data-name='communication_state']",
        },
        {
            trigger: ".o_list_view th[data-name='is_paid']",
        },
        {
            content: "The waiting order is shown in orange (warning) and bold",
            trigger: ".o_data_row.fw-bold td[name='name']:contains('TOUR/WAITING')",
        },
        {
            content: "The paid order is ticked as paid",
            trigger: ".o_data_row:contains('TOUR/PAID') td[name='is_paid'] input:checked",
        },
        {
            content: "Open the waiting order",
            trigger: ".o_data_row td[name='name']:contains('TOUR/WAITING')",
            run: "click",
        },
        {
            content: "The form shows the state in the status bar",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Request for change')",
        },
        {
            content: "...and as an orange badge",
            trigger: ".o_form_view .oe_title .badge.o_print_state_color_3:contains('Request for change')",
        },
        {
            content: "The job list shows the job waiting for the customer",
            trigger: ".o_field_one2many[name='job_ids'] .o_data_row:contains('Poster')",
        },
    ],
});
