import re

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from ..lib import portal_form_draft
from ..models.print_job import TICKET_FIELDS
from .portal import _upload_body_limit, read_ticket_fields
from .portal_new_order import PrintOrderNewPortal

#: The order page's one form (``/my/print_orders/<id>/save``) names each job's fields
#: ``job_<job id>_<field>``: its ticket fields, ``files`` (files to add) and
#: ``replace_<attachment id>`` (the file replacing that one).
JOB_FIELD = re.compile(r"^job_(\d+)_(.+)$")
REPLACE_FIELD = re.compile(r"^replace_(\d+)$")
#: The fields of the draft's "Add a job", named ``new_job_<field>``.
NEW_JOB_PREFIX = portal_form_draft.NEW_JOB_PREFIX


class PrintOrderFormPortal(PrintOrderNewPortal):
    """One form for everything the customer changes on the order page (a draft, or an order
    waiting for their changes): every job's ticket and files, the job to add, the message and
    the submit button.  Whatever button is clicked (save, replace, add files, remove a file,
    add a job, send), the route saves everything the form holds, together and under the
    order's lock, then does what the button asks; nothing typed elsewhere on the page is lost:
    what no button saves (the word for the print shop, the job being added) is kept on the
    order until sent (``print.order._keep_portal_form_draft``) and shown again.  A file
    refused by its content is refused alone and named with why, the rest is saved; any other
    refusal changes nothing and shows the page again with what the customer typed.

    The former single-purpose routes (``.../ticket``, ``.../files``, ``.../remove``,
    ``.../jobs``, ``.../submit``) stay as they were for scripts that post to them."""

    def _prepare_print_order_values(self, order_sudo, access_token):
        values = super()._prepare_print_order_values(order_sudo, access_token)
        posted = self._get_posted_form()
        # What the page shows in its fields: what was posted when it answers a refusal (not
        # saved: leaving the page warns), else what the customer typed and has not sent.
        values["posted_form"] = posted or order_sudo.portal_form_draft or {}
        values["form_unsaved"] = bool(posted)
        values["new_job_price_on_start"] = portal_form_draft.new_job_priced(values["posted_form"])
        values["refused_files"] = (values["can_change"] and order_sudo.portal_refused_files) or []
        values["is_paid_at_submission"] = bool(
            order_sudo.portal_draft and order_sudo._is_paid_at_portal_submission()
        )
        return values

    @staticmethod
    def _get_posted_form():
        """What the customer typed, when the page answers a refused post of its form (shown
        again as typed instead of the saved values); else an empty dict."""
        httprequest = request.httprequest
        if httprequest.method != "POST" or not httprequest.path.endswith("/save"):
            return {}
        return {
            key: value
            for key, value in request.params.items()
            if isinstance(value, str)
            and (JOB_FIELD.match(key) or key.startswith(NEW_JOB_PREFIX) or key == "message")
        }

    @staticmethod
    def _read_form_files():
        """The files of the form, by job id: ``{job_id: {"add": [(name, bytes)],
        "replace": {attachment_id: (name, bytes)}}}``, empty file inputs left out; each file
        read up to one byte beyond the upload limit (the limit's check names it)."""
        limit = request.env["print.job"]._get_max_upload_size() + 1
        result = {}
        files = request.httprequest.files
        for key in files:
            match = JOB_FIELD.match(key)
            if not match:
                continue
            job_id, field = int(match.group(1)), match.group(2)
            replace = REPLACE_FIELD.match(field)
            if field != "files" and not replace:
                continue
            for storage in files.getlist(key):
                data = storage.stream.read(limit)
                if not storage.filename and not data:
                    continue  # an empty file input
                upload = (storage.filename or "", data)
                entry = result.setdefault(job_id, {"add": [], "replace": {}})
                if replace:
                    entry["replace"][int(replace.group(1))] = upload
                else:
                    entry["add"].append(upload)
        return result

    @staticmethod
    def _read_form_tickets(params):
        """The ticket fields of the form, by job id: ``{job_id: {field: string}}``."""
        tickets = {}
        for key, value in params.items():
            match = JOB_FIELD.match(key)
            if match and match.group(2) in TICKET_FIELDS and isinstance(value, str):
                tickets.setdefault(int(match.group(1)), {})[match.group(2)] = value
        return tickets

    @staticmethod
    def _refused_files_message(refused):
        """The refusal of a post whose every file was refused, and nothing else done: each
        file with its job and why (``refused``, as ``_keep_portal_form_draft`` takes it)."""
        return "\n".join(
            request.env._("%(job)s / %(message)s", job=item["job"], message=item["message"])
            for item in refused
        )

    @http.route(
        ["/my/print_orders/<int:order_id>/save"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        max_content_length=_upload_body_limit,
    )
    def portal_print_order_save(self, order_id, access_token=None, do="save", **kwargs):
        """Save the order page's form (every job's ticket and chosen files), then do what the
        clicked button says: ``save[:<job id>]``, ``remove:<job id>:<attachment id>``,
        ``add_job`` or ``submit``.  Answer with the page at the job the customer worked on."""
        do = do if isinstance(do, str) else "save"
        action, _sep, argument = do.partition(":")
        if action == "submit":
            already = self._answer_submitted_again(order_id, access_token)
            if already:
                return already
        params = dict(kwargs)
        tickets = self._read_form_tickets(params)
        uploads = self._read_form_files()
        result = {}

        def save(order_sudo, requests, _job, author):
            # The shop's files per upload bound the whole form, all jobs together: refused
            # before anything is read or stored.
            order_sudo.job_ids._check_upload_file_cap(
                sum(len(files["add"]) + len(files["replace"]) for files in uploads.values())
            )
            editable = order_sudo._get_portal_editable_jobs(requests)
            by_id = {job.id: job for job in order_sudo.job_ids}
            for job_id in set(tickets) | set(uploads):
                if job_id not in by_id:
                    raise request.not_found()
                by_id[job_id]._check_portal_may_change(editable)
            kinds = set()
            refused = []  # the files refused by their content: [{job, file, message}]

            def add_good_files(job, uploads, replaces=None):
                changes, refusals = job._add_good_files(
                    uploads,
                    replaces=replaces,
                    request=self._request_of(requests, job),
                    author=author,
                )
                refused.extend(
                    {"job": job.name, "file": name, "message": message}
                    for name, message in refusals
                )
                if changes:
                    kinds.add("uploaded")

            # Every ticket first (all checked before any is written), then the files.
            parsed = {
                job_id: by_id[job_id]._parse_ticket_values(raw) for job_id, raw in tickets.items()
            }
            for job_id, values in parsed.items():
                job = by_id[job_id]
                if job._change_ticket(
                    values, request=self._request_of(requests, job), author=author
                ):
                    kinds.add("ticket")
            Attachment = request.env["ir.attachment"].sudo()
            for job_id, files in uploads.items():
                job = by_id[job_id]
                for attachment_id, upload in files["replace"].items():
                    replaces = Attachment.browse(attachment_id).exists()
                    if not replaces:
                        raise UserError(
                            request.env._(
                                "The file to replace is not one of the files of job %(job)s.",
                                job=job.name,
                            )
                        )
                    add_good_files(job, [upload], replaces=replaces)
                if files["add"]:
                    add_good_files(job, files["add"])
            anchor_job = None
            if action in ("save", "remove") and argument:
                try:
                    anchor_job = by_id.get(int(argument.partition(":")[0]))
                except ValueError:
                    anchor_job = None
            if action == "remove":
                _job_part, _sep2, attachment_part = argument.partition(":")
                job = anchor_job
                if not job or not attachment_part.isdigit():
                    raise request.not_found()
                job._check_portal_may_change(editable)
                attachment = Attachment.browse(int(attachment_part))
                if job._remove_file(
                    attachment, request=self._request_of(requests, job), author=author
                ):
                    kinds.add("removed")
            elif action == "add_job":
                anchor_job = order_sudo._add_portal_job(
                    params.get(NEW_JOB_PREFIX + "name"),
                    read_ticket_fields(params, prefix=NEW_JOB_PREFIX),
                )
                kinds.add("job_added")
            elif action == "submit" and not refused:
                # Sent: what was typed is sent too, and forgotten (_submit_print_order).
                return self._submit_print_order(
                    order_sudo, requests, params.get("message"), author
                )
            if refused and not kinds:
                raise UserError(self._refused_files_message(refused))
            if anchor_job:
                result["anchor"] = f"job-{anchor_job.id}"
            # Kept for the page to show again: the new job's fields start empty once added.
            typed_changed = order_sudo._keep_portal_form_draft(
                portal_form_draft.typed_values(params, without_new_job=action == "add_job"),
                refused,
            )
            if action == "submit":
                return "not_sent"  # a file was refused: the rest is saved, nothing sent
            if "job_added" in kinds:
                return "job_added"
            if len(kinds) > 1 or (typed_changed and not kinds):
                return "saved"
            return kinds.pop() if kinds else "unchanged"

        response = self._print_order_post(order_id, access_token, None, save)
        anchor = result.get("anchor")
        if anchor and response.status_code in (301, 302, 303) and "#" not in response.location:
            response.location = f"{response.location}#{anchor}"
        if request.httprequest.headers.get("X-Print-Upload") and response.status_code in (
            301,
            302,
            303,
        ):
            # Sent by the page's script with upload progress (print_order_form.js): it opens the
            # page itself; followed by XMLHttpRequest, the page's one-time notices would be
            # shown to the script, not to the customer.
            return request.make_json_response({"location": response.location})
        return response
