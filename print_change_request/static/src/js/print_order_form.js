/** @odoo-module **/
/**
 * The order page's one form (see controllers/portal_order_form.py): the browser warns before
 * the customer leaves the page with changes not saved yet (a ticket field typed, a file
 * chosen), but not when the form itself is posted (any of its buttons saves everything).
 * A page shown again after a refusal holds what the customer typed, not saved: it starts
 * "changed" (``data-print-unsaved``).
 *
 * Files (issue 23): each file input is a drop zone too (dropped files join the input's own
 * files), the chosen files are listed with their size, a progress bar and a status, and a form
 * posted with files goes by XMLHttpRequest so the bars move; then the page it was redirected to
 * opens (at the job worked on).  A refusal (4xx, nothing saved) or no answer: the form is posted
 * again as the browser does, which shows the error page.  Without JavaScript the form posts as
 * before.
 */
import publicWidget from "@web/legacy/js/public/public_widget";
import { _t } from "@web/core/l10n/translation";

/** "1.2 MB", "340 kB", "12 bytes". */
function formatSize(bytes) {
    if (bytes >= 1000 * 1000) {
        return _t("%s MB", (bytes / (1000 * 1000)).toFixed(1));
    }
    if (bytes >= 1000) {
        return _t("%s kB", Math.round(bytes / 1000));
    }
    return _t("%s bytes", bytes);
}

