/** @odoo-module **/
/* The customer's side of the loop (issue 7): from the e-mail's link, replace the flagged PDF,
 * change the copies, send the changes, pay with the test provider, and see the order
 * "Job is changed" and paid.  Then the operator's list shows it. */

import { registry } from "@web/core/registry";

const ORDER = "TOUR/PORTAL";
// A small readable PDF (made with reportlab), uploaded as the customer's new file.
const PDF_BASE64 = "JVBERi0xLjMKJZOMi54gUmVwb3J0TGFiIEdlbmVyYXRlZCBQREYgZG9jdW1lbnQgaHR0cDovL3d3dy5yZXBvcnRsYWIuY29tCjEgMCBvYmoKPDwKL0YxIDIgMCBSCj4+CmVuZG9iagoyIDAgb2JqCjw8Ci9CYXNlRm9udCAvSGVsdmV0aWNhIC9FbmNvZGluZyAvV2luQW5zaUVuY29kaW5nIC9OYW1lIC9GMSAvU3VidHlwZSAvVHlwZTEgL1R5cGUgL0ZvbnQKPj4KZW5kb2JqCjMgMCBvYmoKPDwKL0NvbnRlbnRzIDcgMCBSIC9NZWRpYUJveCBbIDAgMCA1OTUuMjc1NiA4NDEuODg5OCBdIC9QYXJlbnQgNiAwIFIgL1Jlc291cmNlcyA8PAovRm9udCAxIDAgUiAvUHJvY1NldCBbIC9QREYgL1RleHQgL0ltYWdlQiAvSW1hZ2VDIC9JbWFnZUkgXQo+PiAvUm90YXRlIDAgL1RyYW5zIDw8Cgo+PiAKICAvVHlwZSAvUGFnZQo+PgplbmRvYmoKNCAwIG9iago8PAovUGFnZU1vZGUgL1VzZU5vbmUgL1BhZ2VzIDYgMCBSIC9UeXBlIC9DYXRhbG9nCj4+CmVuZG9iago1IDAgb2JqCjw8Ci9BdXRob3IgKGFub255bW91cykgL0NyZWF0aW9uRGF0ZSAoRDoyMDAwMDEwMTAwMDAwMCswMCcwMCcpIC9DcmVhdG9yIChSZXBvcnRMYWIgUERGIExpYnJhcnkgLSB3d3cucmVwb3J0bGFiLmNvbSkgL0tleXdvcmRzICgpIC9Nb2REYXRlIChEOjIwMDAwMTAxMDAwMDAwKzAwJzAwJykgL1Byb2R1Y2VyIChSZXBvcnRMYWIgUERGIExpYnJhcnkgLSB3d3cucmVwb3J0bGFiLmNvbSkgCiAgL1N1YmplY3QgKHVuc3BlY2lmaWVkKSAvVGl0bGUgKHVudGl0bGVkKSAvVHJhcHBlZCAvRmFsc2UKPj4KZW5kb2JqCjYgMCBvYmoKPDwKL0NvdW50IDEgL0tpZHMgWyAzIDAgUiBdIC9UeXBlIC9QYWdlcwo+PgplbmRvYmoKNyAwIG9iago8PAovTGVuZ3RoIDkwCj4+CnN0cmVhbQoxIDAgMCAxIDAgMCBjbSAgQlQgL0YxIDEyIFRmIDE0LjQgVEwgRVQKQlQgMSAwIDAgMSAxMDAgNzUwIFRtIChGb250cyBlbWJlZGRlZCkgVGogVCogRVQKIAplbmRzdHJlYW0KZW5kb2JqCnhyZWYKMCA4CjAwMDAwMDAwMDAgNjU1MzUgZiAKMDAwMDAwMDA3MyAwMDAwMCBuIAowMDAwMDAwMTA0IDAwMDAwIG4gCjAwMDAwMDAyMTEgMDAwMDAgbiAKMDAwMDAwMDQxNCAwMDAwMCBuIAowMDAwMDAwNDgyIDAwMDAwIG4gCjAwMDAwMDA3NzggMDAwMDAgbiAKMDAwMDAwMDgzNyAwMDAwMCBuIAp0cmFpbGVyCjw8Ci9JRCAKWzwxYzE3ODE5OGZiZGZhNTFiMjU5OTVkODlkNDEwMjA0Mz48MWMxNzgxOThmYmRmYTUxYjI1OTk1ZDg5ZDQxMDIwNDM+XQolIFJlcG9ydExhYiBnZW5lcmF0ZWQgUERGIGRvY3VtZW50IC0tIGRpZ2VzdCAoaHR0cDovL3d3dy5yZXBvcnRsYWIuY29tKQoKL0luZm8gNSAwIFIKL1Jvb3QgNCAwIFIKL1NpemUgOAo+PgpzdGFydHhyZWYKOTc2CiUlRU9GCg==";

