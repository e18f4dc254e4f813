import hashlib
import logging
from collections import Counter
from datetime import timedelta

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.service.server import SLEEP_INTERVAL
from odoo.tools import SQL, config, float_compare
from odoo.tools.misc import human_size

from ..lib import communication_state as cs
from ..lib import preflight, preflight_queue, pricing, upload_check
from .print_preflight_scan import ScanBudget

_logger = logging.getLogger(__name__)

COLOR_MODES = [("color", "Color"), ("bw", "Black & white")]
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

# Written only by the preflight itself.
PREFLIGHT_FIELDS = {
    "preflight_state",
    "preflight_page_count",
    "preflight_page_size",
    "preflight_is_color",
    "preflight_date",
}
# What the check depends on: the files and the ticket's media and color mode.
PREFLIGHT_TRIGGERS = {"attachment_ids", "product_id", "color_mode"}

DEFAULT_SYNC_MAX_MB = 64
DEFAULT_SYNC_TIMEOUT = 10
# One file in the background, at most (and within what a cron pass surely has left).
DEFAULT_BACKGROUND_TIMEOUT = 60
DEFAULT_MEMORY_MB = 1536

#: An operator's price per copy holds until the media changes (as when the unit price was the
#: media's price): a new media gives the job the shop's price again.
RESET_PRICE_FIELDS = frozenset({"product_id"})


