/** @odoo-module **/
/* One job, one form (issue 14): whatever the customer clicks on the order page, what they typed
 * elsewhere on it is kept, and "Send my changes" / "Submit my order" send the tickets as they
 * are on screen.  A draft says it is a draft, in the list and on its page. */

import { registry } from "@web/core/registry";
import { choosePdf } from "@print_change_request/../tests/tours/print_tour_files";

function onJobAnchor(job) {
    return {
        content: `The page opens again at ${job}, where the customer was working`,
        trigger: `.o_print_job_card:contains('${job}')`,
        run() {
            const card = this.anchor.closest(".o_print_job_card");
            if (window.location.hash !== `#${card.id}`) {
                throw new Error(`The page opened at "${window.location.hash}", not at #${card.id}`);
            }
        },
    };
}

/** Whether leaving the page now would ask the customer first: the page's beforeunload
 * handler, called with an event of our own (a real beforeunload would stop the tour). */
function leavingWarns(form) {
    let prevented = false;
    const event = {
        preventDefault() {
            prevented = true;
        },
    };
    form.printOrderForm._onBeforeUnload(event);
    return prevented;
}

function leaving(warns, content) {
    return {
        content,
        trigger: "form.o_print_order_form",
        run() {
            if (leavingWarns(this.anchor) !== warns) {
                throw new Error(`Leaving the page ${warns ? "does not warn" : "warns"}`);
            }
        },
    };
}

registry.category("web_tour.tours").add("print_change_request_portal_keep_typed_tour", {
    steps: () => [
        {
            trigger: "#print_order_state:contains('Waiting for your changes')",
        },
        leaving(false, "Nothing typed yet: leaving the page does not warn"),
        {
            content: "Type job 1's copies and finishing, without saving them",
            trigger: ".o_print_job_card:contains('Job 1') input[name$='_copies']",
            run: "edit 40",
        },
        {
            trigger: ".o_print_job_card:contains('Job 1') select[name$='_finishing']",
            run: "select laminate",
        },
        {
            content: "and job 2's copies",
            trigger: ".o_print_job_card:contains('Job 2') input[name$='_copies']",
            run: "edit 45",
        },
        leaving(true, "Typed and not saved: leaving the page warns"),
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
            content: "The file and the typed tickets are saved together",
            trigger: "#print_order_notice:contains('Your changes are saved')",
        },
        onJobAnchor("Job 1"),
        {
            trigger: ".o_print_job_card:contains('Job 1') input[name$='_copies'][value='40']",
        },
        {
            trigger: ".o_print_job_card:contains('Job 1') select[name$='_finishing']:has(option[value='laminate'][selected])",
        },
        {
            trigger: ".o_print_job_card:contains('Job 2') input[name$='_copies'][value='45']",
        },
        leaving(false, "All saved: leaving the page does not warn"),
        {
            content: "What you must change shows the replaced file as done",
            trigger: "#print_order_file_changes .o_print_file_change_done:contains('Done: replaced by fonts-embedded.pdf')",
        },
        {
            content: "Type job 2's copies again, and send without saving the ticket first",
            trigger: ".o_print_job_card:contains('Job 2') input[name$='_copies']",
            run: "edit 46",
        },
        {
            trigger: "#print_order_submit_message",
            run: "edit Laminated, please.",
        },
        {
            trigger: "#print_order_submit button[type='submit']:contains('Send my changes')",
            run: "click",
        },
        {
            content: "The changes, as typed, are sent",
            trigger: "#print_order_notice:contains('We received your changes')",
        },
        {
            trigger: "#print_order_state:contains('Changes received')",
        },
        {
            trigger: "#print_order_jobs tr:contains('Job 2') .o_print_job_copies:contains('46')",
        },
    ],
});

registry.category("web_tour.tours").add("print_change_request_portal_draft_tour", {
    url: "/my/print_orders",
    steps: () => [
        {
            content: "The list labels the draft as a draft, with nothing to pay yet",
            trigger: "#print_orders_list tr:contains('TOUR/DRAFT') .badge:contains('Draft')",
        },
        {
            trigger: "#print_orders_list tr:contains('TOUR/DRAFT') .o_print_order_payment_state:contains('Not sent to the shop yet'):not(:contains('To pay'))",
        },
        {
            trigger: "#print_orders_list tr:contains('TOUR/DRAFT') a",
            run: "click",
        },
        {
            content: "The draft's page says it is not sent, and has no submission date",
            trigger: "#print_order_state:contains('Draft')",
        },
        {
            trigger: "#print_order_draft_state:contains('Draft, not sent to the shop yet')",
        },
        {
            trigger: ".o_portal_sidebar:not(:contains('Submitted on')):not(:has(#print_order_paid))",
        },
        {
            content: "Type the ticket",
            trigger: ".o_print_job_card:contains('Flyer A5') input[name$='_copies']",
            run: "edit 7",
        },
        {
            trigger: ".o_print_job_card:contains('Flyer A5') select[name$='_finishing']",
            run: "select fold",
        },
        {
            trigger: ".o_print_job_card:contains('Flyer A5') textarea[name$='_ticket_note']",
            run: "edit Fold in half",
        },
        {
            content: "Choose the job's file and add it",
            trigger: ".o_print_job_card:contains('Flyer A5') .o_print_add_files input[type='file']",
            run() {
                choosePdf(this.anchor, "flyer.pdf");
            },
        },
        {
            trigger: ".o_print_job_card:contains('Flyer A5') .o_print_add_files button[type='submit']",
            run: "click",
        },
        {
            content: "The file and the typed ticket are saved together",
            trigger: "#print_order_notice:contains('Your changes are saved')",
        },
        onJobAnchor("Flyer A5"),
        {
            trigger: ".o_print_job_card:contains('Flyer A5') .o_print_file:contains('flyer.pdf')",
        },
        {
            trigger: ".o_print_job_card:contains('Flyer A5') input[name$='_copies'][value='7']",
        },
        {
            content: "Type the copies again, and submit at once",
            trigger: ".o_print_job_card:contains('Flyer A5') input[name$='_copies']",
            run: "edit 9",
        },
        {
            content: "The button says what happens",
            trigger: "#print_order_submit button[type='submit']:contains('Submit my order to the shop')",
            run: "click",
        },
        {
            trigger: "#print_order_notice:contains('Your order is submitted')",
        },
        {
            trigger: "#print_order_state:contains('Received')",
        },
        {
            trigger: "#print_order_jobs tr:contains('Flyer A5') .o_print_job_copies:contains('9')",
        },
    ],
});
