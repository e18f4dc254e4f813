/** @odoo-module **/
/* An accountant sends an overpayment's refund: the form shows Done, without Send refund,
 * right after the click (no reload by hand). */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("print_change_request_refund_send_tour", {
    steps: () => [
        {
            content: "The refund waits for the accountant: Draft, with Send refund",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Draft')",
        },
        {
            content: "Send refund",
            trigger: ".o_form_view .o_form_statusbar button[name='action_send']",
            run: "click",
        },
        {
            content: "The notification says it was sent",
            trigger: ".o_notification:contains('Refund sent')",
        },
        {
            content: "The form shows Done at once",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Done')",
        },
        {
            content: "Send refund is gone",
            trigger: ".o_form_view:has(.o_form_statusbar):not(:has(button[name='action_send']))",
        },
    ],
});
