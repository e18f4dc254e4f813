/** @odoo-module **/
/* An operator opens an order waiting for the customer whose file is damaged: "Customer
 * changed it" is the highlighted button, not Accept; Accept asks first whether to go on
 * without the customer, then names the file with errors; going ahead accepts the order and
 * the chatter keeps the operator's choice. */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("print_change_request_file_error_tour", {
    steps: () => [
        {
            content: "While the order waits for the customer, their changes are highlighted",
            trigger: ".o_form_view .o_statusbar_buttons button.btn-primary[name='action_customer_changed']",
        },
        {
            content: "...and Accept is not",
            trigger: ".o_form_view .o_statusbar_buttons:not(:has(button.btn-primary[name='action_accept']))",
        },
        {
            content: "Accept",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_accept']",
            run: "click",
        },
        {
            content: "The customer has not changed the order yet",
            trigger: ".modal .modal-footer button[name='action_continue']",
            run: "click",
        },
        {
            content: "The dialog names the damaged file",
            trigger: ".modal .o_print_file_errors:contains('broken.pdf')",
        },
        {
            content: "Go ahead with these files",
            trigger: ".modal .modal-footer button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The form reloads and shows the order accepted",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Accepted')",
        },
        {
            content: "The chatter keeps the choice, with the file",
            trigger: ".o-mail-Message:contains('preflight found errors'):contains('broken.pdf')",
        },
    ],
});
