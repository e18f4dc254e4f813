import hashlib

from odoo import Command, models
from odoo.exceptions import UserError
from odoo.tools.misc import human_size

from ..lib import upload_check
from .print_job import (
    COLOR_MODES,
    DEFAULT_MAX_UPLOAD_SIZE,
    FINISHINGS,
    MAX_COPIES,
    MAX_TICKET_NOTE,
    SIDES,
    TICKET_FIELDS,
)


class PrintJobPortal(models.Model):
    """Changes to a job by the customer (portal) or on their behalf (the operator's upload
    dialog): uploads checked and added, files removed, the ticket parsed and changed, each
    change recorded."""

    _inherit = "print.job"

    # ------------------------------------------------------------
    # BUSINESS METHODS: changes by the customer (portal) or on their behalf
    # ------------------------------------------------------------

    def _get_max_upload_size(self):
        """Odoo's upload size limit (system parameter ``web.max_file_upload_size``)."""
        value = self.env["ir.config_parameter"].sudo().get_param("web.max_file_upload_size")
        try:
            return int(value) if value else DEFAULT_MAX_UPLOAD_SIZE
        except ValueError:
            return DEFAULT_MAX_UPLOAD_SIZE

    def _check_uploads(self, uploads):
        """Check ``uploads`` (``[(filename, bytes)]``) by content with the shop's rules; return
        them with clean names, or raise one UserError naming every refused file."""
        files, refused = self._sort_uploads(uploads)
        if refused:
            raise UserError("\n".join(message for _filename, message in refused))
        return files

    def _sort_uploads(self, uploads):
        """Check each of ``uploads`` (``[(filename, bytes)]``) by content with the shop's
        rules: return ``(accepted, refused)``, the accepted files as ``[(clean name, bytes)]``
        and the refused ones as ``[(clean name, the customer's message naming the file and
        why)]``, each in the order of ``uploads``."""
        self.ensure_one()
        allowed = upload_check.parse_types(self.company_id.print_upload_types)
        max_size = self._get_max_upload_size()
        if not uploads:
            raise UserError(self.env._("Choose a file to upload."))
        refusals = {}  # index in uploads -> [messages]
        for index, (filename, data) in enumerate(uploads):
            problems = upload_check.check_upload(filename, data, allowed, max_size)
            if problems:
                refusals[index] = [self._describe_upload_problem(p) for p in problems]
        files = [(upload_check.clean_filename(filename), data) for filename, data in uploads]
        # The content is read by the preflight, in a process of its own with time and memory
        # limits: its errors refuse the file (not stored), its warnings are shown with the
        # stored file.
        readable = [index for index in range(len(files)) if index not in refusals]
        results = self._preflight_uploads([files[index] for index in readable]) if readable else []
        for index, result in zip(readable, results, strict=True):
            if result["blocking"]:
                refusals[index] = [
                    self.env._(
                        "%(file)s: %(problem)s", file=files[index][0], problem=finding["message"]
                    )
                    for finding in result["findings"]
                    if finding["severity"] == "error"
                ]
        accepted = [file for index, file in enumerate(files) if index not in refusals]
        refused = [(files[index][0], "\n".join(refusals[index])) for index in sorted(refusals)]
        return accepted, refused

    def _describe_upload_problem(self, problem):
        """The customer's message for a :class:`~..lib.upload_check.Problem`."""
        name = problem.filename
        params = problem.params
        if problem.code == upload_check.EMPTY:
            return self.env._(
                "%(file)s is empty. Choose the file again, or export it again from your "
                "application.",
                file=name,
            )
        if problem.code == upload_check.TOO_LARGE:
            return self.env._(
                "%(file)s is too large (%(size)s, at most %(max)s). Make it smaller, for "
                "example by exporting images at print resolution only, and upload it again.",
                file=name,
                size=human_size(params["size"]),
                max=human_size(params["max_size"]),
            )
        if problem.code == upload_check.TYPE_NOT_ALLOWED:
            return self.env._(
                "%(file)s is not a type of file we print from (we take %(allowed)s; the type "
                "is read from the file's content, not from its name). Export it as one of "
                "these and upload it again.",
                file=name,
                allowed=params.get("allowed") or "-",
            )
        return self.env._("%(file)s cannot be used: %(problem)s", file=name, problem=problem.code)

    def _prepare_change_vals(self, kind, request=None, author=None, **values):
        self.ensure_one()
        return {
            "job_id": self.id,
            "request_id": request.id if request else False,
            "kind": kind,
            "author_id": (author or self.env.user.partner_id).id,
            "user_id": False if self.env.user._is_public() else self.env.user.id,
            **values,
        }

    def _add_files(self, uploads, replaces=None, request=None, author=None):
        """Store ``uploads`` (``[(filename, bytes)]``) on the job after checking them by
        content, optionally replacing the attachment ``replaces`` (which stays in the job's
        change history).  A refused upload stores nothing.  Replayed uploads (same name and
        content already on the job, or the same replacement already made) change nothing.

        Return the ``print.job.change`` records created."""
        self.ensure_one()
        # The shop's caps first (print_job_files.py): nothing is read above them.
        self._check_upload_file_caps(uploads, replaces)
        return self._store_files(self._check_uploads(uploads), replaces, request, author)

    def _add_good_files(self, uploads, replaces=None, request=None, author=None):
        """As :meth:`_add_files`, but a file refused by its content is refused alone: the
        other files are stored.  Return ``(changes, refused)``: the ``print.job.change``
        records created, and ``[(file name, message)]`` of the refused files (see
        :meth:`_sort_uploads`).  The caps (files per upload and per job) still refuse the
        whole upload."""
        self.ensure_one()
        self._check_upload_file_caps(uploads, replaces)
        files, refused = self._sort_uploads(uploads)
        if not files:
            return self.env["print.job.change"].sudo(), refused
        return self._store_files(files, replaces, request, author), refused

    def _check_upload_file_caps(self, uploads, replaces=None):
        """The shop's caps on an upload of ``uploads`` (replacing ``replaces``)."""
        self._check_upload_file_cap(len(uploads))
        self._check_job_file_cap(len(self.attachment_ids) + len(uploads) - (1 if replaces else 0))

    def _store_files(self, files, replaces, request, author):
        """Store ``files`` (``[(clean name, bytes)]``, checked by :meth:`_sort_uploads`) as
        :meth:`_add_files` says; return the ``print.job.change`` records created."""
        Change = self.env["print.job.change"].sudo()
        checksums = [hashlib.sha1(data).hexdigest() for _name, data in files]
        if replaces:
            if len(files) != 1:
                raise UserError(self.env._("Replace a file with exactly one new file."))
            if replaces not in self.attachment_ids:
                previous = Change.search(
                    [
                        ("job_id", "=", self.id),
                        ("old_attachment_id", "=", replaces.id),
                        ("kind", "in", ("file_replaced", "file_removed")),
                    ],
                    limit=1,
                )
                if (
                    previous.kind == "file_replaced"
                    and previous.new_attachment_id.checksum == checksums[0]
                ):
                    return Change  # the same replacement again: done already
                if previous:
                    raise UserError(
                        self.env._(
                            "%(file)s was already replaced or removed. Reload the page to see "
                            "the job's files as they are now.",
                            file=previous.old_name,
                        )
                    )
                raise UserError(
                    self.env._(
                        "The file to replace is not one of the files of job %(job)s.",
                        job=self.name,
                    )
                )
        else:
            present = {(att.name, att.checksum) for att in self.attachment_ids}
            keep = [
                index
                for index, (name, _data) in enumerate(files)
                if (name, checksums[index]) not in present
            ]
            files = [files[index] for index in keep]
            if not files:
                return Change  # every file is on the job already: a replayed upload
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                [
                    {
                        "name": name,
                        "raw": data,
                        "mimetype": upload_check.sniff_mimetype(data),
                        "res_model": "print.job",
                        "res_id": self.id,
                    }
                    for name, data in files
                ]
            )
        )
        commands = [Command.link(attachment.id) for attachment in attachments]
        if replaces:
            commands.append(Command.unlink(replaces.id))
        self.sudo().write({"attachment_ids": commands})
        if replaces:
            vals_list = [
                self._prepare_change_vals(
                    "file_replaced",
                    request,
                    author,
                    old_attachment_id=replaces.id,
                    old_name=replaces.name,
                    new_attachment_id=attachments.id,
                    new_name=attachments.name,
                )
            ]
        else:
            vals_list = [
                self._prepare_change_vals(
                    "file_added",
                    request,
                    author,
                    new_attachment_id=attachment.id,
                    new_name=attachment.name,
                )
                for attachment in attachments
            ]
        return Change.create(vals_list)

    def _remove_file(self, attachment, request=None, author=None):
        """Take ``attachment`` off the job; it stays in the job's change history.  Removing a
        file removed or replaced already changes nothing."""
        self.ensure_one()
        Change = self.env["print.job.change"].sudo()
        if attachment not in self.attachment_ids:
            if Change.search_count(
                [
                    ("job_id", "=", self.id),
                    ("old_attachment_id", "=", attachment.id),
                    ("kind", "in", ("file_replaced", "file_removed")),
                ],
                limit=1,
            ):
                return Change
            raise UserError(
                self.env._(
                    "The file to remove is not one of the files of job %(job)s.", job=self.name
                )
            )
        self.sudo().write({"attachment_ids": [Command.unlink(attachment.id)]})
        return Change.create(
            self._prepare_change_vals(
                "file_removed",
                request,
                author,
                old_attachment_id=attachment.id,
                old_name=attachment.name,
            )
        )

    def _get_portal_media(self):
        """The papers and media a customer may choose for this job: the shop's portal media,
        and the job's own."""
        self.ensure_one()
        return self.company_id.print_portal_media_ids | self.product_id

    def _parse_ticket_values(self, raw):
        """Turn the portal's ticket form (strings) into field values; raise a clear
        UserError for a wrong value.  Fields absent from ``raw`` are left out."""
        self.ensure_one()
        values = {}
        if raw.get("copies") not in (None, ""):
            try:
                copies = int(str(raw["copies"]).strip())
            except ValueError:
                copies = 0
            if not 1 <= copies <= MAX_COPIES:
                raise UserError(
                    self.env._(
                        "Copies of job %(job)s: enter a whole number from 1 to %(max)s.",
                        job=self.name,
                        max=MAX_COPIES,
                    )
                )
            values["copies"] = copies
        for name, selection in (
            ("color_mode", COLOR_MODES),
            ("sides", SIDES),
            ("finishing", FINISHINGS),
        ):
            if raw.get(name) in (None, ""):
                continue
            if raw[name] not in dict(selection):
                raise UserError(
                    self.env._(
                        "%(field)s of job %(job)s: choose one of the values offered.",
                        field=self._fields[name]._description_string(self.env),
                        job=self.name,
                    )
                )
            values[name] = raw[name]
        if raw.get("product_id") not in (None, ""):
            try:
                product_id = int(raw["product_id"])
            except (TypeError, ValueError):
                product_id = 0
            media = self._get_portal_media()
            if product_id not in media.ids:
                raise UserError(
                    self.env._(
                        "Paper / media of job %(job)s: choose one of the media offered.",
                        job=self.name,
                    )
                )
            values["product_id"] = product_id
        if "ticket_note" in raw and raw["ticket_note"] is not None:
            note = str(raw["ticket_note"]).strip()
            if len(note) > MAX_TICKET_NOTE:
                raise UserError(
                    self.env._(
                        "Ticket notes of job %(job)s: write at most %(max)s characters.",
                        job=self.name,
                        max=MAX_TICKET_NOTE,
                    )
                )
            values["ticket_note"] = note or False
        return values

    def _ticket_display(self, name):
        """A ticket field's value as the customer reads it."""
        self.ensure_one()
        field = self._fields[name]
        value = self[name]
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(value, value or "")
        if field.type == "many2one":
            return value.display_name or ""
        return str(value) if value not in (False, None) else ""

    def _change_ticket(self, values, request=None, author=None):
        """Write the ticket ``values`` (from :meth:`_parse_ticket_values`) that differ from the
        job's, and record each change (before -> after).  Same values again change nothing."""
        self.ensure_one()
        diff = {
            name: value
            for name, value in values.items()
            if name in TICKET_FIELDS
            and (self[name].id if name == "product_id" else self[name]) != value
        }
        Change = self.env["print.job.change"].sudo()
        if not diff:
            return Change
        before = {name: self._ticket_display(name) for name in diff}
        self.sudo().write(diff)
        return Change.create(
            [
                self._prepare_change_vals(
                    "ticket",
                    request,
                    author,
                    field_name=name,
                    field_label=self._fields[name]._description_string(self.env),
                    old_value=before[name],
                    new_value=self._ticket_display(name),
                )
                for name in diff
            ]
        )
