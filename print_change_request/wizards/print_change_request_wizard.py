from collections import namedtuple

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.tools import SQL

from ..lib import communication_state as cs
from ..lib import notifications
from ..lib.text_limits import MESSAGE_MAX_LENGTH, NOTE_MAX_LENGTH

#: What the operator chooses on a line of the dialog: saved at once for lines chosen alike.
LINE_CHOICE_FIELDS = ("to_change", "reason_id", "note")

#: A ticked line of the dialog, as the request reads it (``_selected_lines``): ids and text.
SelectedLine = namedtuple(
    "SelectedLine", ["job_id", "attachment_id", "file_name", "reason_id", "note"]
)


class PrintChangeRequestWizard(models.TransientModel):
    """ "Send a change request for:": the operator picks the files and job tickets the
    customer must change.  It only collects and checks input; the orders and refunds do
    the rest.  On an order whose payment is only authorized (captured manually), the
    release question replaces the refund question."""

    _name = "print.change.request.wizard"
    _description = "Send a change request"

    # === FIELDS === #

    order_ids = fields.Many2many(
        comodel_name="print.order", string="Orders", required=True, readonly=True
    )
    job_ids = fields.Many2many(
        comodel_name="print.job",
        relation="print_change_request_wizard_job_rel",
        string="Jobs",
        compute="_compute_job_ids",
    )
    line_ids = fields.One2many(
        comodel_name="print.change.request.line", inverse_name="wizard_id", string="Files"
    )
    ticket_job_ids = fields.Many2many(
        comodel_name="print.job",
        relation="print_change_request_wizard_ticket_rel",
        string="Job tickets to change",
        domain="[('id', 'in', job_ids)]",
    )
    ticket_note = fields.Text(string="What must change in the job tickets")
    message = fields.Text(string="Message to the customer")
    is_paid = fields.Boolean(compute="_compute_refund_info")
    currency_id = fields.Many2one(comodel_name="res.currency", compute="_compute_refund_info")
    amount_to_refund = fields.Monetary(compute="_compute_refund_info")
    amount_to_release = fields.Monetary(compute="_compute_release_info")
    done = fields.Boolean(readonly=True)
    multi_order = fields.Boolean(compute="_compute_job_ids")

    # === COMPUTE METHODS === #

    @api.depends("order_ids")
    def _compute_job_ids(self):
        for wizard in self:
            # The form's domain of the job tickets, read again by each save of the dialog.
            wizard.job_ids = self._live_jobs(wizard.order_ids)
            wizard.multi_order = len(wizard.order_ids) > 1

    @api.depends("order_ids.amount_paid")
    def _compute_refund_info(self):
        for wizard in self:
            paid = wizard.order_ids.filtered("amount_paid")
            wizard.is_paid = bool(paid)
            wizard.currency_id = paid[:1].currency_id or wizard.order_ids[:1].currency_id
            wizard.amount_to_refund = sum(paid.mapped("amount_paid"))

    @api.depends("order_ids.amount_authorized")
    def _compute_release_info(self):
        for wizard in self:
            wizard.amount_to_release = sum(wizard.order_ids.mapped("amount_authorized"))

    # === CONSTRAINT METHODS === #

    @api.constrains("order_ids", "ticket_job_ids")
    def _check_orders_and_jobs_reachable(self):
        """The dialog's orders and job tickets are records the user can open (their
        companies'): refused without their names, which the user may not read."""
        if self.env.su:
            return
        for wizard in self.sudo():
            for records in (wizard.order_ids, wizard.ticket_job_ids):
                reachable = records.sudo(False).search([("id", "in", records.ids)])
                if len(reachable) != len(records):
                    raise AccessError(
                        self.env._(
                            "The Request for change dialog lists only orders and jobs you "
                            "can open: it names one of another company, or one that does "
                            "not exist."
                        )
                    )

    @api.constrains("message", "ticket_note")
    def _check_text_length(self):
        for wizard in self:
            if len(wizard.message or "") > MESSAGE_MAX_LENGTH:
                raise ValidationError(
                    self.env._(
                        "The message to the customer is too long (%(length)s characters): "
                        "keep it under %(max)s and put details in the notes of the files.",
                        length=len(wizard.message),
                        max=MESSAGE_MAX_LENGTH,
                    )
                )
            if len(wizard.ticket_note or "") > NOTE_MAX_LENGTH:
                raise ValidationError(
                    self.env._(
                        "The note on the job tickets is too long (%(length)s characters): "
                        "keep it under %(max)s.",
                        length=len(wizard.ticket_note),
                        max=NOTE_MAX_LENGTH,
                    )
                )

    # === CRUD METHODS === #

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") != "print.order" or not context.get("active_ids"):
            return values
        orders = self.env["print.order"].browse(context["active_ids"]).exists()
        values["order_ids"] = [Command.set(orders.ids)]
        if "line_ids" in fields_list:
            values["line_ids"] = [
                Command.create(vals) for vals in self._default_lines_vals(orders)
            ]
        return values

    @api.model
    def _create_for_orders(self, orders):
        """The dialog of ``orders``, saved with its default lines (those of
        :meth:`default_get`), for the order's button to open by its id.

        The web client then reads the dialog, one page of lines, instead of building every
        line as a new record in an onchange and sending them all back on save: for 100 jobs
        of 5 files, that was most of the operator's wait.  The lines of the files the
        preflight found nothing in are made by the database from the jobs' files
        (``_insert_for_files``); only the files with findings are prepared in Python."""
        wizard = self.with_context(active_model=None, active_ids=None).create(
            {"order_ids": [Command.set(orders.ids)]}
        )
        jobs = self._live_jobs(orders)
        self.env["print.change.request.line"]._insert_for_files(
            wizard, jobs, self._chosen_lines_vals(jobs)
        )
        return wizard

    def write(self, vals):
        """Lines changed alike (ticked with the same reason and note) are written at once,
        one write per set of values, where the web client sends one update per line."""
        commands = vals.get("line_ids")
        if isinstance(commands, list | tuple):
            updates, others = {}, []
            for command in commands:
                if command[0] == Command.UPDATE and isinstance(command[2], dict):
                    try:
                        key = tuple(sorted(command[2].items()))
                        hash(key)
                    except TypeError:  # unhashable values: as Odoo writes them
                        others.append(command)
                        continue
                    updates.setdefault(key, []).append(command[1])
                else:
                    others.append(command)
            if updates:
                self._write_lines_alike(updates)
                vals = {**vals, "line_ids": others}
        return super().write(vals)

    def _write_lines_alike(self, updates):
        """Write ``{tuple of (field, value): line ids}``, each group at once.

        Only the operator's choices (:data:`LINE_CHOICE_FIELDS`) on the dialogs' own lines
        are written in SQL: the lines are checked once (the user's record rule, in the
        query that finds them) and written in one UPDATE a group (:meth:`_update_own_lines`):
        the ORM's write checked the rule on each of 500 lines in Python, then wrote them one
        row of values each.  Any other line id, and any group with another field (the job,
        the file, its name, the company, the dialog), is written by the ORM as the user,
        with its checks; another line id is refused before any line is written.  Nothing is
        written in sudo."""
        Line = self.env["print.change.request.line"]
        Line.check_access("write")
        own = set(Line.search([("wizard_id", "in", self.ids)])._ids)
        for key, line_ids in updates.items():
            foreign = [line_id for line_id in line_ids if line_id not in own]
            if foreign:
                Line.browse(foreign).write(dict(key))
        for key, line_ids in updates.items():
            lines = Line.browse(line_id for line_id in line_ids if line_id in own)
            if set(dict(key)) <= set(LINE_CHOICE_FIELDS):
                self._update_own_lines(lines, dict(key))
            else:  # what the dialog does not send: as Odoo writes it (its checks too)
                lines.write(dict(key))

    def _update_own_lines(self, lines, vals):
        """Write the operator's choice ``vals`` (fields of :data:`LINE_CHOICE_FIELDS`) on
        ``lines``, the dialog's own, in one UPDATE, as the ORM would store it (write_uid
        and write_date included), then check the notes (``_check_note_length``)."""
        if not lines:
            return
        if not set(vals) <= set(LINE_CHOICE_FIELDS):
            raise ValueError(f"only the operator's choices are written in SQL, not {vals}")
        if vals.get("reason_id"):  # a reason the user may read, as the form offers them
            self._check_reason(vals["reason_id"])
        lines.flush_recordset()
        columns = [
            SQL(
                "%s = %s",
                SQL.identifier(name),
                lines._fields[name].convert_to_column_update(
                    lines._fields[name].convert_to_cache(value, lines), lines
                ),
            )
            for name, value in vals.items()
        ]
        self.env.execute_query(
            SQL(
                """
                UPDATE %s
                   SET %s, write_uid = %s, write_date = now() AT TIME ZONE 'UTC'
                 WHERE id = ANY(%s)
                """,
                SQL.identifier(lines._table),
                SQL(", ").join(columns),
                self.env.uid,
                list(lines._ids),
            )
        )
        lines.invalidate_recordset([*vals, "write_uid", "write_date"])
        lines.modified(list(vals))  # what depends on them (the reason's "note required")
        if len(vals.get("note") or "") > NOTE_MAX_LENGTH:
            lines._check_note_length()  # its error names the file

    def _check_reason(self, reason_id):
        """The reason chosen exists and the user may read it (the ORM's write would check)."""
        reason = self.env["print.change.reason"].browse(reason_id)
        if not reason.exists():
            raise MissingError(
                self.env._("The reason chosen no longer exists: choose another one.")
            )
        reason.check_access("read")

    # === ACTION METHODS === #

    def action_confirm(self):
        """OK: check the choice, then ask about the refund when an order is paid.

        An unpaid request is checked once, by ``_execute`` under the orders' lock."""
        self.ensure_one()
        self.order_ids._check_operator()
        if self.is_paid:
            self._check_request()
            return {
                "type": "ir.actions.act_window",
                "name": self.env._("The customer has already paid the order"),
                "res_model": "print.refund.confirm.wizard",
                "view_mode": "form",
                "target": "new",
                "context": {"default_request_wizard_id": self.id},
            }
        release = self._get_release_dialog()
        if release:
            return release
        return self._execute(refund_method=None)

    # === BUSINESS METHODS - DEFAULT LINES === #

    @api.model
    def _default_lines_vals(self, orders):
        """The dialog's default lines for ``orders``: each live job's files, in order, as
        the opened dialog has them (the same SELECT, ``_select_for_files``).

        Only the columns the lines need are read (the files' names, the findings' reasons
        and messages): an order of 100 jobs of 5 files has 500 files."""
        jobs = self._live_jobs(orders)
        Line = self.env["print.change.request.line"]
        rows = self.env.execute_query(Line._select_for_files(jobs, self._chosen_lines_vals(jobs)))
        lines = [dict(zip(Line._FILE_LINE_COLUMNS, row, strict=True)) for row in rows]
        for vals in lines:
            if not vals["to_change"]:  # a clean file's line sets only what it shows
                del vals["to_change"], vals["reason_id"], vals["note"]
        return lines

    @api.model
    def _chosen_lines_vals(self, jobs):
        """The lines of the jobs' files the preflight found problems in, pre-ticked
        (:meth:`_prepare_lines_vals`): the other files get one unticked line each."""
        return [
            vals
            for (job_id, attachment_id), findings in self._preflight_problems(jobs).items()
            for vals in self._prepare_lines_vals(job_id, attachment_id, False, findings)
        ]

    @api.model
    def _live_jobs(self, orders):
        """The orders' live jobs, order by order as the orders are given, each order's in
        its own order: their ids and orders only, not every column of every job."""
        rank = {order_id: index for index, order_id in enumerate(orders.ids)}
        return (
            self.env["print.job"]
            .search_fetch(
                [("order_id", "in", orders.ids), ("communication_state", "!=", cs.CANCELED)],
                ["order_id"],
                order="sequence, id",
            )
            .sorted(lambda job: rank[job.order_id.id])
        )

    @api.model
    def _preflight_problems(self, jobs):
        """The preflight's errors and warnings of the jobs' files, worst first, by
        (job id, attachment id), as (reason id or False, message): the files the customer
        will most likely have to change."""
        problems = {}
        Finding = self.env["print.preflight.finding"]
        query = Finding._search(
            [("job_id", "in", jobs.ids), ("severity", "in", ("error", "warning"))],
            order="severity_rank desc, id",
        )
        columns = ("job_id", "attachment_id", "reason_id", "message")
        rows = self.env.execute_query(
            query.select(*(Finding._field_to_sql(query.table, name, query) for name in columns))
        )
        for job_id, attachment_id, reason_id, message in rows:
            problems.setdefault((job_id, attachment_id), []).append((reason_id or False, message))
        return problems

    @api.model
    def _prepare_lines_vals(self, job_id, attachment_id, file_name, findings=None):
        """A file's lines: one per reason the preflight found (page size and fonts are two
        lines, so that each reason reaches the request and the customer's e-mail), or one
        unticked line for a clean file.  ``findings`` are (reason id or False, message),
        worst first; those without a reason go with the first reason."""
        by_reason = {}
        for reason_id, message in findings or ():
            by_reason.setdefault(reason_id, []).append((reason_id, message))
        loose = by_reason.pop(False, [])
        if not by_reason:
            return [self._prepare_line_vals(job_id, attachment_id, file_name, loose)]
        groups = list(by_reason.values())
        groups[0] = groups[0] + loose
        return [
            self._prepare_line_vals(job_id, attachment_id, file_name, group) for group in groups
        ]

    @api.model
    def _prepare_line_vals(self, job_id, attachment_id, file_name, findings=None):
        """A file's line: pre-ticked, with the reason and the findings as the note, when the
        preflight found errors or warnings in it (the operator may untick it)."""
        vals = {"job_id": job_id, "attachment_id": attachment_id, "file_name": file_name}
        if findings:
            vals.update(
                {
                    "to_change": True,
                    "reason_id": next((reason for reason, _message in findings if reason), False),
                    "note": " ".join(message for _reason_id, message in findings),
                }
            )
        return vals

    # === BUSINESS METHODS - THE REQUEST === #

    def _selected_lines(self):
        """The ticked lines as plain rows (:class:`SelectedLine`), in the dialog's order.

        Read in one query with the record rules of ``_search``: the OK of a request on 100
        jobs of 5 files handled 500 line records field by field, most of its Python."""
        self.ensure_one()
        Line = self.env["print.change.request.line"]
        query = Line._search([("wizard_id", "=", self.id), ("to_change", "=", True)], order="id")
        rows = self.env.execute_query(
            query.select(
                *(Line._field_to_sql(query.table, name, query) for name in SelectedLine._fields)
            )
        )
        return [SelectedLine(*row) for row in rows]

    def _check_request(self):
        """Refuse an empty or impossible request with a message saying what to do
        (``print.order._check_change_request``), before any question is asked."""
        self.ensure_one()
        self._check_not_done()
        self.order_ids._check_change_request(**self._get_request_values())

    def _check_not_done(self):
        if self.done:
            raise UserError(self.env._("This request for change was already sent."))

    def _get_request_values(self):
        """The dialog's choice, as ``print.order._send_change_request`` takes it: the ticked
        files, the job tickets, the note and the message."""
        return {
            "files": [line._asdict() for line in self._selected_lines()],
            "ticket_job_ids": self.ticket_job_ids.ids,
            "ticket_note": self.ticket_note,
            "message": self.message,
        }

    def _execute(self, refund_method, release_method=None):
        """Send the request (``print.order._send_change_request``): ``refund_method`` is
        "automatic", "manual" or None; ``release_method`` (the same by default) for payments
        only authorized.  Then say what was done.

        Two operators on the same orders are serialized by the orders' row locks; the same
        dialog confirmed twice sends once (``done``, read again under the lock)."""
        self.ensure_one()
        self.check_access("write")  # another operator's dialog is not to be run by its id
        orders = self.order_ids
        orders._check_operator()
        orders._lock_for_update()
        # Checked under the lock: a second click may have waited for the first one to end.
        self.invalidate_recordset(["done"])
        self._check_not_done()
        result = orders._send_change_request(
            **self._get_request_values(),
            refund_method=refund_method,
            release_method=release_method,
        )
        self.done = True
        return self._result_action(result.requests, result.refunds, result.releases)

    def _result_action(self, requests, refunds, releases=None):
        failed = refunds.filtered(lambda refund: refund.state == "failed")
        unconfirmed = refunds.filtered(
            lambda refund: refund.state == "pending" and refund.failure_reason
        )
        not_told = requests.filtered(lambda request: request.mail_state == "failed")
        told = requests - not_told
        messages = []
        if told:
            messages.append(
                self.env._(
                    "Request for change sent for %s.", ", ".join(told.order_id.mapped("name"))
                )
            )
        if not_told:
            messages.append(
                self.env._(
                    "Request for change recorded for %s, but the e-mail to the customer "
                    "failed: the customer does not know yet. Fix the problem below, then "
                    "click Resend on the order.",
                    ", ".join(not_told.order_id.mapped("name")),
                )
            )
        for refund in unconfirmed:
            messages.append(
                self.env._(
                    "The automatic refund %(refund)s is not confirmed: %(reason)s",
                    refund=refund.name,
                    reason=refund.failure_reason,
                )
            )
        for refund in refunds - failed - unconfirmed:
            messages.append(
                self.env._(
                    "Refund %(refund)s of %(amount)s: %(state)s.",
                    refund=refund.name,
                    amount=refund._amount_label(),
                    state=refund._state_label()
                    if refund.method == "automatic"
                    else self.env._("to be made by hand by the accountants"),
                )
            )
        for refund in failed:
            messages.append(
                self.env._(
                    "The automatic refund %(refund)s failed: %(reason)s The accountants have a "
                    "to-do to refund the customer by hand.",
                    refund=refund.name,
                    reason=refund.failure_reason,
                )
            )
        for request in not_told:
            messages.append(
                self.env._(
                    "The email was not sent to %(customer)s: %(problem)s",
                    customer=request.partner_id.display_name,
                    problem=request.mail_failure,
                )
            )
        problem = failed or unconfirmed or not_told
        action = notifications.notification(
            self.env._("Request for change"),
            messages,
            kind="warning" if problem else "success",
            then=notifications.CLOSE,
        )
        # The authorized payments of the orders (_release_payments).
        released, manual, not_released = releases or (self.env["payment.transaction"],) * 3
        lines = [
            self.env._(
                "The authorized payment %(payment)s of %(amount)s was released: nothing was "
                "charged, nothing is refunded.",
                payment=tx.reference,
                amount=tx.currency_id.format(tx.amount),
            )
            if tx.state == "cancel"
            else self.env._(
                "The payment %(payment)s had been captured at the provider already: it was not "
                "released, the order is paid.",
                payment=tx.reference,
            )
            for tx in released
        ]
        lines += [
            self.env._(
                "The authorized payment %(payment)s of %(amount)s is to be released by the "
                "accountants (a to-do): nothing was charged.",
                payment=tx.reference,
                amount=tx.currency_id.format(tx.amount),
            )
            for tx in manual
        ]
        lines += [
            self.env._(
                "The release of the authorized payment %(payment)s failed: the accountants "
                "have a to-do, and Odoo tries again every hour.",
                payment=tx.reference,
            )
            for tx in not_released
        ]
        if lines:
            params = action["params"]
            params["message"] = "\n".join([params["message"], *lines])
            if not_released:
                params.update({"type": "warning", "sticky": True})
        return action

    # === BUSINESS METHODS - RELEASE OF AUTHORIZED PAYMENTS === #

    def _get_release_dialog(self):
        """The release question, when an order of the request holds an authorized payment;
        else False.  Asked before anything is sent: the request is checked first."""
        self.ensure_one()
        if not self.order_ids.filtered("is_payment_authorized"):
            return False
        self._check_request()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("The customer's payment is authorized"),
            "res_model": "print.release.confirm.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_request_wizard_id": self.id},
        }
