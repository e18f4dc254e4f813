/** @odoo-module **/
/**
 * The price of a print job while the customer fills its ticket: each change of the ticket's
 * fields asks the server for the price (the backend's own computation, see
 * controllers/portal.py `portal_print_order_price`) and shows it in the form's price block.
 * Nothing is saved: the customer still saves the ticket or adds the job with the form.
 * The block is a form (a new order) or a part of the order page's one form, whose fields
 * are named with a prefix (``data-print-field-prefix``, e.g. ``job_12_copies``).
 */
import publicWidget from "@web/legacy/js/public/public_widget";
import { rpc } from "@web/core/network/rpc";
import { debounce } from "@web/core/utils/timing";

const PRICED_FIELDS = ["product_id", "copies", "color_mode", "sides", "finishing"];

publicWidget.registry.PrintJobPrice = publicWidget.Widget.extend({
    selector: "[data-print-price-url]",
    events: {
        "change select": "_onTicketChange",
        "change input": "_onTicketChange",
        "input input[type='number']": "_onTicketChange",
    },

    start() {
        this._requestCount = 0;
        this._update = debounce(this._update.bind(this), 250);
        // The price follows what the form shows: a block shown with values it was not
        // rendered for (typed before and shown again: see the order page's form) is
        // computed from the form at once, its figures shown as pending meanwhile.
        if (this.el.dataset.printPriceOnStart) {
            this.el.querySelector(".o_print_price_quote")?.classList.add("opacity-50");
            this._update();
        }
        return this._super(...arguments);
    },

    _onTicketChange(ev) {
        if (PRICED_FIELDS.includes(this._fieldName(ev.target))) {
            this._update();
        }
    },

    _fieldName(el) {
        const prefix = this.el.dataset.printFieldPrefix || "";
        const name = el.name || "";
        return name.startsWith(prefix) ? name.slice(prefix.length) : "";
    },

    _ticket() {
        const params = {};
        for (const el of this.el.querySelectorAll("input[name], select[name]")) {
            const name = this._fieldName(el);
            if (PRICED_FIELDS.includes(name)) {
                params[name] = el.value;
            }
        }
        if (this.el.dataset.jobId) {
            params.job_id = this.el.dataset.jobId;
        }
        if (this.el.dataset.accessToken) {
            params.access_token = this.el.dataset.accessToken;
        }
        return params;
    },

    async _update() {
        const request = ++this._requestCount;
        const block = this.el.querySelector(".o_print_price_quote");
        if (!block) {
            return;
        }
        // Copies below 1 (or not a whole number) have no price: say so at once.
        const copies = this._ticket().copies;
        const copiesError = block.querySelector(".o_print_price_copies_error");
        const copiesWrong =
            copies !== undefined && !(/^\s*[0-9]+\s*$/.test(copies) && parseInt(copies, 10) >= 1);
        if (copiesError) {
            copiesError.classList.toggle("d-none", !copiesWrong);
        }
        if (copiesWrong) {
            ++this._requestCount; // an answer on its way is stale
            block.classList.remove("opacity-50");
            block.querySelector(".o_print_price_error").classList.add("d-none");
            block.querySelector(".o_print_price_body").classList.add("d-none");
            return;
        }
        block.classList.add("opacity-50");
        let answer;
        try {
            answer = await rpc(this.el.dataset.printPriceUrl, this._ticket());
        } catch {
            answer = { error: block.dataset.unavailable || "" };
        }
        if (request !== this._requestCount) {
            return; // an older answer: a newer one is on its way
        }
        block.classList.remove("opacity-50");
        this._show(block, answer);
    },

    _show(block, answer) {
        const error = block.querySelector(".o_print_price_error");
        const body = block.querySelector(".o_print_price_body");
        if (answer.error !== undefined) {
            error.textContent = answer.error;
            error.classList.remove("d-none");
            body.classList.add("d-none");
            return;
        }
        error.classList.add("d-none");
        body.classList.remove("d-none");
        const price = answer.price;
        for (const el of block.querySelectorAll("[data-print-price]")) {
            const value = price[el.dataset.printPrice];
            el.textContent = value && typeof value === "object" ? value.text : value;
        }
        for (const el of block.querySelectorAll("[data-print-price-if]")) {
            el.classList.toggle("d-none", !price[el.dataset.printPriceIf]);
        }
        for (const el of block.querySelectorAll("[data-print-price-unless]")) {
            el.classList.toggle("d-none", Boolean(price[el.dataset.printPriceUnless]));
        }
        // "1 copy", "2 copies": the word that goes with the number.
        for (const el of block.querySelectorAll("[data-print-price-one]")) {
            el.classList.toggle("d-none", Number(price[el.dataset.printPriceOne]) !== 1);
        }
        for (const el of block.querySelectorAll("[data-print-price-many]")) {
            el.classList.toggle("d-none", Number(price[el.dataset.printPriceMany]) === 1);
        }
        block.dataset.printPriceUnit = price.unit.value;
        block.dataset.printPriceTotal = price.order_total.value;
    },
});

export default publicWidget.registry.PrintJobPrice;
