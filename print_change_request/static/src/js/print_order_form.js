/** @odoo-module **/
/**
 * The order page's one form (see controllers/portal_order_form.py): the browser warns before
 * the customer leaves the page with changes not saved yet (a ticket field typed, a file
 * chosen), but not when the form itself is posted (any of its buttons saves everything).
 * A page shown again after a refusal holds what the customer typed, not saved: it starts
 * "changed" (``data-print-unsaved``).
 */
import publicWidget from "@web/legacy/js/public/public_widget";

publicWidget.registry.PrintOrderForm = publicWidget.Widget.extend({
    selector: "form.o_print_order_form",
    events: {
        submit: "_onSubmit",
    },

    start() {
        this._initial = this._snapshot();
        this._submitting = false;
        this._onBeforeUnload = this._onBeforeUnload.bind(this);
        window.addEventListener("beforeunload", this._onBeforeUnload);
        this.el.printOrderForm = this; // for the tours: ask it whether leaving warns
        return this._super(...arguments);
    },

    destroy() {
        window.removeEventListener("beforeunload", this._onBeforeUnload);
        this._super(...arguments);
    },

    /** The form's values as the customer sees them, files by their names. */
    _snapshot() {
        const parts = [];
        for (const el of this.el.querySelectorAll("input[name], select[name], textarea[name]")) {
            if (el.name === "csrf_token") {
                continue;
            }
            if (el.type === "file") {
                parts.push([el.name, [...el.files].map((file) => file.name).join("|")]);
            } else if (el.type === "checkbox" || el.type === "radio") {
                parts.push([el.name, el.checked]);
            } else {
                parts.push([el.name, el.value]);
            }
        }
        return JSON.stringify(parts);
    },

    isDirty() {
        return Boolean(this.el.dataset.printUnsaved) || this._snapshot() !== this._initial;
    },

    _onSubmit() {
        this._submitting = true;
    },

    _onBeforeUnload(ev) {
        if (this._submitting || !this.isDirty()) {
            return;
        }
        ev.preventDefault();
        ev.returnValue = "";
    },
});

export default publicWidget.registry.PrintOrderForm;