function choosePdf(input, name) {
    const bytes = Uint8Array.from(atob(PDF_BASE64), (char) => char.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], name, { type: "application/pdf" }));
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
}

registry.category("web_tour.tours").add("print_change_request_portal_tour", {
    steps: () => [
        {
            content: "The e-mail's link opens the order, waiting for the customer's changes",
            trigger: "#print_order_state:contains('Waiting for your changes')",
        },
        {
            content: "It says what must change and why",
            trigger: "#print_order_file_changes:contains('job1-file1.pdf'):contains('Missing fonts')",
        },
        {
            content: "Choose the new PDF for the flagged file",
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
            content: "The file is replaced",
            trigger: "#print_order_notice:contains('Your file is uploaded')",
        },
        {
            trigger: "#print_order_history:contains('job1-file1.pdf → fonts-embedded.pdf')",
        },
        {
            content: "Change the copies of job 2",
            trigger: ".o_print_job_card:contains('Job 2') input[name$='_copies']",
            run: "edit 3",
        },
        {
            content: "Save the job ticket",
            trigger: ".o_print_job_card:contains('Job 2') .o_print_ticket button[type='submit']",
            run: "click",
        },
        {
            content: "The ticket is changed",
            trigger: "#print_order_notice:contains('The job ticket is changed')",
        },
        {
            content: "Write a word to the shop",
            trigger: "#print_order_submit_message",
            run: "edit Fonts are embedded now.",
        },
        {
            content: "Send the changes",
            trigger: "#print_order_submit button[type='submit']",
            run: "click",
        },
        {
            content: "The changes are received: Job is changed",
            trigger: "#print_order_notice:contains('We received your changes')",
        },
        {
            trigger: "#print_order_state:contains('Job is changed')",
        },
        {
            content: "Pay what is due with the test provider",
            trigger: "#print_order_payment input[name='o_payment_radio'][data-payment-method-code='demo']",
            run: "click",
        },
        {
            content: "Card number",
            trigger: "#print_order_payment input[name='customer_input']",
            run: "edit 4242424242424242",
        },
        {
            content: "Pay",
            trigger: "#print_order_payment button[name='o_payment_submit_button']:not(:disabled)",
            run: "click",
        },
        {
            content: "Back on the order: paid, and Job is changed",
            trigger: "#print_order_paid:contains('Job is paid')",
            timeout: 20000,
        },
        {
            trigger: "#print_order_state:contains('Job is changed')",
        },
    ],
});

registry.category("web_tour.tours").add("print_change_request_portal_operator_tour", {
    url: "/odoo/action-print_change_request.print_order_action",
    steps: () => [
        {
            content: "The operator's list shows the order changed by the customer (violet), and paid",
            trigger: `.o_list_view .o_data_row:contains('${ORDER}') td[name='communication_state'] .badge:contains('Job is changed')`,
        },
        {
            trigger: `.o_list_view .o_data_row:contains('${ORDER}') td[name='is_paid'] input:checked`,
        },
        {
            content: "Open it: the customer's changes are on the order",
            trigger: `.o_list_view .o_data_row td[name='name']:contains('${ORDER}')`,
            run: "click",
        },
        {
            trigger: ".o_notebook a:contains(\"Customer's changes\")",
            run: "click",
        },
        {
            trigger: ".o_field_one2many[name='job_change_ids'] .o_data_row:contains('fonts-embedded.pdf')",
        },
    ],
});
