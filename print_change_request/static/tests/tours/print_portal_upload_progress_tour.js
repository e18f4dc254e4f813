/** @odoo-module **/
/* A large file's upload shows how it goes (issue 23, item 4): the customer types a word for the
 * print shop, chooses a PDF of a few MB (made by the Python test, whose browser sends slowly) in
 * Job 1's files and clicks "Add files": its row's progress bar moves and its status, in the list
 * read out to screen readers (aria-live), says "sending" then "sent"; the page opens again with
 * the file on the job and the word still typed.  What the row showed is recorded as it changes
 * and kept in sessionStorage (the page is opened again once sent), then checked: a step cannot
 * wait for "sending" itself, as the tour only looks again once the page has been still for
 * 200 ms and the bar moves every 100 ms. */

import { registry } from "@web/core/registry";
import { chooseFiles, fetchedPdf } from "@print_change_request/../tests/tours/print_tour_files";

const CARD = ".o_print_job_card:contains('Job 1')";
const LOG_KEY = "print_upload_progress_tour_log";
const NAME = "large-poster.pdf";
const WORD = "Print on Friday, please.\nThe poster first.";

/** What the rows of ``list`` show: ``[[status, progress value, progress max]]``. */
function shown(list) {
    return [...list.querySelectorAll(".o_print_upload_file")].map((row) => {
        const progress = row.querySelector("progress");
        return [
            row.querySelector(".o_print_upload_status").textContent,
            progress.value,
            progress.max,
        ];
    });
}

registry.category("web_tour.tours").add("print_change_request_portal_upload_progress_tour", {
    steps: () => [
        {
            trigger: "#print_order_state:contains('Waiting for your changes')",
        },
        {
            content: "Type a word for the print shop before the upload",
            trigger: "textarea[name='message']",
            async run(helpers) {
                await helpers.edit(WORD);
            },
        },
        {
            content: "Choose the large PDF in Job 1's files",
            trigger: `${CARD} .o_print_add_files input[type=file]`,
            async run() {
                const url = new URLSearchParams(window.location.search).get("print_tour_pdf");
                const file = await fetchedPdf(url, NAME);
                if (file.size < 2 * 1000 * 1000) {
                    throw new Error(`The PDF has ${file.size} bytes: not a large file`);
                }
                chooseFiles(this.anchor, [file]);
            },
        },
        {
            content: "It is listed, with its size and a progress bar at 0, waiting",
            trigger: `${CARD} .o_print_upload_list[aria-live='polite'] .o_print_upload_file:contains('${NAME}'):contains('MB')`,
            run() {
                const list = this.anchor.closest(".o_print_upload_list");
                const rows = shown(list);
                if (rows.length !== 1 || rows[0][0] !== "waiting" || rows[0][1] !== 0) {
                    throw new Error(`The list shows ${JSON.stringify(rows)}`);
                }
                if (!this.anchor.querySelector(`progress[aria-label*='${NAME}']`)) {
                    throw new Error("The progress bar is not labelled with the file's name");
                }
                // Keep every state the row goes through (status text, bar), across the reload.
                const log = [rows[0]];
                sessionStorage.setItem(LOG_KEY, JSON.stringify(log));
                new MutationObserver(() => {
                    const [row] = shown(list);
                    if (row && JSON.stringify(row) !== JSON.stringify(log.at(-1))) {
                        log.push(row);
                        sessionStorage.setItem(LOG_KEY, JSON.stringify(log));
                    }
                }).observe(list, {
                    subtree: true,
                    childList: true,
                    characterData: true,
                    attributes: true,
                });
            },
        },
        {
            content: "Send it",
            trigger: `${CARD} .o_print_add_files button:contains('Add files')`,
            run: "click",
        },
        {
            content: "The page opens again with the file stored on Job 1",
            trigger: `${CARD} .o_print_file a:contains('${NAME}')`,
        },
        {
            content: "The row went waiting, sending, sent (the bar full); the word is still typed",
            trigger: "textarea[name='message']",
            run() {
                const log = JSON.parse(sessionStorage.getItem(LOG_KEY) || "[]");
                sessionStorage.removeItem(LOG_KEY);
                const states = log.map(([status]) => status).filter(
                    (status, index, all) => status !== all[index - 1]
                );
                // The script writes "waiting" again as it starts: the same state.
                if (JSON.stringify(states) !== JSON.stringify(["waiting", "sending", "sent"])) {
                    throw new Error(`The row showed ${JSON.stringify(log)}`);
                }
                // While sending, the bar moved forward, part way, more than once.
                const sending = log.filter(([status]) => status === "sending").map(([, value]) => value);
                const [, , max] = log[0];
                if (
                    sending.length < 2 ||
                    !sending.every((value, index) => value > (sending[index - 1] ?? 0) && value < max)
                ) {
                    throw new Error(`The bar while sending: ${JSON.stringify(sending)} of ${max}`);
                }
                const [, sent] = log.at(-1);
                if (sent !== max) {
                    throw new Error(`The bar once sent reads ${sent} of ${max}`);
                }
                if (this.anchor.value !== WORD) {
                    throw new Error(`The word reads ${JSON.stringify(this.anchor.value)}`);
                }
                if (document.querySelector(".o_print_upload_file")) {
                    throw new Error("The page still lists files to send");
                }
            },
        },
    ],
});
