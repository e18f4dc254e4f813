/** @odoo-module **/
/* A manager opens an order waiting for the customer: the status bar shows every state up to
 * Finalized; Accept asks before going on without the customer, then says why the order is
 * not paid and offers the ways forward; the manager accepts it unpaid and the form shows it. */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("print_change_request_accept_dialogs_tour", {
    steps: () => [
        {
            content: "The status bar shows Finalized, not folded away",
            trigger: ".o_form_view .o_statusbar_status button[data-value='finalized']",
        },
        {
            content: "Accept",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_accept']",
            run: "click",
        },
        {
            content: "A confirmation dialog asks, instead of an 'Odoo Warning'",
            trigger: ".modal .modal-title:contains('The customer has not changed the order yet')",
        },
        {
            content: "I do not wait for the response of the customer.",
            trigger: ".modal .modal-footer button[name='action_continue']",
            run: "click",
        },
        {
            content: "The shop requires payment: the dialog says why the order is not paid",
            trigger: ".modal .modal-title:contains('is not paid')",
        },
        {
            trigger: ".modal .alert-warning:contains('has no invoice')",
        },
        {
            content: "...and offers a payment link and the invoice",
            trigger: ".modal .modal-footer button[name='action_send_payment_link']:contains('Copy the payment link for the customer')",
        },
        {
            trigger: ".modal .modal-footer button[name='action_invoice']",
        },
        {
            content: "Accept unpaid...",
            trigger: ".modal .modal-footer button[name='action_open_accept_unpaid']",
            run: "click",
        },
        {
            content: "The reason is required",
            trigger: ".modal div[name='reason'].o_required_modifier textarea",
            run: "edit Regular customer, pays monthly",
        },
        {
            content: "Accept unpaid",
            trigger: ".modal .modal-footer button[name='action_accept_unpaid']",
            run: "click",
        },
        {
            content: "The form reloads and shows the order accepted",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Accepted')",
        },
        {
            content: "The chatter says who accepted it unpaid, and why",
            trigger: ".o-mail-Message:contains('accepted the order without payment'):contains('pays monthly')",
        },
        {
            content: "The chatter keeps the choice not to wait",
            trigger: ".o-mail-Message:contains('I do not wait for the response of the customer')",
        },
    ],
});