publicWidget.registry.PrintOrderForm = publicWidget.Widget.extend({
    selector: "form.o_print_order_form",
    events: {
        submit: "_onSubmit",
        "change input[type=file]": "_onFileChange",
        "dragenter .o_print_drop_zone": "_onDragOver",
        "dragover .o_print_drop_zone": "_onDragOver",
        "dragleave .o_print_drop_zone": "_onDragLeave",
        "drop .o_print_drop_zone": "_onDrop",
    },

    start() {
        this._initial = this._snapshot();
        this._submitting = false;
        this._onBeforeUnload = this._onBeforeUnload.bind(this);
        window.addEventListener("beforeunload", this._onBeforeUnload);
        this.el.printOrderForm = this; // for the tours: ask it whether leaving warns
        for (const input of this.el.querySelectorAll("input[type=file][name]")) {
            this._makeDropZone(input);
        }
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

    /** The input's box takes dropped files; a list after it shows the chosen files. */
    _makeDropZone(input) {
        const zone = input.parentElement;
        zone.classList.add("o_print_drop_zone");
        const hint = document.createElement("span");
        hint.className = "form-text align-self-center o_print_drop_hint";
        hint.textContent = input.multiple ? _t("or drop files here") : _t("or drop a file here");
        input.after(hint);
        const list = document.createElement("ul");
        list.className = "list-unstyled small mb-2 o_print_upload_list";
        list.setAttribute("aria-live", "polite");
        list.setAttribute("aria-label", _t("Files to send"));
        zone.after(list);
        input.printUploadList = list;
    },

    _onDragOver(ev) {
        ev.preventDefault();
        if (ev.originalEvent && ev.originalEvent.dataTransfer) {
            ev.originalEvent.dataTransfer.dropEffect = "copy";
        }
        ev.currentTarget.classList.add("o_print_drop_active");
    },

    _onDragLeave(ev) {
        ev.currentTarget.classList.remove("o_print_drop_active");
    },

    /** The dropped files join the input's own (one only for an input of one file). */
    _onDrop(ev) {
        ev.preventDefault();
        const zone = ev.currentTarget;
        zone.classList.remove("o_print_drop_active");
        const input = zone.querySelector("input[type=file]");
        const dropped = ev.originalEvent.dataTransfer && ev.originalEvent.dataTransfer.files;
        if (!input || !dropped || !dropped.length) {
            return;
        }
        const transfer = new DataTransfer();
        const files = input.multiple ? [...input.files, ...dropped] : [dropped[0]];
        for (const file of files) {
            transfer.items.add(file);
        }
        input.files = transfer.files;
        input.dispatchEvent(new Event("change", { bubbles: true }));
    },

    _onFileChange(ev) {
        this._renderFileList(ev.target);
    },

    /** One row per chosen file: name, size, a labelled progress bar, the status. */
    _renderFileList(input) {
        const list = input.printUploadList;
        if (!list) {
            return;
        }
        list.replaceChildren();
        input.printUploadRows = [];
        for (const file of input.files) {
            const row = document.createElement("li");
            row.className = "d-flex flex-wrap align-items-center gap-2 o_print_upload_file";
            const name = document.createElement("span");
            name.className = "text-break o_print_upload_name";
            name.textContent = file.name;
            const size = document.createElement("span");
            size.className = "text-muted";
            size.textContent = formatSize(file.size);
            const progress = document.createElement("progress");
            progress.max = Math.max(file.size, 1);
            progress.value = 0;
            progress.setAttribute("aria-label", _t("Upload of %s", file.name));
            const status = document.createElement("span");
            status.className = "o_print_upload_status";
            status.textContent = _t("waiting");
            row.append(name, size, progress, status);
            list.append(row);
            input.printUploadRows.push({ file, progress, status, state: "waiting" });
        }
    },

    /** The rows of every chosen file, in the order FormData sends them (the form's order). */
    _uploadRows() {
        const rows = [];
        for (const input of this.el.querySelectorAll("input[type=file][name]")) {
            if (!input.disabled && input.files.length) {
                if (!input.printUploadRows || input.printUploadRows.length !== input.files.length) {
                    this._renderFileList(input);
                }
                rows.push(...(input.printUploadRows || []));
            }
        }
        return rows;
    },

    /** ``sent`` bytes of the files sent so far: each file's bar and status follow. */
    _showProgress(rows, sent) {
        let start = 0;
        for (const row of rows) {
            const end = start + row.file.size;
            const state = sent >= end ? "sent" : sent > start ? "sending" : "waiting";
            row.progress.value = Math.min(Math.max(sent - start, 0), row.file.size);
            if (state === "sent") {
                row.progress.value = row.progress.max;
            }
            if (state !== row.state) {
                row.state = state;
                row.status.textContent = state === "sent" ? _t("sent") : state === "sending" ? _t("sending") : _t("waiting");
            }
            start = end;
        }
    },

    _onSubmit(ev) {
        if (this._sending) {
            ev.preventDefault(); // one post at a time
            return;
        }
        this._submitting = true;
        const submitter = ev.originalEvent && ev.originalEvent.submitter;
        const action = submitter && submitter.name === "do" ? submitter.value : "save";
        // "Add the job" opens the page at the new job, which only the server knows: posted
        // as the browser does.
        const rows = this._plainSubmit || action === "add_job" ? [] : this._uploadRows();
        if (!rows.length || !window.XMLHttpRequest || !window.FormData) {
            return;
        }
        ev.preventDefault();
        this._sendWithProgress(submitter, action, rows);
    },

    _sendWithProgress(submitter, action, rows) {
        const data = new FormData(this.el);
        if (submitter && submitter.name) {
            data.append(submitter.name, submitter.value);
        }
        const total = rows.reduce((sum, row) => sum + row.file.size, 0);
        // The page opens again at the job worked on, as the server's redirect says (XHR
        // does not see the redirect's #anchor).
        const [verb, jobId] = action.split(":");
        const anchor = (verb === "save" || verb === "remove") && jobId ? `#job-${jobId}` : "";
        const xhr = new XMLHttpRequest();
        xhr.open("POST", this.el.action);
        xhr.upload.onprogress = (ev) => {
            if (ev.lengthComputable && ev.total) {
                this._showProgress(rows, (ev.loaded / ev.total) * total);
            }
        };
        xhr.upload.onload = () => this._showProgress(rows, total);
        xhr.setRequestHeader("X-Print-Upload", "1"); // answer the redirect as JSON
        xhr.onload = () => {
            let location = null;
            if (xhr.status === 200 && (xhr.getResponseHeader("Content-Type") || "").includes("json")) {
                try {
                    location = JSON.parse(xhr.responseText).location;
                } catch {
                    location = null;
                }
            }
            if (location) {
                const url = new URL(location.includes("#") ? location : location + anchor, window.location.href);
                const samePage = url.href.split("#")[0] === window.location.href.split("#")[0];
                window.location.assign(url.href);
                if (samePage && url.hash) {
                    window.location.reload(); // only the #anchor changed: load the page again
                }
                return;
            }
            // A refusal (the page with the error and what was typed, 4xx): the server saved
            // nothing (one savepoint), so the form is posted again as the browser does and the
            // browser shows that page itself, scripts and all (written into this document, an
            // Odoo page would start its assets twice).
            this._postAsBrowser(submitter);
        };
        // No answer (the network): post as the browser does, with the same button.
        xhr.onerror = () => this._postAsBrowser(submitter);
        this._sending = true;
        for (const row of rows) {
            row.status.textContent = _t("waiting");
        }
        xhr.send(data);
    },

    _postAsBrowser(submitter) {
        this._sending = false;
        this._plainSubmit = true;
        this.el.requestSubmit(submitter || undefined);
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