class PrintJob(models.Model):
    """A job of a print order: the customer's files and the job ticket (print settings),
    changed by the customer from the portal or by an operator on their behalf, each change
    recorded; the automatic preflight of the files (``lib/preflight.py``), stored per file as
    ``print.preflight.finding`` and summed up on the job; and the job's price."""

    _name = "print.job"
    _description = "Print Job"
    _inherit = ["print.protected.fields.mixin", "mail.thread"]
    _order = "order_id, sequence, id"
    #: State and payment follow the order's workflow; the preflight's result is written by the
    #: preflight only.
    _protected_fields = frozenset({"communication_state", "is_paid"}) | PREFLIGHT_FIELDS
    _check_company_auto = True
    _sql_constraints = [
        (
            "copies_positive",
            "CHECK(copies > 0)",
            "A job needs at least one copy.",
        ),
    ]

    # === FIELDS === #

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
        string="Color mode",
        default="color",
        required=True,
        tracking=True,
    )
    sides = fields.Selection(selection=SIDES, default="one", required=True, tracking=True)
    finishing = fields.Selection(
        selection=FINISHINGS, default="none", required=True, tracking=True
    )
    ticket_note = fields.Text(string="Ticket notes")
    communication_state = fields.Selection(
        selection=cs.STATES,
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

    # The automatic preflight of the files.
    preflight_state = fields.Selection(
        selection=preflight.STATES,
        string="Preflight",
        readonly=True,
        copy=False,
        index=True,
        help="The worst finding of the automatic check of the job's files; pending while big "
        "files are checked in the background. Empty: no file.",
    )
    preflight_finding_ids = fields.One2many(
        comodel_name="print.preflight.finding",
        inverse_name="job_id",
        string="Preflight findings",
        readonly=True,
    )
    preflight_page_count = fields.Integer(string="Pages", readonly=True, copy=False)
    preflight_page_size = fields.Char(string="Page size", readonly=True, copy=False)
    preflight_is_color = fields.Boolean(
        string="Color content", readonly=True, copy=False, help="The files print in color."
    )
    preflight_date = fields.Datetime(string="Preflight checked on", readonly=True, copy=False)

    # The price: the shop's price (``lib/pricing.py``: media per sheet, printing per page,
    # finishing per copy, through the customer's pricelist) with each product's taxes,
    # unless an operator set the unit price by hand.
    printing_product_id = fields.Many2one(
        comodel_name="product.product",
        string="Printing product",
        compute="_compute_price_breakdown",
        store=True,
        precompute=True,
        help="The shop's product that prices one printed page in the job's color mode.",
    )
    finishing_product_id = fields.Many2one(
        comodel_name="product.product",
        string="Finishing product",
        compute="_compute_price_breakdown",
        store=True,
        precompute=True,
        help="The shop's product that prices the job's finishing, per copy.",
    )
    print_sheets = fields.Integer(
        string="Sheets per copy",
        compute="_compute_price_breakdown",
        store=True,
        precompute=True,
        help="Sheets of media one copy takes: the pages counted by the preflight (1 while "
        "they are not counted), halved (rounded up) when printed on both sides.",
    )
    price_media = fields.Float(
        string="Media per copy",
        digits="Product Price",
        compute="_compute_price_breakdown",
        store=True,
        precompute=True,
    )
    price_printing = fields.Float(
        string="Printing per copy",
        digits="Product Price",
        compute="_compute_price_breakdown",
        store=True,
        precompute=True,
    )
    price_finishing = fields.Float(
        string="Finishing per copy",
        digits="Product Price",
        compute="_compute_price_breakdown",
        store=True,
        precompute=True,
    )
    tax_ids = fields.Many2many(
        comodel_name="account.tax",
        relation="print_job_media_tax_rel",
        column1="job_id",
        column2="tax_id",
        string="Taxes",
        compute="_compute_price_breakdown",
        store=True,
        precompute=True,
        help="The media product's taxes, as the customer's fiscal position maps them; they "
        "also tax a unit price set by hand.",
    )
    printing_tax_ids = fields.Many2many(
        comodel_name="account.tax",
        relation="print_job_printing_tax_rel",
        column1="job_id",
        column2="tax_id",
        string="Printing taxes",
        compute="_compute_price_breakdown",
        store=True,
        precompute=True,
    )
    finishing_tax_ids = fields.Many2many(
        comodel_name="account.tax",
        relation="print_job_finishing_tax_rel",
        column1="job_id",
        column2="tax_id",
        string="Finishing taxes",
        compute="_compute_price_breakdown",
        store=True,
        precompute=True,
    )
    price_unit_shop = fields.Float(
        string="Shop price per copy",
        digits="Product Price",
        compute="_compute_price_unit_shop",
        store=True,
        precompute=True,
        groups="base.group_user",
    )
    price_manual = fields.Boolean(
        string="Price set by hand",
        copy=False,
        groups="base.group_user",
        help="An operator set the unit price per copy; it holds until the media changes.",
    )
    price_unit = fields.Float(
        string="Unit price",
        digits="Product Price",
        compute="_compute_price_unit",
        store=True,
        readonly=False,
        precompute=True,
        help="The price of one copy, taxes excluded (unless the products' taxes are included "
        "in their price). The shop's price unless set by hand.",
    )
    price_subtotal = fields.Monetary(
        string="Subtotal", compute="_compute_price_amounts", store=True, precompute=True
    )
    price_tax = fields.Monetary(
        string="Total Tax", compute="_compute_price_amounts", store=True, precompute=True
    )
    price_total = fields.Monetary(
        string="Total", compute="_compute_price_amounts", store=True, precompute=True
    )

    # === COMPUTE METHODS === #

    @api.depends("attachment_ids")
    def _compute_file_count(self):
        for job in self:
            job.file_count = len(job.attachment_ids)

    @api.depends("communication_state")
    def _compute_color(self):
        for job in self:
            job.color = cs.color(job.communication_state)

    @api.depends(
        "product_id",
        "copies",
        "color_mode",
        "sides",
        "finishing",
        "preflight_page_count",
        "order_id.partner_id",
        "order_id.fiscal_position_id",
        "order_id.currency_id",
        "order_id.company_id",
    )
    def _compute_price_breakdown(self):
        """The shop's settings and pricelists are read when the ticket changes; changing them
        later does not reprice existing jobs (as a sale order keeps its prices)."""
        for job in self:
            if not job.order_id:
                continue
            quote = job.order_id._get_print_quote(job.product_id, job._get_pricing_ticket())
            job.update(
                {
                    "printing_product_id": quote["products"][pricing.PRINTING],
                    "finishing_product_id": quote["products"][pricing.FINISHING],
                    "print_sheets": quote["breakdown"].ticket.sheets,
                    "price_media": quote["breakdown"].media,
                    "price_printing": quote["breakdown"].printing,
                    "price_finishing": quote["breakdown"].finishing,
                    "tax_ids": quote["taxes"][pricing.MEDIA],
                    "printing_tax_ids": quote["taxes"][pricing.PRINTING],
                    "finishing_tax_ids": quote["taxes"][pricing.FINISHING],
                }
            )

    @api.depends("price_media", "price_printing", "price_finishing")
    def _compute_price_unit_shop(self):
        for job in self:
            job.price_unit_shop = job.price_media + job.price_printing + job.price_finishing

    @api.depends("price_unit_shop", "price_manual")
    def _compute_price_unit(self):
        for job in self:
            if not job.price_manual:
                job.price_unit = job.price_unit_shop

    @api.depends(
        "price_unit",
        "price_unit_shop",
        "copies",
        "tax_ids",
        "printing_tax_ids",
        "finishing_tax_ids",
        "order_id.currency_id",
        "order_id.partner_id",
    )
    def _compute_price_amounts(self):
        AccountTax = self.env["account.tax"]
        for job in self:
            if not job.order_id:
                job.price_subtotal = job.price_tax = job.price_total = 0.0
                continue
            base_lines = job._get_price_base_lines()
            AccountTax._add_tax_details_in_base_lines(base_lines, job.company_id)
            subtotal = sum(
                line["tax_details"]["raw_total_excluded_currency"] for line in base_lines
            )
            total = sum(line["tax_details"]["raw_total_included_currency"] for line in base_lines)
            job.price_subtotal = subtotal
            job.price_total = total
            job.price_tax = total - subtotal

    # === CONSTRAINT METHODS === #

    @api.constrains("copies")
    def _check_copies(self):
        for job in self:
            if job.copies < 1:
                raise ValidationError(
                    self.env._("Job %(job)s needs at least one copy.", job=job.name)
                )

    @api.constrains("attachment_ids")
    def _check_file_count(self):
        for job in self:
            job._check_job_file_cap(len(job.attachment_ids), error=ValidationError)

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

    # === ONCHANGE METHODS === #

    @api.onchange("price_unit")
    def _onchange_price_unit(self):
        """The operator typed a price in the form: it holds (until the media changes)."""
        for job in self:
            job.price_manual = job._differs_from_shop_price(job.price_unit)

    # === CRUD METHODS === #

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
        for vals in vals_list:
            if "price_unit" in vals and "price_manual" not in vals:
                vals["price_manual"] = True
        # Print files are kept as sent (see ir_attachment._postprocess_contents).
        keep_files = self.with_context(image_no_postprocess=True)
        orders = keep_files.env["print.order"].browse(
            sorted({vals["order_id"] for vals in vals_list if vals.get("order_id")})
        )
        orders._wait_for_rows()
        orders._check_jobs_can_change()
        for vals in vals_list:
            keep_files.browse()._check_files_linked(vals.get("attachment_ids"))
        jobs = super(PrintJob, keep_files).create(vals_list)
        jobs._attach_files()
        jobs = jobs.with_env(self.env)
        jobs.filtered("attachment_ids")._preflight_run()
        return jobs

    def write(self, vals):
        if "price_manual" not in vals:
            if "price_unit" in vals:
                vals = {**vals, "price_manual": True}
            elif RESET_PRICE_FIELDS & set(vals):
                vals = {**vals, "price_manual": False}
        # Print files are kept as sent (see ir_attachment._postprocess_contents).
        jobs = self.with_context(image_no_postprocess=True) if "attachment_ids" in vals else self
        # The order's row before the jobs' (see _lock_orders_first), also when the order
        # changes: a job write recomputes its order (total, preflight, state).
        jobs._lock_orders_first(vals.get("order_id"))
        if "order_id" in vals:
            (
                jobs.order_id | jobs.env["print.order"].browse(vals["order_id"])
            )._check_jobs_can_change()
        if "attachment_ids" in vals:
            for job in jobs:
                job._check_files_linked(vals["attachment_ids"])
        # (a user's own write of the state is refused: print.protected.fields.mixin)
        if "communication_state" in vals and self.env.su:
            jobs._check_can_move_to(vals["communication_state"])
        res = super(PrintJob, jobs).write(vals)
        if "attachment_ids" in vals:
            jobs._attach_files()
        if PREFLIGHT_TRIGGERS & set(vals):
            self._preflight_run()
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

    def _get_protected_fields_written(self, vals, create=False):
        names = super()._get_protected_fields_written(vals, create=create)
        if create and vals.get("communication_state") == cs.NEW:
            names.discard("communication_state")  # a new job starts New
        return names

    def _get_protected_fields_message(self, names, create=False):
        if PREFLIGHT_FIELDS & names:
            return self.env._(
                "The preflight result is written by the preflight only. "
                "Click Run preflight to check the files again."
            )
        if create:
            return self.env._(
                "A new job starts as New; its state and payment follow the order's workflow."
            )
        return self.env._(
            "A job's communication state and payment change only through the order's "
            "buttons (Request for change, Accept, Dispatch...)."
        )

    # === ACTION METHODS === #

    def action_preflight(self):
        """Run preflight: check the files again (big ones in the background)."""
        self.check_access("write")
        self._preflight_run()
        return True

    # === BUSINESS METHODS - COMMUNICATION STATE === #

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
        jobs.order_id._print_jobs_moved(target, orders_before)  # print.order
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

    def _check_change_requestable(self):
        """Refuse a request for change of jobs that are no longer new, changed, or waiting
        for the customer."""
        labels = dict(self._fields["communication_state"]._description_selection(self.env))
        blocked = self.filtered(lambda job: job.communication_state not in cs.CHANGE_REQUESTABLE)
        if blocked:
            raise UserError(
                self.env._(
                    "A change can no longer be requested for %(jobs)s: only new or changed "
                    "jobs, or jobs already waiting for the customer, can be changed.",
                    jobs=", ".join(
                        f"{job.order_id.name} / {job.name} ({labels[job.communication_state]})"
                        for job in blocked
                    ),
                )
            )

    # === BUSINESS METHODS - FILES === #

    def _get_file_pairs(self):
        """The set of (job id, attachment id) of the jobs' files, from their relation alone
        (the jobs were read with the user's rights)."""
        rows = self.env.execute_query(
            SQL(
                """
                SELECT job_id, attachment_id
                  FROM print_job_attachment_rel
                 WHERE job_id = ANY(%s)
                """,
                list(self._ids),
                to_flush=self._fields["attachment_ids"],
            )
        )
        return set(map(tuple, rows))

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

    # How many files a job holds and an upload brings (the shop's settings, *Files per
    # upload* and *Files per job*): checked on every write, so over RPC too
    # (_check_file_count).

    def _get_file_caps(self):
        """``(files per upload, files per job)`` of the job's company."""
        company = (self[:1].company_id or self.env.company).sudo()
        return company.print_upload_max_files or 50, company.print_job_max_files or 200

    def _check_upload_file_cap(self, count):
        """Refuse an upload of ``count`` files above the shop's *Files per upload*."""
        per_upload, _per_job = self._get_file_caps()
        if count > per_upload:
            raise UserError(
                self.env._(
                    "You sent %(count)s files at once; upload at most %(max)s files at a time "
                    "(or combine pages into fewer PDF files). Nothing was stored.",
                    count=count,
                    max=per_upload,
                )
            )

    def _check_job_file_cap(self, count, error=UserError):
        """Refuse a job of ``count`` files above the shop's *Files per job*."""
        self.ensure_one()
        _per_upload, per_job = self._get_file_caps()
        if count > per_job:
            raise error(
                self.env._(
                    "Job %(job)s can hold at most %(max)s files, and would hold %(count)s. "
                    "Combine pages into fewer PDF files, or remove files the job no longer "
                    "needs. Nothing was stored.",
                    job=self.name,
                    max=per_job,
                    count=count,
                )
            )

    # === BUSINESS METHODS - CHANGES BY THE CUSTOMER (PORTAL) OR ON THEIR BEHALF === #

    # The customer's changes from the portal, or an operator's in the upload dialog:
    # uploads checked and added, files removed, the ticket parsed and changed, each
    # change recorded.

    def _check_portal_may_change(self, editable):
        """Refuse a change from the portal of a job that is not among the ``editable`` jobs
        (``print.order._get_portal_editable_jobs``)."""
        blocked = self - editable
        if blocked:
            raise UserError(
                self.env._(
                    "Job %(job)s was not asked to change: it stays as it is.", job=blocked[0].name
                )
            )

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
        # The shop's caps first (_check_upload_file_caps): nothing is read above them.
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

    # === BUSINESS METHODS - PREFLIGHT === #

    def _preflight_ticket(self):
        """The job ticket as the preflight reads it."""
        self.ensure_one()
        template = self.product_id.product_tmpl_id
        return preflight.PrintSpec(
            width_mm=template.print_media_width_mm or 0.0,
            height_mm=template.print_media_height_mm or 0.0,
            color_mode=self.color_mode or "color",
            min_dpi=self.company_id.print_preflight_min_dpi or 150,
        )

    def _preflight_limits(self):
        """Size and time limits (system parameters ``print_change_request.preflight_*``).

        ``sync_timeout`` (10 s): what all the quick checks of one upload or change may take
        together; files left over are checked in the background.  ``cron_budget``: what one
        cron pass may surely work, under the watchdog of Odoo's cron worker
        (``limit_time_real_cron``, else ``limit_time_real``: 120 s by default), whose idle
        wait before the pass counts (``lib/preflight_queue.worker_capacity``; at most
        ``run_seconds`` when set).  ``background_timeout`` (60 s): what one file may take
        in the background, within that budget."""
        get = self.env["ir.config_parameter"].sudo().get_param

        def number(key, default):
            try:
                return float(get(f"print_change_request.preflight_{key}", default))
            except ValueError:
                return float(default)

        cron_limit = config.get("limit_time_real_cron") or 0
        if cron_limit < 0:
            cron_limit = config.get("limit_time_real") or 0
        cron_budget = preflight_queue.worker_capacity(
            cron_limit,
            prefork=bool(config.get("workers")),
            sleep_interval=SLEEP_INTERVAL,
            run_seconds=number("run_seconds", 0),
        )
        background = number("background_timeout", DEFAULT_BACKGROUND_TIMEOUT)
        return {
            "sync_max_bytes": number("sync_max_mb", DEFAULT_SYNC_MAX_MB) * 1024 * 1024,
            "sync_timeout": number("sync_timeout", DEFAULT_SYNC_TIMEOUT),
            "background_timeout": preflight_queue.file_time_limit(cron_budget, background),
            "cron_budget": cron_budget,
            "memory_mb": int(number("memory_mb", DEFAULT_MEMORY_MB)),
        }

    def _preflight_run(self, background=False, budget=None):
        """Check the files of the jobs against their tickets and store what was found.

        Each content is read once (``print.preflight.scan``): a ticket change, a file added
        or removed judges the cached scans again and reads only the new files.  In the
        foreground (a file attached, a ticket changed, the button) files bigger than the
        ``sync_max_mb`` limit, or not checked within the ``sync_timeout`` budget, are left to
        the background: the job is ``pending`` and the preflight cron is triggered at once.
        The cron (``background=True``) checks them with the longer time limit; a file that
        runs out of that too is marked as not checkable (a ``damaged`` finding the operator
        sees) rather than tried again and again."""
        if not self:
            return
        limits = self._preflight_limits()
        if background:
            timeout = limits["background_timeout"]
            budget = budget or ScanBudget(limits["cron_budget"])
        else:
            timeout = limits["sync_timeout"]
            budget = budget or ScanBudget(timeout, shorten=True)
        jobs = self.sudo()
        attachments = jobs.attachment_ids.sorted("id")
        reports = self.env["print.preflight.scan"]._get_reports(
            [
                (att.name, att.checksum or "", att.file_size, lambda att=att: att.raw)
                for att in attachments
            ],
            timeout=timeout,
            final_limit=limits["background_timeout"],
            memory_mb=limits["memory_mb"],
            budget=budget,
            max_bytes=None if background else limits["sync_max_bytes"],
            retry_timeouts=background,
        )
        scanned = dict(zip(attachments, reports, strict=True))
        results = {}
        deferred = self.browse()
        for job in jobs:
            ticket = job._preflight_ticket()
            checked = []
            for attachment in job.attachment_ids.sorted("id"):
                report = scanned.get(attachment)
                if report is None:
                    deferred |= job
                    continue
                checked.append((attachment, preflight.apply_ticket(report, ticket)))
            results[job.id] = checked
        self._preflight_store(results, pending=deferred)
        if deferred:
            self.env.ref("print_change_request.ir_cron_preflight").sudo()._trigger()

    def _preflight_store(self, results, pending):
        """Replace the jobs' findings with ``results`` ({job id: [(attachment, report)]})
        and sum them up on the jobs; ``pending`` jobs wait for the background check."""
        finding_model = self.env["print.preflight.finding"]
        templates = finding_model._message_templates()
        reasons = {}
        vals_list = []
        for job in self.sudo():
            summary = {"severities": set(), "pages": 0, "sizes": [], "color": False}
            for attachment, report in results.get(job.id, []):
                summary["pages"] += report.page_count
                summary["color"] = summary["color"] or report.is_color
                if report.page_width_mm and report.page_height_mm:
                    size = f"{report.page_width_mm:g} x {report.page_height_mm:g} mm"
                    if size not in summary["sizes"]:
                        summary["sizes"].append(size)
                for finding in report.findings:
                    summary["severities"].add(finding.severity)
                    if finding.reason not in reasons:
                        reasons[finding.reason] = self.env.ref(
                            f"print_change_request.reason_{finding.reason}",
                            raise_if_not_found=False,
                        )
                    vals_list.append(
                        {
                            "job_id": job.id,
                            "attachment_id": attachment.id,
                            "file_name": attachment.name,
                            "severity": finding.severity,
                            "code": finding.code,
                            "message": finding_model._message_of(finding, templates),
                            "reason_id": reasons[finding.reason].id
                            if reasons[finding.reason]
                            else False,
                        }
                    )
            if job in pending:
                state = "pending"
            elif not job.attachment_ids:
                state = False
            else:
                state = preflight.verdict(summary["severities"])
            vals = {
                "preflight_state": state,
                "preflight_page_size": ", ".join(summary["sizes"]),
                "preflight_is_color": summary["color"],
                "preflight_date": fields.Datetime.now(),
            }
            # The page count prices the job: written only when counted in full and changed, so
            # that a check again (or one still pending) does not price the job again.
            if state != "pending" and summary["pages"] != job.preflight_page_count:
                vals["preflight_page_count"] = summary["pages"]
            job.write(vals)
        self.sudo().preflight_finding_ids.unlink()
        finding_model.sudo().create(vals_list)

    def _preflight_uploads(self, files):
        """Check each of ``files`` (``[(name, bytes)]``) *before* it is stored, as the
        portal's upload does, all within one quick-check budget (``sync_timeout``); each
        content is read once and its outcome kept (``print.preflight.scan``), so storing the
        files checks nothing again.  A file is refused when ``blocking`` (an ``error``
        finding); the other findings are shown and the upload goes on.

        Returns per file ``{"state": "ok" | "info" | "warning" | "error" | "pending",
        "blocking": bool, "findings": [{"severity", "code", "message"}]}``, messages in the
        user's language.  A file too big (or too slow) to check now is ``pending``: stored,
        and the job's preflight checks it in the background."""
        self.ensure_one()
        limits = self._preflight_limits()
        reports = self.env["print.preflight.scan"]._get_reports(
            [
                (name, hashlib.sha1(data or b"").hexdigest(), len(data or b""), lambda d=data: d)
                for name, data in files
            ],
            timeout=limits["sync_timeout"],
            final_limit=limits["background_timeout"],
            memory_mb=limits["memory_mb"],
            budget=ScanBudget(limits["sync_timeout"], shorten=True),
            max_bytes=limits["sync_max_bytes"],
        )
        ticket = self.sudo()._preflight_ticket()
        finding_model = self.env["print.preflight.finding"]
        templates = finding_model._message_templates()
        results = []
        for scan in reports:
            if scan is None:
                results.append({"state": "pending", "blocking": False, "findings": []})
                continue
            report = preflight.apply_ticket(scan, ticket)
            results.append(
                {
                    "state": report.state,
                    "blocking": report.state == preflight.ERROR,
                    "findings": [
                        {
                            "severity": finding.severity,
                            "code": finding.code,
                            "message": finding_model._message_of(finding, templates),
                        }
                        for finding in report.findings
                    ],
                }
            )
        return results

    @api.model
    def _cron_preflight_pending(self):
        """Check the files left to the background, one customer's file after another's
        (:meth:`_preflight_queue`), each outcome committed, and end the run in the time the
        cron worker surely has left (``cron_budget``, counted from the start of the cron
        pass): a file is started only when its whole time limit fits.  The jobs whose files
        are all read are judged; Odoo is told the progress (``ir.cron._notify_progress``)
        and the cron triggered again while files wait."""
        limits = self._preflight_limits()
        cron = self.env.ref("print_change_request.ir_cron_preflight").sudo()
        elapsed = cron._get_pass_elapsed() or 0.0
        budget = ScanBudget(limits["cron_budget"] - elapsed, commit=self.env.cr.commit)
        timeout = limits["background_timeout"]
        queue, ready = self._preflight_queue(timeout)
        scan_model = self.env["print.preflight.scan"]
        # Judged from the kept scans only (nothing is read again) as soon as all their files
        # are read: a customer's job does not wait for the end of the run.
        ready._preflight_judge(budget)
        unread = Counter(job for _attachment, jobs in queue for job in jobs)
        done = 0
        for attachment, jobs in queue:
            if budget.left() < timeout:
                break  # no time for another file: the next run (triggered below) goes on
            (report,) = scan_model._get_reports(
                [
                    (
                        attachment.name,
                        attachment.checksum or "",
                        attachment.file_size,
                        lambda att=attachment: att.raw,
                    )
                ],
                timeout=timeout,
                final_limit=timeout,
                memory_mb=limits["memory_mb"],
                budget=budget,
                retry_timeouts=True,
            )
            if report is None:
                break  # out of time after all
            done += 1
            unread.subtract(jobs)
            jobs.filtered(lambda job: unread[job] <= 0)._preflight_judge(budget)
        remaining = len(queue) - done
        _logger.info(
            "Preflight run: %s files read, %s waiting; %.1f s into the cron pass "
            "(budget %.1f s, %.1f s per file)",
            done,
            remaining,
            limits["cron_budget"] - budget.left(),
            limits["cron_budget"],
            timeout,
        )
        cron._notify_progress(done=done, remaining=remaining)
        if remaining:
            # Now (Odoo wakes a worker at once) and a second later: when no file fitted,
            # Odoo drops the triggers older than the run's start.
            now = fields.Datetime.now()
            cron._trigger(at=[now, now + timedelta(seconds=1)])
        return done

    def _preflight_judge(self, budget):
        """Store the findings of jobs whose files are all read (from the kept scans), and
        keep them at once with the run's ``budget``."""
        if self:
            self._preflight_run(background=True, budget=ScanBudget(0))
            budget.save()

    def _preflight_queue(self, final_limit):
        """The files of the pending jobs still to read, in the order to read them:
        ``([(attachment, jobs)], jobs to judge)``.  One customer's file after another's
        (``lib/preflight_queue.fair_order``), oldest first within each, the customer the
        background served longest ago (:meth:`_preflight_served_on`) first, so that a
        customer's many slow files do not hold the next customer's back; and the pending
        jobs whose files are all read already."""
        jobs = self.sudo().search([("preflight_state", "=", "pending")], order="id")
        if not jobs:
            return [], jobs
        attachments = jobs.attachment_ids
        scans = {
            (scan.checksum, scan.file_type): scan
            for scan in self.env["print.preflight.scan"]
            .sudo()
            .search([("checksum", "in", list(set(attachments.mapped("checksum"))))])
        }
        jobs_of = {}
        to_read = []
        ready = self.browse()
        for job in jobs:
            customer = job.order_id.partner_id.commercial_partner_id.id
            unread = False
            for attachment in job.attachment_ids:
                scan = scans.get(
                    (attachment.checksum or "", preflight.file_type_key(attachment.name))
                )
                final = (
                    scan and scan.report and (not scan.timed_out or scan.time_limit >= final_limit)
                )
                if final:
                    continue
                unread = True
                if attachment not in jobs_of:
                    jobs_of[attachment] = job
                    to_read.append((attachment, customer))
                else:
                    jobs_of[attachment] |= job
            if not unread:
                ready |= job
        served = self._preflight_served_on({customer for _attachment, customer in to_read})
        order = preflight_queue.fair_order(
            [
                (attachment, customer, attachment.id, served.get(customer))
                for attachment, customer in to_read
            ]
        )
        return [(attachment, jobs_of[attachment]) for attachment in order], ready

    @api.model
    def _preflight_served_on(self, customer_ids, hours=24):
        """``{commercial partner id: when the background last started checking a file of
        one of their orders}`` over the last ``hours`` (customers not served are left out)."""
        if not customer_ids:
            return {}
        self.env["print.preflight.scan"].flush_model(["started_on"])
        self.env.cr.execute(
            SQL(
                """
                SELECT partner.commercial_partner_id, MAX(scan.started_on)
                  FROM print_preflight_scan scan
                  JOIN ir_attachment att ON att.checksum = scan.checksum
                  JOIN print_job_attachment_rel rel ON rel.attachment_id = att.id
                  JOIN print_job job ON job.id = rel.job_id
                  JOIN print_order o ON o.id = job.order_id
                  JOIN res_partner partner ON partner.id = o.partner_id
                 WHERE partner.commercial_partner_id IN %s
                   AND scan.started_on > (now() AT TIME ZONE 'UTC') - %s * interval '1 hour'
                 GROUP BY partner.commercial_partner_id
                """,
                tuple(customer_ids),
                hours,
            )
        )
        return dict(self.env.cr.fetchall())

    # === BUSINESS METHODS - PRICING === #

    def _get_pricing_ticket(self, **values):
        """The job's ticket as :mod:`lib.pricing` reads it; ``values`` replace the job's."""
        self.ensure_one()
        return pricing.Ticket(
            pages=values.get("pages", self.preflight_page_count),
            copies=values.get("copies", self.copies) or 1,
            color_mode=values.get("color_mode", self.color_mode),
            sides=values.get("sides", self.sides),
            finishing=values.get("finishing", self.finishing),
        )

    def _differs_from_shop_price(self, price_unit):
        self.ensure_one()
        digits = self.env["decimal.precision"].precision_get("Product Price")
        return float_compare(price_unit, self.price_unit_shop, precision_digits=digits) != 0

    def _get_price_lines(self):
        """The job as priced lines, the same for the order's amounts and its invoice:
        ``[{name, product, quantity, price_unit, taxes}]``, prices per copy.

        The shop's price gives one line per component that costs something (the media line
        always); a price set by hand gives one line, taxed as the media."""
        self.ensure_one()
        if self.price_manual and self._differs_from_shop_price(self.price_unit):
            return [
                {
                    "name": self.name,
                    "product": self.product_id,
                    "quantity": self.copies,
                    "price_unit": self.price_unit,
                    "taxes": self.tax_ids,
                }
            ]
        return self.order_id._get_print_price_lines(
            self.name,
            pricing.Breakdown(
                ticket=self._get_pricing_ticket(),
                media=self.price_media,
                printing=self.price_printing,
                finishing=self.price_finishing,
            ),
            {
                pricing.MEDIA: self.product_id,
                pricing.PRINTING: self.printing_product_id,
                pricing.FINISHING: self.finishing_product_id,
            },
            {
                pricing.MEDIA: self.tax_ids,
                pricing.PRINTING: self.printing_tax_ids,
                pricing.FINISHING: self.finishing_tax_ids,
            },
        )

    def _get_price_base_lines(self):
        """The job's lines as Odoo's tax helpers read them (``account.tax`` base lines)."""
        self.ensure_one()
        return self.order_id._get_print_base_lines(self._get_price_lines(), record=self)
