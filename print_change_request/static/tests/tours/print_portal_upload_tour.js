/** @odoo-module **/
/* Upload that shows how it goes (issue 23): two PDFs dropped on Job 1's files are listed with a
 * progress bar each, "Add files" sends them with the bars moving, and the page opens again with
 * both files on the job. */

import { registry } from "@web/core/registry";
import { pdfFile } from "@print_change_request/../tests/tours/print_tour_files";

const ZONE = ".o_print_job_card:contains('Job 1') .o_print_add_files.o_print_drop_zone";

registry.category("web_tour.tours").add("print_change_request_portal_upload_tour", {
    steps: () => [
        {
            trigger: "#print_order_state:contains('Waiting for your changes')",
        },
        {
            content: "Type job 1's copies: what is typed survives the upload",
            trigger: ".o_print_job_card:contains('Job 1') input[name$='_copies']",
            run: "edit 12",
        },
        {
            content: "Drop two PDFs on Job 1's files",
            trigger: ZONE,
            run() {
                const transfer = new DataTransfer();
                transfer.items.add(pdfFile("dropped-one.pdf"));
                transfer.items.add(pdfFile("dropped-two.pdf"));
                for (const type of ["dragenter", "dragover", "drop"]) {
                    this.anchor.dispatchEvent(
                        new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true })
                    );
                }
                const input = this.anchor.querySelector("input[type=file]");
                const names = [...input.files].map((file) => file.name).join(",");
                if (names !== "dropped-one.pdf,dropped-two.pdf") {
                    throw new Error(`The input holds "${names}", not the two dropped files`);
                }
            },
        },
        {
            content: "Both files are listed, each with a labelled progress bar, waiting",
            trigger: ".o_print_job_card:contains('Job 1') .o_print_upload_list[aria-live]",
            run() {
                const rows = [...this.anchor.querySelectorAll(".o_print_upload_file")];
                const seen = rows.map((row) => [
                    row.querySelector(".o_print_upload_name").textContent,
                    Boolean(row.querySelector("progress[aria-label*='dropped-']")),
                    row.querySelector(".o_print_upload_status").textContent,
                ]);
                const expected = [
                    ["dropped-one.pdf", true, "waiting"],
                    ["dropped-two.pdf", true, "waiting"],
                ];
                if (JSON.stringify(seen) !== JSON.stringify(expected)) {
                    throw new Error(`The list shows ${JSON.stringify(seen)}`);
                }
            },
        },
        {
            content: "Send them",
            trigger: ".o_print_job_card:contains('Job 1') .o_print_add_files button:contains('Add files')",
            run: "click",
        },
        {
            content: "The page opens again with both files stored on Job 1",
            trigger: ".o_print_job_card:contains('Job 1') .o_print_file a:contains('dropped-one.pdf')",
        },
        {
            trigger: ".o_print_job_card:contains('Job 1') .o_print_file a:contains('dropped-two.pdf')",
        },
        {
            content: "At Job 1, with the copies typed before the upload",
            trigger: ".o_print_job_card:contains('Job 1') input[name$='_copies']",
            run() {
                const card = this.anchor.closest(".o_print_job_card");
                if (window.location.hash !== `#${card.id}`) {
                    throw new Error(`The page opened at "${window.location.hash}", not at #${card.id}`);
                }
                if (this.anchor.value !== "12") {
                    throw new Error(`Job 1's copies read ${this.anchor.value}, not 12`);
                }
                if (document.querySelector(".o_print_upload_file")) {
                    throw new Error("The page still lists files to send");
                }
            },
        },
    ],
});
