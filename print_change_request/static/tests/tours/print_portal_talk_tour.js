/** @odoo-module **/
/* The customer and the shop talk on the order (issue 14), as the customer in the portal: the
 * order's page shows the shop's request for change in its messages, the customer replies
 * there; after the operator went ahead without the customer's changes, the page says so. */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("print_change_request_portal_talk_tour", {
    steps: () => [
        {
            content: "The order waits for the customer's changes",
            trigger: "#print_order_state:contains('Waiting for your changes')",
        },
        {
            content: "The shop's request for change is in the order's messages",
            trigger:
                "#print_order_communication #chatterRoot:shadow .o-mail-Message:contains('Thanks for your patience!')",
        },
        {
            content: "Write to the shop",
            trigger: "#print_order_communication #chatterRoot:shadow .o-mail-Composer-input",
            run: "edit Can I send the new file on Monday?",
        },
        {
            content: "Send it",
            trigger:
                "#print_order_communication #chatterRoot:shadow .o-mail-Composer-send:enabled",
            run: "click",
        },
        {
            content: "The message is on the order, in the customer's name",
            trigger:
                "#print_order_communication #chatterRoot:shadow .o-mail-Message:contains('Can I send the new file on Monday?')",
        },
    ],
});

registry.category("web_tour.tours").add("print_change_request_portal_went_ahead_tour", {
    steps: () => [
        {
            content: "The page says the shop went ahead with the order as it was",
            trigger:
                "#print_order_went_ahead:contains('The print shop went ahead with your order as it was')",
        },
        {
            content: "and what happens to the money",
            trigger: "#print_order_went_ahead:contains('your payment stays with the order')",
        },
        {
            content: "No form to send changes any more",
            trigger: "body:not(:has(#print_order_submit))",
        },
        {
            content: "The shop's message says so too",
            trigger:
                "#print_order_communication #chatterRoot:shadow .o-mail-Message:contains('We went ahead with your order')",
        },
    ],
});
