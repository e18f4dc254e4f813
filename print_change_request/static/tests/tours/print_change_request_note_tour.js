/** @odoo-module **/
/* The Request for change dialog's note is a text area (issue 23, item 13): the operator types a
 * note of two lines for a file; once sent, the e-mail in the order's chatter and the request's
 * "Files to change" show it on two lines.  What is shown is read as rendered (innerText): a line
 * break the page does not show reads as a space. */

import { registry } from "@web/core/registry";

const ORDER = "TOUR/CR-NOTE";
const FILE = "job1-file2.pdf";
const LINE = `.modal .o_field_one2many[name='line_ids'] .o_data_row:contains('${FILE}')`;
const NOTE = "Embed the fonts of page 2.\nThe cover's fonts too.";

/** Throw unless ``element`` is rendered with the note's two lines, one under the other. */
function assertShownOnTwoLines(element, where) {
    const shown = element.innerText;
    if (!shown.includes(NOTE)) {
        throw new Error(`${where} shows ${JSON.stringify(shown)}, not the note on two lines`);
    }
}

registry.category("web_tour.tours").add("print_change_request_note_tour", {
    steps: () => [
        {
            content: "Request for change",
            trigger: `.o_form_view:has(.oe_title:contains('${ORDER}')) .o_statusbar_buttons button[name='action_request_change']`,
            run: "click",
        },
        {
            content: "The dialog opens",
            trigger: `.modal .modal-title:contains('Send a change request for ${ORDER}')`,
        },
        {
            content: "Tick the file the customer must change",
            trigger: `${LINE} td[name='to_change'] input`,
            run: "check",
        },
        {
            content: "Edit the line",
            trigger: `${LINE} td[name='reason_id']`,
            run: "click",
        },
        {
            content: "Give the reason",
            trigger: `${LINE}.o_selected_row td[name='reason_id'] input`,
            run: "edit Missing",
        },
        {
            trigger: ".modal .o-autocomplete--dropdown-menu .dropdown-item:contains('Missing fonts')",
            run: "click",
        },
        {
            content: "Say what to fix, on two lines (Enter in the text area)",
            trigger: `${LINE}.o_selected_row td[name='note'] textarea`,
            async run(helpers) {
                await helpers.edit(NOTE);
                if (this.anchor.value !== NOTE) {
                    throw new Error(`The note reads ${JSON.stringify(this.anchor.value)}`);
                }
            },
        },
        {
            content: "The reason is set",
            trigger: `${LINE} td[name='reason_id'] input:value('Missing fonts')`,
        },
        {
            content: "OK",
            trigger: ".modal .modal-footer button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The e-mail in the chatter shows the note on two lines",
            trigger: ".o-mail-Chatter .o-mail-Message:contains('What to change, job by job') .o-mail-Message-body",
            run() {
                assertShownOnTwoLines(this.anchor, "The e-mail in the chatter");
            },
        },
        {
            content: "Open the request",
            trigger: ".o_form_view .o-form-buttonbox button[name='action_view_change_requests']",
            run: "click",
        },
        {
            trigger: `.o_list_view .o_data_row:contains('${ORDER}') td.o_data_cell`,
            run: "click",
        },
        {
            content: "Its files to change show the note on two lines",
            trigger: `.o_form_view .o_field_one2many[name='file_item_ids'] .o_data_row:contains('${FILE}') td[name='note']`,
            run() {
                assertShownOnTwoLines(this.anchor, "The request's files to change");
            },
        },
    ],
});
