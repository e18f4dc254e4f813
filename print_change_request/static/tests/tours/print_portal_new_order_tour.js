/** @odoo-module **/
/* A customer orders in the portal (issue 10): from the print orders list, New print order, two
 * jobs each with a PDF uploaded through the page's form, the automatic check's warnings seen
 * before submitting, submit, pay with the test provider.  Then an operator's list shows the new
 * order as New with its preflight badge. */

import { registry } from "@web/core/registry";

// A small readable PDF (made with reportlab; its Helvetica is not embedded: a warning).
const PDF_BASE64 = "JVBERi0xLjMKJZOMi54gUmVwb3J0TGFiIEdlbmVyYXRlZCBQREYgZG9jdW1lbnQgaHR0cDovL3d3dy5yZXBvcnRsYWIuY29tCjEgMCBvYmoKPDwKL0YxIDIgMCBSCj4+CmVuZG9iagoyIDAgb2JqCjw8Ci9CYXNlRm9udCAvSGVsdmV0aWNhIC9FbmNvZGluZyAvV2luQW5zaUVuY29kaW5nIC9OYW1lIC9GMSAvU3VidHlwZSAvVHlwZTEgL1R5cGUgL0ZvbnQKPj4KZW5kb2JqCjMgMCBvYmoKPDwKL0NvbnRlbnRzIDcgMCBSIC9NZWRpYUJveCBbIDAgMCA1OTUuMjc1NiA4NDEuODg5OCBdIC9QYXJlbnQgNiAwIFIgL1Jlc291cmNlcyA8PAovRm9udCAxIDAgUiAvUHJvY1NldCBbIC9QREYgL1RleHQgL0ltYWdlQiAvSW1hZ2VDIC9JbWFnZUkgXQo+PiAvUm90YXRlIDAgL1RyYW5zIDw8Cgo+PiAKICAvVHlwZSAvUGFnZQo+PgplbmRvYmoKNCAwIG9iago8PAovUGFnZU1vZGUgL1VzZU5vbmUgL1BhZ2VzIDYgMCBSIC9UeXBlIC9DYXRhbG9nCj4+CmVuZG9iago1IDAgb2JqCjw8Ci9BdXRob3IgKGFub255bW91cykgL0NyZWF0aW9uRGF0ZSAoRDoyMDAwMDEwMTAwMDAwMCswMCcwMCcpIC9DcmVhdG9yIChSZXBvcnRMYWIgUERGIExpYnJhcnkgLSB3d3cucmVwb3J0bGFiLmNvbSkgL0tleXdvcmRzICgpIC9Nb2REYXRlIChEOjIwMDAwMTAxMDAwMDAwKzAwJzAwJykgL1Byb2R1Y2VyIChSZXBvcnRMYWIgUERGIExpYnJhcnkgLSB3d3cucmVwb3J0bGFiLmNvbSkgCiAgL1N1YmplY3QgKHVuc3BlY2lmaWVkKSAvVGl0bGUgKHVudGl0bGVkKSAvVHJhcHBlZCAvRmFsc2UKPj4KZW5kb2JqCjYgMCBvYmoKPDwKL0NvdW50IDEgL0tpZHMgWyAzIDAgUiBdIC9UeXBlIC9QYWdlcwo+PgplbmRvYmoKNyAwIG9iago8PAovTGVuZ3RoIDkwCj4+CnN0cmVhbQoxIDAgMCAxIDAgMCBjbSAgQlQgL0YxIDEyIFRmIDE0LjQgVEwgRVQKQlQgMSAwIDAgMSAxMDAgNzUwIFRtIChGb250cyBlbWJlZGRlZCkgVGogVCogRVQKIAplbmRzdHJlYW0KZW5kb2JqCnhyZWYKMCA4CjAwMDAwMDAwMDAgNjU1MzUgZiAKMDAwMDAwMDA3MyAwMDAwMCBuIAowMDAwMDAwMTA0IDAwMDAwIG4gCjAwMDAwMDAyMTEgMDAwMDAgbiAKMDAwMDAwMDQxNCAwMDAwMCBuIAowMDAwMDAwNDgyIDAwMDAwIG4gCjAwMDAwMDA3NzggMDAwMDAgbiAKMDAwMDAwMDgzNyAwMDAwMCBuIAp0cmFpbGVyCjw8Ci9JRCAKWzwxYzE3ODE5OGZiZGZhNTFiMjU5OTVkODlkNDEwMjA0Mz48MWMxNzgxOThmYmRmYTUxYjI1OTk1ZDg5ZDQxMDIwNDM+XQolIFJlcG9ydExhYiBnZW5lcmF0ZWQgUERGIGRvY3VtZW50IC0tIGRpZ2VzdCAoaHR0cDovL3d3dy5yZXBvcnRsYWIuY29tKQoKL0luZm8gNSAwIFIKL1Jvb3QgNCAwIFIKL1NpemUgOAo+PgpzdGFydHhyZWYKOTc2CiUlRU9GCg==";

