from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..lib import communication_state as cs
from .print_order import COMMUNICATION_STATES

COLOR_MODES = [("color", "Colour"), ("bw", "Black & white")]
SIDES = [("one", "One-sided"), ("two", "Two-sided")]
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
    _inherit = ["mail.thread"]
    _order = "order_id, sequence, id"
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
    price_unit = fields.Monetary(
        string="Unit price",
        compute="_compute_price_unit",
        store=True,
        readonly=False,
        precompute=True,
    )
    price_subtotal = fields.Monetary(
        string="Subtotal", compute="_compute_price_subtotal", store=True, precompute=True
    )

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

    @api.depends("product_id")
    def _compute_price_unit(self):
        for job in self:
            if job.product_id:
                job.price_unit = job.product_id.lst_price

    @api.depends("price_unit", "copies")
    def _compute_price_subtotal(self):
        for job in self:
            job.price_subtotal = job.price_unit * job.copies

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

    @api.constrains("price_unit")
    def _check_price_unit(self):
        for job in self:
            if job.price_unit < 0:
                raise ValidationError(
                    self.env._(
                        "The unit price of job %(job)s cannot be negative: enter 0 or more "
                        "(refunds are made from the order, not with negative prices).",
                        job=job.name,
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                if vals.get("communication_state", cs.NEW) != cs.NEW or "is_paid" in vals:
                    raise AccessError(
                        self.env._(
                            "A new job starts as New; its state and payment follow the "
                            "order's workflow."
                        )
                    )
        orders = self.env["print.order"].browse(
            {vals["order_id"] for vals in vals_list if vals.get("order_id")}
        )
        orders._check_jobs_can_change()
        jobs = super().create(vals_list)
        jobs._attach_files()
        return jobs

    def write(self, vals):
        if "order_id" in vals:
            (
                self.order_id | self.env["print.order"].browse(vals["order_id"])
            )._check_jobs_can_change()
        if not self.env.su and {"communication_state", "is_paid"}.intersection(vals):
            raise AccessError(
                self.env._(
                    "A job's communication state and payment change only through the order's "
                    "buttons (Request for change, Accept, Dispatch...)."
                )
            )
        if "communication_state" in vals:
            self._check_can_move_to(vals["communication_state"])
        res = super().write(vals)
        if "attachment_ids" in vals:
            self._attach_files()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_only_while_order_open(self):
        self.order_id._check_jobs_can_change()

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
        jobs = self.filtered(lambda job: job.communication_state != target)
        if not jobs:
            return jobs
        context = self.env.context
        log = not (context.get("tracking_disable") or context.get("mail_notrack"))
        previous = {job.id: job.communication_state for job in jobs} if log else {}
        jobs._check_can_move_to(target)
        jobs.sudo().with_context(tracking_disable=True).write({"communication_state": target})
        if log:
            jobs._log_communication_state_change(previous, target)
        return jobs

    def _log_communication_state_change(self, previous, target):
        """One note per order, "Communication state: Job 1, Job 2: New → Request for
        change", created in a single batch (one note per job made a request for 100 jobs
        write 100 messages).  ``previous`` maps job ids to their state before the move."""
        field = self._fields["communication_state"]
        labels = dict(field._description_selection(self.env))
        field_label = field._description_string(self.env)
        by_order = {}
        for job in self:
            moves = by_order.setdefault(job.order_id.id, {})
            moves.setdefault(previous[job.id], []).append(job.name)
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
        self.order_id._message_log_batch(bodies)

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
