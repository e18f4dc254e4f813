from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..lib import communication_state as cs
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
    _sql_constraints = [
        (
            "copies_positive",
            "CHECK(copies > 0)",
            "A job needs at least one copy.",
        ),
    ]

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
        for vals in vals_list:
            self.browse()._check_files_linked(vals.get("attachment_ids"))
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
        if "attachment_ids" in vals:
            for job in self:
                job._check_files_linked(vals["attachment_ids"])
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
        orders_before = {order.id: order.communication_state for order in jobs.order_id}
        with self.env.protecting(jobs._amount_fields_kept_by_move(previous, target)):
            jobs.sudo().with_context(tracking_disable=True).write({"communication_state": target})
        if log:
            jobs._log_communication_state_change(previous, target)
        if target != cs.CHANGED:
            jobs.order_id._close_check_changes_activities()
        jobs.order_id._print_jobs_moved(target, orders_before)  # print_order_status.py
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

    def _check_files_linked(self, value):
        """Refuse the files ``value`` (a value of ``attachment_ids``) links to the job (or to
        a new job, when ``self`` is empty) that were not uploaded to it: a job's files are
        the files uploaded to that job (``res_model``/``res_id``), or the user's own upload
        not tied to any record yet (the file widget of a new job).  Another job's file, or
        another record's, would be served on this order's portal page.  The addon's own
        methods (sudo) link only files they stored on the job."""
        if self.env.su or not value:
            return
        if isinstance(value, models.BaseModel):
            value = [Command.set(value.ids)]
        elif isinstance(value, tuple) or not isinstance(value[0], list | tuple):
            value = [Command.set(list(value))]
        linked = set()
        for command in value:
            if command[0] == Command.LINK:
                linked.add(command[1])
            elif command[0] == Command.SET:
                linked.update(command[2])
        linked -= set(self.sudo().attachment_ids.ids)
        if not linked:
            return
        uploaded = (
            self.env["ir.attachment"]
            .sudo()
            .browse(linked)
            .exists()
            .filtered(
                lambda attachment: (
                    (
                        self.id
                        and attachment.res_model == self._name
                        and attachment.res_id == self.id
                    )
                    or (
                        attachment.res_model in (False, self._name)
                        and not attachment.res_id
                        and attachment.create_uid.id == self.env.uid
                    )
                )
            )
        )
        foreign = linked - set(uploaded.ids)
        if foreign:
            raise UserError(
                self.env._(
                    "Only files uploaded to this job can be added to it: upload the file to "
                    "the job itself (a file of another job or record stays where it is)."
                )
            )

    def _attach_files(self):
        """Tie the customer's files to their job, so access follows the job's."""
        for job in self:
            loose = job.attachment_ids.filtered(
                lambda att: not att.res_model or (att.res_model == "print.job" and not att.res_id)
            )
            if loose:
                loose.sudo().write({"res_model": "print.job", "res_id": job.id})

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
