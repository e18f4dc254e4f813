/** @odoo-module **/
/* Nothing the customer types is lost (issue 23, items 1-3): the word for the print shop and a
 * half-filled "Add a job" survive every button of the order page (add files, replace, save the
 * ticket, add the job); a file refused beside a good one is refused alone, named with why; the
 * price follows what the form shows after a refused upload (the job's 300 copies typed, 250
 * saved; the new job's 40 copies).  Each step waits on what the person sees
 * on the page that opens (a notice, a file, a message), never on time. */

import { registry } from "@web/core/registry";
import { choosePdf, choosePdfs } from "@print_change_request/../tests/tours/print_tour_files";

function card(job) {
    return `.o_print_job_card:contains('${job}')`;
}

function wordKept(word) {
    return {
        content: `The word for the print shop is still there: "${word}"`,
        trigger: `#print_order_submit_message:value('${word}')`,
    };
}

/** The price block shows ``copies`` copies, computed (not waiting for the server). */
function pricedFor(block, copies) {
    return {
        content: `The price is for ${copies} copies, as the form shows`,
        trigger: `${block} .o_print_price_quote:not(.opacity-50) [data-print-price='copies']:contains('${copies}')`,
    };
}

function addFiles(job, files) {
    return [
        {
            content: `Choose ${files.map(([name]) => name).join(" and ")} for ${job}`,
            trigger: `${card(job)} .o_print_add_files input[type='file']`,
            run() {
                choosePdfs(this.anchor, files);
            },
        },
        {
            trigger: `${card(job)} .o_print_add_files button[type='submit']`,
            run: "click",
        },
    ];
}

registry.category("web_tour.tours").add("print_change_request_portal_keep_words_tour", {
    steps: () => [
        {
            trigger: "#print_order_state:contains('Waiting for your changes')",
        },
        {
            content: "A word for the print shop, typed first",
            trigger: "#print_order_submit_message",
            run: "edit Laminated please",
        },
        {
            content: "Job 2: 250 copies, saved",
            trigger: `${card("Job 2")} input[name$='_copies']`,
            run: "edit 250",
        },
        {
            trigger: `${card("Job 2")} .o_print_ticket button[type='submit']`,
            run: "click",
        },
        {
            trigger: "#print_order_notice:contains('The job ticket is changed')",
        },
        wordKept("Laminated please"),
        pricedFor(`${card("Job 2")} .o_print_ticket`, "250"),
        {
            content: "Type 300 copies, then choose three files at once for job 1 (the shop takes two)",
            trigger: `${card("Job 2")} input[name$='_copies']`,
            run: "edit 300",
        },
        ...addFiles("Job 1", [
            ["a.pdf", false],
            ["b.pdf", false],
            ["c.pdf", false],
        ]),
        {
            content: "The upload is refused: nothing is saved, the page shows what was typed",
            trigger: "#print_order_error:contains('3 files')",
        },
        {
            trigger: `${card("Job 2")} input[name$='_copies']:value(300)`,
        },
        pricedFor(`${card("Job 2")} .o_print_ticket`, "300"),
        wordKept("Laminated please"),
        {
            content: "A good PDF and the protected one together",
            trigger: `${card("Job 1")} .o_print_add_files input[type='file']`,
            run() {
                choosePdfs(this.anchor, [
                    ["extra.pdf", false],
                    ["secret.pdf", true],
                ]);
            },
        },
        {
            trigger: `${card("Job 1")} .o_print_add_files button[type='submit']`,
            run: "click",
        },
        {
            content: "The good file and the 300 copies are saved",
            trigger: "#print_order_notice:contains('Your changes are saved')",
        },
        {
            trigger: `${card("Job 1")} .o_print_file:contains('extra.pdf')`,
        },
        {
            content: "The protected file alone is refused, with why",
            trigger: "#print_order_refused_files .o_print_refused_file:contains('Job 1 / secret.pdf'):contains('protected by a password')",
        },
        {
            trigger: "#print_order_refused_files:not(:contains('extra.pdf'))",
        },
        {
            trigger: `${card("Job 1")}:not(:contains('secret.pdf'))`,
        },
        wordKept("Laminated please"),
        {
            content: "Replace the flagged file",
            trigger: ".o_print_file:has(.o_print_file_reason) .o_print_replace_file input[type='file']",
            run() {
                choosePdf(this.anchor, "fonts-embedded.pdf");
            },
        },
        {
            trigger: ".o_print_file:has(.o_print_file_reason) .o_print_replace_file button[type='submit']",
            run: "click",
        },
        {
            trigger: "#print_order_notice:contains('Your file is uploaded')",
        },
        {
            content: "Nothing refused this time: the list of refused files is gone",
            trigger: "#print_order_content:not(:has(#print_order_refused_files))",
        },
        wordKept("Laminated please"),
        {
            content: "Send, with the word typed at the start",
            trigger: "#print_order_submit button[type='submit']:contains('Send my changes')",
            run: "click",
        },
        {
            trigger: "#print_order_notice:contains('We received your changes')",
        },
    ],
});