function choosePdf(input, name) {
    const bytes = Uint8Array.from(atob(PDF_BASE64), (char) => char.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], name, { type: "application/pdf" }));
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
}

function uploadSteps(job, fileName) {
    return [
        {
            content: `Choose the PDF of ${job}`,
            trigger: `.o_print_job_card:contains('${job}') .o_print_add_files input[type='file']`,
            run() {
                choosePdf(this.anchor, fileName);
            },
        },
        {
            content: "Send it",
            trigger: `.o_print_job_card:contains('${job}') .o_print_add_files button[type='submit']`,
            run: "click",
        },
        {
            content: "The file is uploaded and checked",
            trigger: "#print_order_notice:contains('Your file is uploaded')",
        },
        {
            content: "Its warnings are shown with the file",
            trigger: `.o_print_job_card:contains('${job}') .o_print_file:contains('${fileName}') .o_print_file_finding:contains('Fonts not embedded')`,
        },
    ];
}

registry.category("web_tour.tours").add("print_change_request_portal_new_order_tour", {
    url: "/my/print_orders",
    steps: () => [
        {
            content: "Start a new print order from the list",
            trigger: "a#print_order_new_button",
            run: "click",
        },
        {
            content: "Name the first job",
            trigger: "#print_order_new_form input[name='name']",
            run: "edit Flyer A5",
        },
        {
            trigger: "#print_order_new_form input[name='copies']",
            run: "edit 2",
        },
        {
            trigger: "#print_order_new_form select[name='color_mode']",
            run: "select bw",
        },
        {
            content: "Start the order",
            trigger: "#print_order_new_form button[type='submit']",
            run: "click",
        },
        {
            content: "The draft's page: the first job, waiting for its files",
            trigger: ".o_print_job_card:contains('Flyer A5')",
        },
        ...uploadSteps("Flyer A5", "flyer.pdf"),
        {
            content: "Add a second job",
            trigger: "#print_order_add_job input[name='new_job_name']",
            run: "edit Poster A3",
        },
        {
            trigger: "#print_order_add_job button[type='submit']",
            run: "click",
        },
        {
            content: "The job is added",
            trigger: "#print_order_notice:contains('The job was added')",
        },
        ...uploadSteps("Poster A3", "poster.pdf"),
        {
            content: "Before submitting, the warnings of both files are listed",
            trigger: "#print_order_preflight_warnings:contains('Flyer A5 / flyer.pdf'):contains('Poster A3 / poster.pdf')",
        },
        {
            content: "Submit the order",
            trigger: "#print_order_submit button[type='submit']:contains('Submit my order')",
            run: "click",
        },
        {
            content: "Submitted: the shop asks to pay now",
            trigger: "#print_order_notice:contains('Please pay it now')",
        },
        {
            trigger: "#print_order_state:contains('Received')",
        },
        {
            content: "Pay with the test provider",
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
            content: "Back on the order: Job is paid",
            trigger: "#print_order_paid:contains('Job is paid')",
            timeout: 20000,
        },
        {
            trigger: "#print_order_state:contains('Received')",
        },
    ],
});

registry.category("web_tour.tours").add("print_change_request_portal_new_order_operator_tour", {
    url: "/odoo/action-print_change_request.print_order_action",
    steps: () => [
        {
            content: "The operator's list shows the customer's new order as New, with its preflight badge",
            trigger: ".o_list_view .o_data_row:contains('Paula Print'):has(td[name='communication_state'] .badge:contains('New')) td[name='preflight_state'] .badge:contains('Preflight warnings')",
        },
        {
            content: "and paid",
            trigger: ".o_list_view .o_data_row:contains('Paula Print'):has(td[name='communication_state'] .badge:contains('New')) td[name='is_paid'] input:checked",
        },
        {
            content: "Open it",
            trigger: ".o_list_view .o_data_row:contains('Paula Print'):has(td[name='communication_state'] .badge:contains('New')) td[name='partner_id']",
            run: "click",
        },
        {
            content: "Its two jobs",
            trigger: ".o_field_one2many[name='job_ids'] .o_data_row:contains('Poster A3')",
        },
        {
            trigger: ".o_field_one2many[name='job_ids'] .o_data_row:contains('Flyer A5')",
        },
    ],
});
