import hashlib

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.misc import human_size

from ..lib import communication_state as cs
from ..lib import upload_check
from .print_order import COMMUNICATION_STATES

COLOR_MODES = [("color", "Colour"), ("bw", "Black & white")]
SIDES = [("one", "One-sided"), ("two", "Two-sided")]
#: Odoo's default upload limit (``web.max_file_upload_size``), as the web client uses it.
DEFAULT_MAX_UPLOAD_SIZE = 128 * 1024 * 1024
#: The job-ticket fields a customer may change from the portal.
TICKET_FIELDS = ("product_id", "copies", "color_mode", "sides", "finishing", "ticket_note")
MAX_COPIES = 1000000
MAX_TICKET_NOTE = 2000
FINISHINGS = [
    ("none", "None"),
    ("staple", "Staple"),
    ("fold", "Fold"),
    ("bind", "Bind"),
    ("laminate", "Laminate"),
    ("cut", "Cut to size"),
]


class PrintJob(models.Model):
    _name = "print.job"
    _description = "Print Job"
    _inherit = ["print.protected.fields.mixin", "mail.thread"]
    _order = "order_id, sequence, id"
    #: State and payment follow the order's workflow (print_job_preflight.py adds the
    #: preflight's result).
    _protected_fields = frozenset({"communication_state", "is_paid"})
    _check_company_auto = True

    order_id = fields.Many2one(
        comodel_name="print.order",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        related="order_id.company_id", store=True, index=True, precompute=True
    )
    partner_id = fields.Many2one(related="order_id.partner_id", string="Customer")
    currency_id = fields.Many2one(related="order_id.currency_id")
    attachment_ids = fields.Many2many(
        comodel_name="ir.attachment",
        relation="print_job_attachment_rel",
        column1="job_id",
        column2="attachment_id",
        string="Files",
        copy=False,
        help="The customer's files for this job.",
    )
    file_count = fields.Integer(string="Files count", compute="_compute_file_count")

    # The job ticket: print settings.
    product_id = fields.Many2one(
        comodel_name="product.product",
        string="Paper / media",
        check_company=True,
        tracking=True,
    )
    copies = fields.Integer(default=1, required=True, tracking=True)
    color_mode = fields.Selection(
        selection=COLOR_MODES,
        string="Colour mode",
        default="color",
        required=True,
        tracking=True,
    )
    sides = fields.Selection(selection=SIDES, default="one", required=True, tracking=True)
    finishing = fields.Selection(
        selection=FINISHINGS, default="none", required=True, tracking=True
    )
    ticket_note = fields.Text(string="Ticket notes")
    # The price (price_unit, price_subtotal...) is in print_job_pricing.py.

    communication_state = fields.Selection(
        selection=COMMUNICATION_STATES,
        string="Communication state",
        default=cs.NEW,
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    color = fields.Integer(compute="_compute_color")
    # The order tracks its payment; one message per job would only repeat it.
    is_paid = fields.Boolean(
        related="order_id.is_paid", string="Job is paid", store=True, tracking=False
    )

    _sql_constraints = [
        (
            "copies_positive",
            "CHECK(copies > 0)",
            "A job needs at least one copy.",
        ),
    ]

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends("attachment_ids")
    def _compute_file_count(self):
        for job in self:
            job.file_count = len(job.attachment_ids)

    @api.depends("communication_state")
    def _compute_color(self):
        for job in self:
            job.color = cs.color(job.communication_state)

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("copies")
    def _check_copies(self):
        for job in self:
            if job.copies < 1:
                raise ValidationError(
                    self.env._("Job %(job)s needs at least one copy.", job=job.name)
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model
    def default_get(self, fields_list):
        """A view grouped by state passes its group (``default_communication_state``) to
        the jobs of a new order too: a new job starts New all the same."""
        values = super().default_get(fields_list)
        if "default_communication_state" in self.env.context and "communication_state" in values:
            values["communication_state"] = cs.NEW
        return values

    @api.model_create_multi
    def create(self, vals_list):
        orders = self.env["print.order"].browse(
            sorted({vals["order_id"] for vals in vals_list if vals.get("order_id")})
        )
        orders._wait_for_rows()
        orders._check_jobs_can_change()
        jobs = super().create(vals_list)
        jobs._attach_files()
        return jobs

    def write(self, vals):
        # The order's row before the jobs' (see _lock_orders_first), also when the order
        # changes: a job write recomputes its order (total, preflight, state).
        self._lock_orders_first(vals.get("order_id"))
        if "order_id" in vals:
            (
                self.order_id | self.env["print.order"].browse(vals["order_id"])
            )._check_jobs_can_change()
        # (a user's own write of the state is refused: print.protected.fields.mixin)
        if "communication_state" in vals and self.env.su:
            self._check_can_move_to(vals["communication_state"])
        res = super().write(vals)
        if "attachment_ids" in vals:
            self._attach_files()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_only_while_order_open(self):
        self._lock_orders_first()
        self.order_id._check_jobs_can_change()

    def _lock_orders_first(self, other_order_id=None):
        """Lock the jobs' orders before the jobs are written.

        Every path of the addon that writes an order and its jobs takes the order's row
        first (a payment settling locks its orders, then recomputes the jobs' "Job is paid");
        a job written first and its order second would deadlock with it.  Waits for the
        transaction holding an order, as the jobs' own UPDATE would."""
        orders = self.order_id
        if other_order_id:
            orders |= self.env["print.order"].browse(other_order_id)
        orders.sudo()._wait_for_rows()

    # ------------------------------------------------------------
    # BUSINESS METHODS: communication state
    # ------------------------------------------------------------

    def _mark_change_requested(self):
        return self._move_to(cs.CHANGE_REQUESTED)

    def _mark_changed(self):
        return self._move_to(cs.CHANGED)

    def _mark_accepted(self):
        return self._move_to(cs.ACCEPTED)

    def _mark_canceled(self):
        return self._move_to(cs.CANCELED)

    def _mark_dispatched(self):
        return self._move_to(cs.DISPATCHED)

    def _mark_finalized(self):
        return self._move_to(cs.FINALIZED)

    def _move_to(self, target):
        """Move the jobs to ``target`` in one write; the orders follow by precedence.

        The jobs' own field tracking would post one message per job (an INSERT of a
        message and of a tracking value for each); the state is written without it and
        the change is logged in each job's chatter in one batch instead.  The orders'
        state, recomputed later in the caller's context, is tracked as usual."""
        # under the orders' lock, on the states committed last (two operators, or an
        # operator and a payment, cannot move the same order at once)
        self.order_id._lock_for_update()
        jobs = self.filtered(lambda job: job.communication_state != target)
        if not jobs:
            return jobs
        context = self.env.context
        log = not (context.get("tracking_disable") or context.get("mail_notrack"))
        previous = {job.id: job.communication_state for job in jobs} if log else {}
        jobs._check_can_move_to(target)
        with self.env.protecting(jobs._amount_fields_kept_by_move(previous, target)):
            jobs.sudo().with_context(tracking_disable=True).write({"communication_state": target})
        if log:
            jobs._log_communication_state_change(previous, target)
        if target != cs.CHANGED:
            jobs.order_id._close_check_changes_activities()
        return jobs

    def _amount_fields_kept_by_move(self, previous, target):
        """(fields, orders) whose amounts this move of the jobs to ``target`` leaves as
        they are, for ``env.protecting``: the amounts count the live jobs, and a move
        between two live states (a request for change, an acceptance...) changes none of
        them; only a move to or from "Canceled" must recompute them (taxes included).
        ``previous`` maps job ids to their states before the move (may be empty)."""
        orders = self.order_id
        was_canceled = any(
            previous.get(job.id, job.communication_state) == cs.CANCELED for job in self
        )
        if target == cs.CANCELED or was_canceled:
            return []
        fields = [
            orders._fields[name]
            for name in ("amount_untaxed", "amount_tax", "amount_total", "tax_totals")
            if name in orders._fields
        ]
        return [(fields, orders)]

    def _log_communication_state_change(self, previous, target):
        """One note per order, "Communication state: Job 1, Job 2: New → Request for
        change", created in a single batch (one note per job made a request for 100 jobs
        write 100 messages).  ``previous`` maps job ids to their state before the move."""
        field = self._fields["communication_state"]
        labels = dict(field._description_selection(self.env))
        field_label = field._description_string(self.env)
        by_order = {}
        tracked = {order.id for order in self.order_id if self._order_tracks_move(order, previous)}
        for job in self:
            if job.order_id.id in tracked:
                continue  # the order's own state tracking says the same: once is enough
            moves = by_order.setdefault(job.order_id.id, {})
            moves.setdefault(previous[job.id], []).append(job.name)
        if not by_order:
            return
        bodies = {
            order_id: Markup("").join(
                Markup("<p>%s: %s: %s → %s</p>")
                % (
                    field_label,
                    ", ".join(names),
                    labels.get(state, state),
                    labels.get(target, target),
                )
                for state, names in moves.items()
            )
            for order_id, moves in by_order.items()
        }
        # A customer's portal action moves jobs: the note is the addon's, not theirs.
        author = (
            self.order_id[:1]._get_print_system_author()
            if self.env.user.share and self.order_id
            else None
        )
        self.order_id.filtered(lambda order: order.id in bodies)._message_log_batch(
            bodies, author_id=author.id if author else None
        )

    def _order_tracks_move(self, order, previous):
        """True when these jobs (``previous`` gives their states before the move) are all
        the live jobs of ``order`` and came from one state: the order moves from that state
        to the same target, and its own field tracking already tells it."""
        live = order.job_ids.filtered(
            lambda job: previous.get(job.id, job.communication_state) != cs.CANCELED
        )
        moved = self & order.job_ids
        return live == moved and len({previous[job.id] for job in moved}) == 1

    def _check_can_move_to(self, target):
        """Raise a clear error when any job may not move to ``target``."""
        labels = dict(self._fields["communication_state"]._description_selection(self.env))
        for job in self:
            current = job.communication_state
            if current == target or cs.can_move(current, target):
                continue
            if cs.is_locked(current) or current in (cs.FINALIZED, cs.CANCELED):
                message = self.env._(
                    "Job %(job)s of order %(order)s is %(state)s: its state can no longer change.",
                    job=job.name,
                    order=job.order_id.name,
                    state=labels[current],
                )
            else:
                message = self.env._(
                    "Job %(job)s of order %(order)s is %(state)s and cannot become %(target)s.",
                    job=job.name,
                    order=job.order_id.name,
                    state=labels[current],
                    target=labels.get(target, target),
                )
            raise UserError(message)

    # ------------------------------------------------------------
    # BUSINESS METHODS: files
    # ------------------------------------------------------------

    def _attach_files(self):
        """Tie the customer's files to their job, so access follows the job's."""
        for job in self:
            loose = job.attachment_ids.filtered(
                lambda att: not att.res_model or (att.res_model == "print.job" and not att.res_id)
            )
            if loose:
                loose.sudo().write({"res_model": "print.job", "res_id": job.id})

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
        self.ensure_one()
        allowed = upload_check.parse_types(self.company_id.print_upload_types)
        max_size = self._get_max_upload_size()
        if not uploads:
            raise UserError(self.env._("Choose a file to upload."))
        problems = []
        for filename, data in uploads:
            problems += upload_check.check_upload(filename, data, allowed, max_size)
        if problems:
            raise UserError("\n".join(self._describe_upload_problem(p) for p in problems))
        files = [(upload_check.clean_filename(filename), data) for filename, data in uploads]
        # The content is read by the preflight, in a process of its own with time and memory
        # limits: its errors refuse the upload (nothing stored), its warnings are shown with
        # the stored file.
        refused = []
        for (filename, _data), result in zip(files, self._preflight_uploads(files), strict=True):
            if result["blocking"]:
                refused += [
                    self.env._("%(file)s: %(problem)s", file=filename, problem=finding["message"])
                    for finding in result["findings"]
                    if finding["severity"] == "error"
                ]
        if refused:
            raise UserError("\n".join(refused))
        return files

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
        self._check_upload_file_cap(len(uploads))
        self._check_job_file_cap(len(self.attachment_ids) + len(uploads) - (1 if replaces else 0))
        files = self._check_uploads(uploads)
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

    # ------------------------------------------------------------
    # Protected fields (print.protected.fields.mixin)
    # ------------------------------------------------------------

    def _get_protected_fields_written(self, vals, create=False):
        names = super()._get_protected_fields_written(vals, create=create)
        if create and vals.get("communication_state") == cs.NEW:
            names.discard("communication_state")  # a new job starts New
        return names

    def _get_protected_fields_message(self, names, create=False):
        if create:
            return self.env._(
                "A new job starts as New; its state and payment follow the order's workflow."
            )
        return self.env._(
            "A job's communication state and payment change only through the order's "
            "buttons (Request for change, Accept, Dispatch...)."
        )