registry.category("web_tour.tours").add("print_change_request_portal_draft_keep_words_tour", {
    steps: () => [
        {
            trigger: "#print_order_state:contains('Draft')",
        },
        {
            content: "A word for the print shop",
            trigger: "#print_order_submit_message",
            run: "edit Needed by Friday",
        },
        {
            content: "Half-fill Add a job: its name and 40 copies",
            trigger: "#print_order_add_job input[name='new_job_name']",
            run: "edit Poster A3",
        },
        {
            trigger: "#print_order_add_job input[name='new_job_copies']",
            run: "edit 40",
        },
        pricedFor("#print_order_add_job", "40"),
        ...addFiles("Flyer A5", [["flyer.pdf", false]]),
        {
            trigger: `${card("Flyer A5")} .o_print_file:contains('flyer.pdf')`,
        },
        {
            trigger: "#print_order_notice:contains('Your file is uploaded')",
        },
        wordKept("Needed by Friday"),
        {
            content: "The job being added is still half-filled",
            trigger: "#print_order_add_job input[name='new_job_name']:value('Poster A3')",
        },
        {
            trigger: "#print_order_add_job input[name='new_job_copies']:value(40)",
        },
        pricedFor("#print_order_add_job", "40"),
        {
            content: "Replace the flyer's file",
            trigger: `${card("Flyer A5")} .o_print_replace_file input[type='file']`,
            run() {
                choosePdf(this.anchor, "flyer-2.pdf");
            },
        },
        {
            trigger: `${card("Flyer A5")} .o_print_replace_file button[type='submit']`,
            run: "click",
        },
        {
            // The stored file's link, on the page opened again: the chosen file's row in the
            // replace box (inside the same .o_print_file) shows its name before it is sent.
            trigger: `${card("Flyer A5")} .o_print_file a:contains('flyer-2.pdf')`,
        },
        wordKept("Needed by Friday"),
        {
            trigger: "#print_order_add_job input[name='new_job_name']:value('Poster A3')",
        },
        ...addFiles("Flyer A5", [["bad.pdf", true]]),
        {
            content: "A refused file: the new job's 40 copies are priced as 40, not 1",
            trigger: "#print_order_error:contains('bad.pdf')",
        },
        {
            trigger: "#print_order_add_job input[name='new_job_copies']:value(40)",
        },
        pricedFor("#print_order_add_job", "40"),
        wordKept("Needed by Friday"),
        {
            content: "Add the job",
            trigger: "#print_order_add_job button[value='add_job']",
            run: "click",
        },
        {
            trigger: "#print_order_notice:contains('The job was added')",
        },
        {
            content: "The job has what was typed for it",
            trigger: `${card("Poster A3")} input[name$='_copies']:value(40)`,
        },
        {
            content: "Add a job starts empty again, the word for the shop stays",
            trigger: "#print_order_add_job input[name='new_job_name']:not([value])",
        },
        wordKept("Needed by Friday"),
        ...addFiles("Poster A3", [["poster.pdf", false]]),
        {
            trigger: `${card("Poster A3")} .o_print_file:contains('poster.pdf')`,
        },
        wordKept("Needed by Friday"),
        {
            trigger: "#print_order_submit button[value='submit']:contains('Submit my order')",
            run: "click",
        },
        {
            trigger: "#print_order_notice:contains('Your order is submitted')",
        },
    ],
});
