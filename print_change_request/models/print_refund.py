import logging
import uuid

import psycopg2

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare
from odoo.tools.misc import format_amount

from ..lib import communication_state as cs
from ..lib import notifications, refund_planning
from .print_row_lock_mixin import left_for_next_run, lock_rows

_logger = logging.getLogger(__name__)

REFUND_STATES = [
    ("draft", "Draft"),
    ("pending", "Pending"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("canceled", "Canceled"),
]
REFUND_METHODS = [
    (refund_planning.AUTOMATIC, "Automatic"),
    (refund_planning.MANUAL, "Manual"),
]
REFUND_ORIGINS = [
    ("odoo", "Requested in Odoo"),
    ("adopted", "Found at the provider, made by Odoo"),
    ("external", "Found at the provider, made outside Odoo"),
    ("overpaid", "Overpayment found by Odoo"),
]
#: What users (accountants) may write themselves: how a manual refund was made.
USER_WRITABLE_FIELDS = frozenset({"manual_reference"})


class PrintRefund(models.Model):
    """A refund to a print customer: planned when an operator requests a change to a paid
    order (or when an order received more than it is due), sent through the payment's
    provider or made by hand by the accountants, and booked (credit note, outbound payment,
    reconciliation).  Provider-specific refunds (e.g. Stripe's, in the module
    ``print_change_request_stripe``) override the provider hooks (:meth:`_send_provider_refund`,
    :meth:`_is_under_way_at_provider`, :meth:`_refresh_from_provider`,
    :meth:`_cron_follow_up_refunds`)."""

    _name = "print.refund"
    _description = "Refund to a print customer"
    _inherit = [
        "print.protected.fields.mixin",
        "print.sequence.mixin",
        "print.row.lock.mixin",
        "print.mail.sender.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _order = "id desc"
    _user_writable_fields = USER_WRITABLE_FIELDS
    _check_company_auto = True
    # Accountants and operators only read refunds, and may still discuss them.
    _mail_post_access = "read"
    _sequence_code = "print.refund"
    _sql_constraints = [
        ("idempotency_key_unique", "UNIQUE(idempotency_key)", "A refund key is used once."),
        ("amount_positive", "CHECK(amount > 0)", "A refund must be of a positive amount."),
    ]

    # === FIELDS === #

    order_id = fields.Many2one(
        comodel_name="print.order",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    request_id = fields.Many2one(
        comodel_name="print.change.request",
        string="Request for change",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
    partner_id = fields.Many2one(related="order_id.partner_id", string="Customer", store=True)
    company_id = fields.Many2one(comodel_name="res.company", required=True, readonly=True)
    currency_id = fields.Many2one(comodel_name="res.currency", required=True, readonly=True)
    amount = fields.Monetary(required=True, readonly=True, tracking=True)
    method = fields.Selection(
        selection=REFUND_METHODS, required=True, readonly=True, tracking=True
    )
    state = fields.Selection(
        selection=REFUND_STATES,
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    source_transaction_id = fields.Many2one(
        comodel_name="payment.transaction",
        string="Refunded payment",
        readonly=True,
        index="btree_not_null",
    )
    refund_transaction_id = fields.Many2one(
        comodel_name="payment.transaction",
        string="Refund transaction",
        readonly=True,
        index="btree_not_null",
        copy=False,
    )
    provider_id = fields.Many2one(related="source_transaction_id.provider_id")
    # Display only: which payment this refund gives back, for users who may not read
    # payment transactions (accountants, operators).
    refunded_payment_id = fields.Many2one(
        comodel_name="account.payment",
        string="Refunded payment (accounting)",
        compute="_compute_refunded_payment",
        compute_sudo=True,
        help="The customer's payment this refund gives back.",
    )
    refunded_payment_label = fields.Char(
        string="Refunds the payment",
        compute="_compute_refunded_payment",
        compute_sudo=True,
        help="The customer's payment this refund gives back: its reference, how and when "
        "it was paid, and its amount.",
    )
    provider_refund_id = fields.Char(
        string="Provider reference", readonly=True, copy=False, index="btree_not_null"
    )
    credit_note_id = fields.Many2one(
        comodel_name="account.move", string="Credit note", readonly=True, copy=False
    )
    payment_id = fields.Many2one(
        comodel_name="account.payment", string="Refund payment", readonly=True, copy=False
    )
    failure_reason = fields.Text(readonly=True, tracking=True, copy=False)
    idempotency_key = fields.Char(
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: f"print-refund-{uuid.uuid4().hex}",
        help="Sent with every request for this refund: the provider makes one refund per key.",
    )
    attempt_count = fields.Integer(string="Attempts", readonly=True, copy=False)
    manual_reference = fields.Char(
        string="Refund reference",
        tracking=True,
        copy=False,
        help="How the money went back: bank transfer reference, cash receipt...",
    )
    date_done = fields.Datetime(string="Refunded on", readonly=True, copy=False)
    origin = fields.Selection(
        selection=REFUND_ORIGINS,
        default="odoo",
        required=True,
        readonly=True,
        copy=False,
        help="Refunds found at the provider (e.g. made in Stripe's dashboard) are recorded "
        "so that the order's paid amount follows the money.",
    )
    to_check = fields.Boolean(
        string="To check",
        readonly=True,
        copy=False,
        tracking=True,
        help="Odoo found something an accountant must look at: a refund made outside Odoo, "
        "or an answer of the provider that does not match the refund.",
    )
    waiting_for_provider = fields.Boolean(
        compute="_compute_waiting_for_provider",
        compute_sudo=True,
        help="Sent through the payment provider, which has not confirmed the refund yet: Odoo "
        "follows it and never sends it again.",
    )
    can_send_again = fields.Boolean(
        compute="_compute_waiting_for_provider",
        compute_sudo=True,
        help="A failed automatic refund that may be sent again under its own key (Retry): "
        "one no provider holds yet, or one the provider can look up by its key (Stripe).",
    )

    # === COMPUTE METHODS === #

    @api.depends("state", "method", "refund_transaction_id")
    def _compute_waiting_for_provider(self):
        for refund in self:
            automatic = refund.method == refund_planning.AUTOMATIC
            refund.waiting_for_provider = automatic and refund.state == "pending"
            refund.can_send_again = (
                automatic
                and refund.state == "failed"
                and not refund.sudo()._is_under_way_at_provider()
            )

    @api.depends(
        "source_transaction_id.payment_id",
        "source_transaction_id.reference",
        "credit_note_id.reversed_entry_id",
        "order_id.invoice_ids.payment_state",
    )
    def _compute_refunded_payment(self):
        for refund in self:
            transaction = refund.source_transaction_id
            payment = transaction.payment_id
            if not payment and not transaction:
                invoice = (
                    refund.credit_note_id.reversed_entry_id
                    or refund.order_id._get_refundable_invoice()
                )
                payment = invoice._get_reconciled_payments().sorted("id")[-1:]
            refund.refunded_payment_id = payment
            refund.refunded_payment_label = refund._refunded_payment_label(transaction, payment)

    def _refunded_payment_label(self, transaction, payment):
        self.ensure_one()
        if transaction:
            return self.env._(
                "%(reference)s (%(provider)s, %(date)s): %(amount)s",
                reference=transaction.reference,
                provider=transaction.provider_id.name,
                date=fields.Date.to_string(
                    (transaction.last_state_change or transaction.create_date).date()
                ),
                amount=transaction.currency_id.format(transaction.amount),
            )
        if payment:
            return self.env._(
                "%(payment)s (%(journal)s, %(date)s): %(amount)s",
                payment=payment.name,
                journal=payment.journal_id.name,
                date=fields.Date.to_string(payment.date),
                amount=payment.currency_id.format(payment.amount),
            )
        return False

    # === CRUD METHODS === #

    # Refunds are money: only the methods below write them.

    def _check_protected_fields(self, vals, create=False):
        """Users create no refund, and may only note how a refund waiting to be made by
        hand was made (``USER_WRITABLE_FIELDS``); everything else moves through the actions
        below."""
        res = super()._check_protected_fields(vals, create=create)
        self._check_accountant()
        for refund in self:
            if not refund_planning.allowed("mark_done", refund.state, refund.method):
                raise UserError(
                    self.env._(
                        "Refund %(refund)s is %(state)s: its reference can no longer change.",
                        refund=refund.name,
                        state=refund._state_label(),
                    )
                )
        return res

    def _get_protected_fields_message(self, names, create=False):
        if create:
            return self.env._(
                "Refunds are created by Odoo when an operator requests a change to a paid "
                "order; they cannot be created by hand."
            )
        return self.env._(
            "Refunds change only through their buttons (Retry, Refund by hand, Mark as "
            "refunded, Cancel); %(fields)s cannot be written.",
            fields=", ".join(sorted(names)),
        )

    # === ACTION METHODS === #

    # The accountants' buttons on a refund: send or retry, refund by hand, mark done,
    # register the payment, cancel, mark checked.

    def _lock_for_action(self, action, refused):
        """Where the accountants' buttons on money begin: only accountants act on refunds,
        and only where lib/refund_planning.py allows ``action`` (``refused(refund)`` says
        why not); then the money lock, and the same check again on what was committed last
        (another accountant may have moved a refund a moment ago)."""
        self._check_action(action, refused)
        self._lock_money()
        self._check_action(action, self._already_moved_message)

    def _replan_under_lock(self):
        """Bring the refunds up to date with the provider (refunds made outside Odoo) and
        cancel those whose money already went back another way; the ones that settled
        meanwhile are left as they are.  Under the money lock."""
        self._refresh_from_provider()
        self._cancel_if_covered()

    def action_retry(self):
        """Send a failed automatic refund again, under the same idempotency key, for what is
        still to give back on its payment now."""
        self._lock_for_action(
            "retry",
            lambda refund: self.env._(
                "Only a failed automatic refund can be retried (%(refund)s is %(state)s).",
                refund=refund.name,
                state=refund._state_label(),
            ),
        )
        for refund in self.filtered(lambda r: r._is_under_way_at_provider()):
            raise UserError(refund._sent_once_message())
        self._replan_under_lock()
        todo = self.filtered(lambda r: r.state == "failed").sudo()
        todo._set_draft()
        todo._send()
        return self._notification_action()

    def _sent_once_message(self):
        self.ensure_one()
        refund_tx = self.refund_transaction_id.sudo()
        return self.env._(
            "Refund %(refund)s was sent to %(provider)s already (its refund transaction "
            "%(transaction)s is %(state)s): Odoo does not send it a second time, the provider "
            "could refund the customer twice. Check the refund at the provider; if it was not "
            "made, give the money back by hand (Refund by hand).",
            refund=self.name,
            provider=refund_tx.provider_id.display_name,
            transaction=refund_tx.reference,
            state=dict(refund_tx._fields["state"]._description_selection(self.env))[
                refund_tx.state
            ],
        )

    def action_send(self):
        """Send an automatic refund Odoo holds back for the accountants (the excess of an
        overpaid order): through the payment's provider, for what is still due on it."""
        self._lock_for_action(
            "send",
            lambda refund: self.env._(
                "Refund %(refund)s is %(state)s: only an automatic refund not sent yet can be "
                "sent.",
                refund=refund.name,
                state=refund._state_label(),
            ),
        )
        self.filtered("to_check").action_mark_checked()
        self._replan_under_lock()
        todo = self.filtered(lambda r: r.state == "draft").sudo()
        todo._send()
        return self._notification_action()

    def action_refund_manually(self):
        """The accountant will give the money back by hand."""
        self._lock_for_action(
            "refund_manually",
            lambda refund: self.env._(
                "Refund %(refund)s is %(state)s: it cannot be turned into a manual one.",
                refund=refund.name,
                state=refund._state_label(),
            ),
        )
        self._replan_under_lock()
        todo = self.filtered(lambda r: r.state in ("draft", "failed")).sudo()
        todo.write({"method": refund_planning.MANUAL, "failure_reason": False})
        todo._set_pending()
        return self._notification_action() if len(todo) < len(self) else True

    def _mark_done_refused(self, refund):
        return self.env._(
            "Refund %(refund)s is %(state)s: only a refund waiting to be made by hand can "
            "be marked as done.",
            refund=refund.name,
            state=refund._state_label(),
        )

    def action_open_mark_done(self):
        """ "Mark as refunded": ask how the money went back (reference, journal, date) in a
        dialog, as Odoo's "Register payment" does."""
        self.ensure_one()
        self._check_action("mark_done", self._mark_done_refused)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Mark as refunded"),
            "res_model": "print.refund.done.wizard",
            "view_mode": "form",
            "views": [[False, "form"]],
            "target": "new",
            "context": {"default_refund_id": self.id},
        }

    def action_mark_done(
        self, reference=None, journal_id=None, payment_method_line_id=None, payment_date=None
    ):
        """The accountant gave the money back by hand and says how (``reference``, or the
        reference entered on the refund), out of which bank or cash journal (``journal_id``,
        ``payment_method_line_id``: by default the company's first bank journal) and when
        (``payment_date``, by default today).  The money that went out is booked as Odoo
        books a payment registered on the credit note (:meth:`_book_manual_refund_payment`)."""
        self._lock_for_action("mark_done", self._mark_done_refused)
        reference = (reference or "").strip() if isinstance(reference, str) else ""
        for refund in self.filtered(lambda r: not (reference or r.manual_reference)):
            raise UserError(
                self.env._(
                    "Enter the refund reference (bank transfer, receipt...) of %(refund)s "
                    "before marking it as done.",
                    refund=refund.name,
                )
            )
        means = {
            refund.id: refund._get_manual_payment_means(journal_id, payment_method_line_id)
            for refund in self
        }
        date = self._parse_refund_date(payment_date)
        amounts = {refund.id: refund.amount for refund in self}
        self._refresh_from_provider()  # may settle some of them: they are left as they are
        todo = self.filtered(
            lambda r: refund_planning.allowed("mark_done", r.state, r.method)
        ).sudo()
        for refund in todo.filtered(lambda r: r.state == "failed"):
            if not refund._get_still_due():
                raise UserError(
                    self.env._(
                        "The money of refund %(refund)s already went back to the customer "
                        "through %(others)s. If you refunded by hand as well, the customer was "
                        "refunded twice: ask the customer to pay the difference back, then "
                        "cancel this refund.",
                        refund=refund.name,
                        others=", ".join(refund._get_other_committed_refunds().mapped("name")),
                    )
                )
        values = {"method": refund_planning.MANUAL}
        if reference:
            values["manual_reference"] = reference
        todo.write(values)
        # Stripe may have given (part of) the money back meanwhile (a refund made in its
        # dashboard, or sent for a request whose record was lost with its worker), found by
        # the refresh above or known already: that money is not given back twice.  A refund
        # lowered or canceled for it is not marked done: the accountant was asked for more.
        todo._fit_to_still_due()
        canceled = self.filtered(lambda r: r.state == "canceled")
        lowered = (self - canceled).filtered(
            lambda r: (
                float_compare(r.amount, amounts[r.id], precision_rounding=r.currency_id.rounding)
                < 0
            )
        )
        done = todo - lowered - canceled
        done._set_done()
        for refund in done:
            refund._book_manual_refund_payment(*means[refund.id], date, refund.manual_reference)
        if lowered or canceled:
            return self._not_done_notification(lowered, canceled)
        return True

    def _not_done_notification(self, lowered, canceled):
        """What the accountant reads when Mark as done found the money gone back (partly)
        another way: what became of each refund, and what to do."""
        lines = [
            self.env._(
                "%(refund)s is canceled, not done: its money already went back to the customer "
                "through %(others)s. If you refunded by hand as well, the customer was refunded "
                "twice: ask the customer to pay it back.",
                refund=refund.name,
                others=", ".join(refund._get_other_committed_refunds().mapped("name"))
                or self.env._("another refund"),
            )
            for refund in canceled
        ]
        lines += [
            self.env._(
                "%(refund)s is lowered to %(amount)s and not done yet: the rest already went "
                "back to the customer through %(others)s. Give back only %(amount)s, then mark "
                "it as done again; if you gave back more by hand, ask the customer to pay the "
                "difference back.",
                refund=refund.name,
                amount=refund._amount_label(),
                others=", ".join(refund._get_other_committed_refunds().mapped("name"))
                or self.env._("another refund"),
            )
            for refund in lowered
        ]
        return notifications.notification(self.env._("Not marked as done"), lines, kind="warning")

    def action_register_payment(self):
        """Open Odoo's "Register payment" on the refund's credit note."""
        self.ensure_one()
        self._check_accountant()
        if not self.credit_note_id:
            raise UserError(
                self.env._(
                    "Refund %(refund)s has no credit note: the order had no invoice. Refund "
                    "the customer, then enter the reference and mark it as done.",
                    refund=self.name,
                )
            )
        if self.credit_note_id.state == "draft":
            self.credit_note_id.action_post()
        return self.credit_note_id.action_register_payment()

    def action_cancel(self):
        """Nothing will be refunded (e.g. the order is printed after all).  Never for a
        canceled order: the shop keeps nothing of it (a refund made another way is marked
        as refunded, with its reference)."""
        self._lock_for_action(
            "cancel",
            lambda refund: self.env._(
                "Refund %(refund)s is %(state)s and cannot be canceled.",
                refund=refund.name,
                state=refund._state_label(),
            ),
        )
        for refund in self:
            if refund.order_id.communication_state == cs.CANCELED:
                raise UserError(
                    self.env._(
                        "Refund %(refund)s gives back the money of %(order)s, which is "
                        "canceled: it cannot be canceled. Send it, or refund by hand and mark "
                        "it as refunded with the reference of the money that went out.",
                        refund=refund.name,
                        order=refund.order_id.name,
                    )
                )
        self.sudo()._set_canceled(self.env._("Canceled by %s.", self.env.user.name))
        return True

    def action_mark_checked(self):
        """The accountant checked a refund Odoo flagged (found on Stripe, or not matching)."""
        self._check_accountant()
        for refund in self.filtered("to_check"):
            refund.sudo().write({"to_check": False})
            refund.sudo().activity_feedback(
                ["mail.mail_activity_data_todo"],
                feedback=self.env._("Checked by %s.", self.env.user.name),
            )
        return True

    def action_view_credit_note(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.credit_note_id.id,
            "view_mode": "form",
        }

    # === BUSINESS METHODS - STATES (THE ONLY WRITERS OF `state`) === #

    def _set_draft(self):
        """Back to draft, to be sent again under the same key (retry)."""
        self.write({"state": "draft", "failure_reason": False})

    def _set_pending(self, why=None):
        self.write({"state": "pending"})
        for refund in self.filtered(lambda r: r.method == refund_planning.MANUAL):
            refund._schedule_accountant_activity(
                self.env._(
                    "Refund %(amount)s to %(customer)s by hand",
                    amount=refund._amount_label(),
                    customer=refund.partner_id.display_name,
                ),
                refund._manual_reason_text(why),
            )

    def _set_done(self):
        self.write({"state": "done", "date_done": fields.Datetime.now(), "failure_reason": False})
        for refund in self:
            if refund.method == refund_planning.AUTOMATIC:
                refund._post_automatic_refund_accounting()
            refund.activity_feedback(
                ["mail.mail_activity_data_todo"], feedback=self.env._("Refund done.")
            )
            refund._post_on_order(
                body=self.env._(
                    "Refund %(refund)s of %(amount)s to the customer is done.",
                    refund=refund.name,
                    amount=refund._amount_label(),
                )
            )
        # Money went back: failed refunds of the same orders may now be covered.
        self._get_failed_siblings()._cancel_if_covered()
        # The shop tells the customer that their refund is done.
        for refund in self.filtered(lambda refund: refund.state == "done"):
            refund.order_id._send_print_confirmation(
                "print_change_request.mail_template_refund_done",
                render_context={"print_refund_id": refund.id},
            )

    def _get_failed_siblings(self):
        return (
            self.order_id.refund_ids | self.source_transaction_id.sudo().print_order_ids.refund_ids
        ).filtered(lambda r: r.state == "failed") - self

    def _set_failed(self, reason, detail=None):
        """``reason`` is what users read: plain words, what happens next; ``detail`` (the
        provider's technical answer) goes to the refund's log only."""
        was_done = self.filtered(lambda r: r.state == "done")
        self.write({"state": "failed", "failure_reason": reason})
        self.refund_transaction_id.sudo().filtered(
            lambda tx: tx.state in ("draft", "pending")
        )._set_error(reason)
        for refund in was_done:
            refund._undo_refund_payment()
        for refund in self:
            if detail:
                refund._message_log(
                    body=self.env._("Technical detail from the provider: %s", detail)
                )
            refund._schedule_accountant_activity(
                self.env._(
                    "Automatic refund failed: refund %(amount)s to %(customer)s",
                    amount=refund._amount_label(),
                    customer=refund.partner_id.display_name,
                ),
                self.env._(
                    "%(reason)s\nRetry the automatic refund, or give the money back by hand "
                    "(post the credit note and register the payment, or mark the refund as "
                    "done with its reference).",
                    reason=reason,
                ),
            )
            refund._post_on_order(
                body=self.env._(
                    "The automatic refund %(refund)s of %(amount)s failed: %(reason)s",
                    refund=refund.name,
                    amount=refund._amount_label(),
                    reason=reason,
                )
            )

    def _set_unconfirmed(self, reason, detail=None):
        """The provider did not answer: the refund may have been made all the same.  It
        stays pending — its money counts as on its way back, so no other refund of the
        payment is planned meanwhile — until the follow-up finds it at the provider, or
        sends it again under the same key."""
        self.write({"state": "pending", "failure_reason": reason})
        self.refund_transaction_id.sudo().filtered(lambda tx: tx.state == "draft")._set_pending(
            state_message=reason
        )
        for refund in self:
            if detail:
                refund._message_log(
                    body=self.env._("Technical detail from the provider: %s", detail)
                )
            refund._post_on_order(
                body=self.env._(
                    "The automatic refund %(refund)s of %(amount)s is not confirmed yet: "
                    "%(reason)s",
                    refund=refund.name,
                    amount=refund._amount_label(),
                    reason=reason,
                )
            )

    def _set_canceled(self, why=None):
        self.write({"state": "canceled"})
        self.credit_note_id.filtered(lambda move: move.state == "draft").sudo().button_cancel()
        for refund in self:
            refund.activity_feedback(
                ["mail.mail_activity_data_todo"],
                feedback=why or self.env._("Refund canceled."),
            )
            if why:
                refund._post_on_order(
                    body=self.env._(
                        "Refund %(refund)s of %(amount)s is canceled: %(why)s",
                        refund=refund.name,
                        amount=refund._amount_label(),
                        why=why,
                    )
                )

    # === BUSINESS METHODS - PLANNING (UNDER THE MONEY LOCK) === #

    def _lock_money(self, orders=None, transactions=None):
        """Lock (and touch) the orders' and the refunded payments' rows: every decision that
        moves money of an order or a payment is then taken on what was committed last, one
        at a time.  The refunds' own rows are locked too."""
        orders = self.order_id if orders is None else orders
        transactions = self.source_transaction_id if transactions is None else transactions
        locked = (
            orders.sudo()._try_lock_rows(touch=True)
            and lock_rows(self.env.cr, "payment_transaction", transactions.ids, touch=True)
            and self._try_lock_rows()
        )
        if not locked:
            raise UserError(
                self.env._(
                    "Another user is working on the refunds of %(orders)s right now. Try "
                    "again in a moment.",
                    orders=", ".join(orders.mapped("name")),
                )
            )
        transactions.invalidate_recordset()
        orders.invalidate_recordset()
        orders.refund_ids.invalidate_recordset()

    def _get_other_committed_refunds(self):
        """The other refunds (any request) decided, under way or done, on this refund's
        payment, or on its order when it refunds money paid by other means."""
        self.ensure_one()
        if self.source_transaction_id:
            domain = [("source_transaction_id", "=", self.source_transaction_id.id)]
        else:
            domain = [("order_id", "=", self.order_id.id)]
        return self.sudo().search(
            [*domain, ("id", "!=", self.id), ("state", "in", refund_planning.COMMITTED_STATES)]
        )

    def _get_still_due(self):
        """What of this refund may still go back now (0.0 when the money already went back
        some other way): re-planned against the payment and the order, every request's
        refunds counted.  Call it under :meth:`_lock_money`."""
        self.ensure_one()
        rounding = self.currency_id.rounding
        due = self.amount
        if self.source_transaction_id:
            transaction = self.source_transaction_id.sudo()
            others = self._get_other_committed_refunds()
            due = refund_planning.still_due(
                due, transaction.amount, sum(others.mapped("amount")), rounding
            )
        order = self.order_id.sudo()
        order_others = order.refund_ids.filtered(
            lambda r: r != self and r.state in refund_planning.COMMITTED_STATES
        )
        return refund_planning.still_due(
            due,
            order._get_amount_received(),
            sum(order._to_order_currency(r.amount, r.currency_id) for r in order_others),
            rounding,
        )

    def _refresh_from_provider(self):
        """Hook: bring what Odoo knows of the refunds' payments up to date with the payment
        provider (refunds made outside Odoo) before re-planning.  Under the money lock."""

    def _set_covered_by_others(self):
        """Cancel this refund: the money it was to give back went back through the order's
        other refunds."""
        self.ensure_one()
        others = self._get_other_committed_refunds()
        self.sudo()._set_canceled(
            self.env._(
                "Nothing left to refund: the money already went back to the customer through %s.",
                ", ".join(others.mapped("name")) or self.env._("another refund"),
            )
        )

    def _cancel_if_covered(self):
        """Cancel the refunds whose money already went back some other way (another
        request's refund, a refund found on Stripe); return them.  Under the money lock."""
        covered = self.browse()
        for refund in self:
            if refund.state == "draft" and refund._is_under_way_at_provider():
                continue  # sent already: it is followed, not called back
            if refund.state in ("draft", "failed") and not refund._get_still_due():
                refund._set_covered_by_others()
                covered |= refund
        return covered

    def _reduce_to_still_due(self):
        """Send no more than is still due: a refund decided earlier gives back only what
        later refunds have not.  Returns False when nothing is due (then it is canceled)."""
        self.ensure_one()
        due = self._get_still_due()
        if not due:
            self._cancel_if_covered()
            return False
        if float_compare(due, self.amount, precision_rounding=self.currency_id.rounding) < 0:
            self._lower_amount(due)
        return True

    def _lower_amount(self, due):
        """Lower this refund to ``due``, the rest having gone back another way."""
        self.ensure_one()
        after = self._amount_label(due)
        self._message_log(
            body=self.env._(
                "Amount lowered from %(before)s to %(after)s: the rest already went back "
                "to the customer through another refund.",
                before=self._amount_label(),
                after=after,
            )
        )
        self.sudo().amount = due
        refund_tx = self.refund_transaction_id.sudo()
        if refund_tx and refund_tx.state in ("draft", "error"):
            refund_tx.amount = -due

    def _fit_to_still_due(self):
        """Refunds waiting to be made by hand, and failed ones: give back no more than is
        still due on their payment now.  Money that went back another way meanwhile (a
        refund found at the provider: made in its dashboard, or sent for a request whose
        record was lost with its worker) is not given back twice: such a refund is lowered
        to what is left, or canceled when nothing is.  Returns ``(lowered, canceled)``.
        Under the money lock."""
        lowered = canceled = self.browse()
        for refund in self.filtered(
            lambda r: (
                r.state == "failed"
                or (r.state == "pending" and r.method == refund_planning.MANUAL)
            )
        ):
            due = refund._get_still_due()
            rounding = refund.currency_id.rounding
            if float_compare(due, refund.amount, precision_rounding=rounding) >= 0:
                continue
            if not due:
                refund._set_covered_by_others()
                canceled |= refund
                continue
            others = ", ".join(refund._get_other_committed_refunds().mapped("name")) or (
                self.env._("another refund")
            )
            refund.sudo()._lower_amount(due)
            refund.sudo()._replace_draft_credit_note()
            if refund.state == "pending":
                refund.sudo()._schedule_accountant_activity(
                    self.env._(
                        "Refund %(amount)s to %(customer)s by hand",
                        amount=refund._amount_label(),
                        customer=refund.partner_id.display_name,
                    ),
                    self.env._(
                        "Lowered to %(amount)s: the rest already went back to the customer "
                        "through %(others)s. Give back only that, then register the payment "
                        "on the credit note or mark the refund as done with its reference.",
                        amount=refund._amount_label(),
                        others=others,
                    ),
                )
            lowered |= refund
        return lowered, canceled

    def _replace_draft_credit_note(self):
        """A lowered refund's draft credit note gives back the new amount."""
        self.ensure_one()
        credit_note = self.credit_note_id.sudo()
        invoice = credit_note.reversed_entry_id
        if credit_note.state != "draft" or not invoice:
            return
        credit_note.button_cancel()
        self.sudo().credit_note_id = self._create_credit_note(invoice)

    # === BUSINESS METHODS - CREATING AND SENDING REFUNDS === #

    @api.model
    def _create_for_order(self, order, request, automatic):
        """Create the refunds giving back what the customer paid for ``order``.

        The caller holds the order's row lock and checked the user's rights.  Failed
        refunds of the order are replaced: the new plan gives their money back.  Returns
        the refunds created (none when nothing is left to refund); automatic ones still
        have to be sent (:meth:`_send`)."""
        order.ensure_one()
        refunds_sudo = self.sudo()
        order_sudo = order.sudo()
        self._lock_money(orders=order, transactions=order_sudo.transaction_ids)
        failed = order_sudo.refund_ids.filtered(lambda r: r.state == "failed")
        currency = order.currency_id
        plan = refund_planning.plan_refunds(
            order_sudo.amount_paid,
            order_sudo._get_refund_sources(),
            automatic,
            rounding=currency.rounding,
        )
        if not plan:
            return self.browse()
        invoice = order._get_refundable_invoice()
        refunds = refunds_sudo.create(
            [
                {
                    "order_id": order.id,
                    "request_id": request.id,
                    "company_id": order.company_id.id,
                    "currency_id": currency.id,
                    "amount": planned.amount,
                    "method": planned.method,
                    "source_transaction_id": planned.source,
                    "state": "draft",
                }
                for planned in plan
            ]
        )
        failed._set_canceled(
            self.env._(
                "Replaced by %(refunds)s of request %(request)s, which gives the money back.",
                refunds=", ".join(refunds.mapped("name")),
                request=request.name,
            )
        )
        for refund, planned in zip(refunds, plan, strict=True):
            if invoice:
                refund.credit_note_id = refund._create_credit_note(invoice)
            if planned.method == refund_planning.MANUAL:
                refund._set_pending(why=planned.reason)
        return refunds.with_env(self.env)

    def _send(self):
        """Send the automatic refunds that are still drafts.  Safe to call again: a refund
        is sent only while it is a draft, under the money lock, with its own key, and for
        no more than is still due on its payment."""
        for refund in self.filtered(
            lambda r: r.method == refund_planning.AUTOMATIC and r.state == "draft"
        ):
            refund.sudo()._send_one()

    def _send_one(self):
        self.ensure_one()
        self._lock_money()
        if self.state != "draft":
            return
        if self._is_under_way_at_provider():
            # Sent already (an earlier click, run or worker): followed, never sent again.
            self.refund_transaction_id.invalidate_recordset()
            self._sync_from_transaction()
            return
        if not self._reduce_to_still_due():
            return
        self.write({"attempt_count": self.attempt_count + 1})
        try:
            self._send_provider_refund()
        except UserError as error:
            self._set_failed(str(error))

    def _send_provider_refund(self):
        """Hook: send this automatic refund through its payment's provider.

        A provider's own module overrides it as Odoo's ``payment_<provider>`` modules override
        ``payment.transaction._send_refund_request``: other providers' refunds return early
        through ``super()`` (see the module print_change_request_stripe).  Here, a payment
        whose provider and payment method support the refund
        (:meth:`payment.transaction._get_print_refund_support`) is refunded through Odoo's
        own refund request of its provider; any other raises, and the refund goes to the
        accountants to be made by hand (:meth:`_set_failed`)."""
        self.ensure_one()
        transaction = self.source_transaction_id.sudo()
        support = transaction._get_print_refund_support()
        provider = transaction.provider_id.display_name
        if support == "none":
            raise UserError(
                self.env._(
                    "The payment provider %s cannot refund this payment automatically.",
                    provider,
                )
            )
        if support == "full_only" and transaction.currency_id.compare_amounts(
            self.amount, transaction.amount
        ):
            raise UserError(
                self.env._(
                    "The payment provider %s refunds only whole payments, and this refund "
                    "gives back part of the payment.",
                    provider,
                )
            )
        self._send_through_provider()

    def _send_through_provider(self):
        """Refund through Odoo's own refund request of the payment's provider."""
        transaction = self.source_transaction_id.sudo()
        refund_tx = transaction._send_refund_request(amount_to_refund=self.amount)
        self.refund_transaction_id = refund_tx
        refund_tx.print_order_ids = [Command.set(self.order_id.ids)]
        if self.credit_note_id:
            refund_tx.invoice_ids = [Command.set(self.credit_note_id.ids)]
        self._sync_from_transaction()

    def _is_under_way_at_provider(self):
        """Hook: whether this refund was sent to its payment's provider already, and is to be
        followed (its refund transaction read again), never sent again.

        Odoo's refund request makes the refund transaction as it sends the refund, and
        providers leave it in whatever state they like until they confirm it (Adyen: draft
        until its webhook; the demo provider with manual capture: authorized): a refund with
        a refund transaction is under way, whatever its state.  A provider whose refunds can
        be looked up and sent again under the same key overrides it (e.g. Stripe's, in the
        module print_change_request_stripe)."""
        self.ensure_one()
        return bool(self.refund_transaction_id)

    def _follow_up_under_way(self):
        """Read again the refund transactions of these refunds under way at their provider
        (a webhook may have been lost, or have moved it without telling us): done, failed,
        or still waiting for the provider.  Nothing is sent.  Takes the money lock."""
        for refund in self:
            refund._lock_money()
            if refund.state in ("draft", "pending") and refund._is_under_way_at_provider():
                refund.refund_transaction_id.invalidate_recordset()
                refund._sync_from_transaction()

    def _ensure_refund_transaction(self):
        """The child refund transaction of the paid one (created once, kept on retries)."""
        self.ensure_one()
        if self.refund_transaction_id:
            return self.refund_transaction_id.sudo()
        transaction = self.source_transaction_id.sudo()
        refund_tx = transaction._create_child_transaction(
            self.amount,
            is_refund=True,
            print_order_ids=[Command.set(self.order_id.ids)],
            invoice_ids=[Command.set(self.credit_note_id.ids)],
        )
        self.sudo().refund_transaction_id = refund_tx
        return refund_tx

    def _sync_from_transaction(self):
        """Follow the refund transaction's state (whoever changed it: our call, a webhook,
        Odoo's own Stripe webhook or its status poll): done, failed, or, in any other state
        the provider left it (pending, draft, authorized), waiting for the provider."""
        for refund in self.sudo().filtered("refund_transaction_id"):
            tx_state = refund.refund_transaction_id.state
            if tx_state == "done" and refund.state != "done":
                refund._set_done()
            elif tx_state in ("error", "cancel") and refund.state in ("draft", "pending", "done"):
                refund._set_failed(
                    refund.refund_transaction_id.state_message
                    or self.env._("The provider did not make the refund.")
                )
            elif tx_state not in ("done", "error", "cancel") and refund.state == "draft":
                refund._set_pending()

    @api.model
    def _cron_follow_up_refunds(self):
        """Safety net for lost webhooks, interrupted sends and refunds made outside Odoo:
        send again (same key, looked up first, re-planned) automatic refunds left in draft
        for more than a quarter of an hour, then reconcile the payments' refunds with the
        provider's (a provider's module overrides it: see print_change_request_stripe).
        Refunds under way at their provider are followed, never sent again
        (:meth:`_is_under_way_at_provider`).  The authorized payments of print orders have a
        scheduled action of their own (``print.order._cron_follow_up_authorizations``)."""
        under_way = self.search(
            [
                ("state", "in", ("draft", "pending")),
                ("method", "=", refund_planning.AUTOMATIC),
                ("refund_transaction_id", "!=", False),
            ]
        ).filtered(lambda r: r._is_under_way_at_provider())
        for refund in under_way:
            with left_for_next_run(
                self.env.cr, _logger, "Refund %s: not followed up now: %s", refund.name
            ):
                refund._follow_up_under_way()
        stale = fields.Datetime.subtract(fields.Datetime.now(), minutes=15)
        drafts = self.search(
            [
                ("state", "=", "draft"),
                ("method", "=", refund_planning.AUTOMATIC),
                ("write_date", "<", stale),
                # an overpayment waits for the accountants' decision (action_send)
                ("origin", "!=", "overpaid"),
            ]
        )
        for refund in drafts:
            # Locked by a user, or changed since this run began: the next run sends it.
            with left_for_next_run(
                self.env.cr, _logger, "Refund %s: not sent again now: %s", refund.name
            ):
                refund._send()

    # === BUSINESS METHODS - OVERPAYMENTS === #

    # Money an order received beyond what it is due (two browser tabs paying the same
    # order, a payment settling after the order was canceled) is never kept silently: it
    # becomes a refund held for the accountants ("To check", with a to-do), which they send
    # automatically, make by hand, or cancel to keep the money.
    @api.model
    def _flag_overpayments(self, orders, transactions):
        """Compare what ``orders`` received with what they are due (a canceled order is due
        nothing) now that ``transactions`` settled, and hold the excess back for the
        accountants as refunds to check.  Called when payments settle, under the orders'
        row locks (see ``payment.transaction._update_state``).  The excess refunds count as
        refunded at once, so settling again, or another payment settling after, finds no
        excess twice."""
        created = self.browse()
        for order in orders.sudo():
            currency = order.currency_id
            canceled = order.communication_state == cs.CANCELED
            due = 0.0 if canceled else order.amount_total
            paid = order._get_amount_received() - order._get_amount_refunded()
            excess = currency.round(paid - due)
            if currency.compare_amounts(excess, 0.0) <= 0:
                continue
            plan = refund_planning.plan_refunds(
                excess, order._get_refund_sources(), True, rounding=currency.rounding
            )
            refunds = self.sudo().create(
                [
                    {
                        "order_id": order.id,
                        "company_id": order.company_id.id,
                        "currency_id": currency.id,
                        "amount": planned.amount,
                        "method": planned.method,
                        "source_transaction_id": planned.source,
                        "origin": "overpaid",
                        "state": "draft",
                    }
                    for planned in plan
                ]
            )
            for refund, planned in zip(refunds, plan, strict=True):
                if planned.method == refund_planning.MANUAL:
                    refund._set_pending(why=planned.reason)
                refund._flag(refund._overpayment_text(canceled, excess, transactions))
                refund._post_on_order(
                    body=self.env._(
                        "The order received %(excess)s more than it is due: refund "
                        "%(refund)s holds it back for the accountants to check.",
                        excess=currency.format(excess),
                        refund=refund.name,
                    )
                )
            created |= refunds
        return created

    def _overpayment_text(self, canceled, excess, transactions):
        """What the accountants read on an excess refund: why, and what to do."""
        self.ensure_one()
        order = self.order_id
        if canceled:
            why = self.env._(
                "Order %(order)s is canceled, yet a payment (%(payments)s) settled for it: it "
                "is due nothing, so %(excess)s is to be given back.",
                order=order.name,
                payments=", ".join(transactions.mapped("reference")),
                excess=order.currency_id.format(excess),
            )
        else:
            why = self.env._(
                "Order %(order)s received %(excess)s more than its total of %(total)s (e.g. "
                "the customer paid twice, in two browser tabs); last payment: %(payments)s.",
                order=order.name,
                excess=order.currency_id.format(excess),
                total=order.currency_id.format(order.amount_total),
                payments=", ".join(transactions.mapped("reference")),
            )
        if self.method == refund_planning.AUTOMATIC:
            what = self.env._(
                'Refund %(amount)s with "Send refund" (through the payment provider), or '
                '"Refund by hand", or cancel the refund to keep the money.',
                amount=self._amount_label(),
            )
        else:
            what = self.env._(
                "The payment cannot be refunded automatically: give %(amount)s back by hand, "
                "then mark the refund as done with its reference, or cancel the refund to keep "
                "the money.",
                amount=self._amount_label(),
            )
        return f"{why} {what}"

    def _flag(self, reason):
        """Tell the accountants that this refund needs a look."""
        for refund in self:
            refund.sudo().write({"to_check": True})
            refund._message_log(body=reason)
            refund._schedule_accountant_activity(
                self.env._("Check refund %s", refund.name), reason
            )

    # === BUSINESS METHODS - ACCOUNTING === #

    # A refund's accounting: the credit note, the outbound payment and their
    # reconciliation with the refunded payment.

    def _create_credit_note(self, invoice):
        """A draft credit note giving back this refund's amount of ``invoice``."""
        self.ensure_one()
        invoice = invoice.sudo()
        values = {
            "ref": self.env._(
                "%(refund)s: refund of %(order)s", refund=self.name, order=self.order_id.name
            ),
            "print_order_id": self.order_id.id,
            "invoice_date": fields.Date.context_today(self),
        }
        whole = (
            invoice.currency_id == self.currency_id
            and float_compare(
                self.amount, invoice.amount_total, precision_rounding=self.currency_id.rounding
            )
            == 0
        )
        if whole:
            return invoice._reverse_moves([values], cancel=False)
        credit_note = (
            self.env["account.move"]
            .sudo()
            .with_company(invoice.company_id)
            .create(
                {
                    **values,
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "currency_id": self.currency_id.id,
                    "journal_id": invoice.journal_id.id,
                    "fiscal_position_id": invoice.fiscal_position_id.id,
                    "reversed_entry_id": invoice.id,
                    "invoice_line_ids": [
                        Command.create(vals)
                        for vals in self._prepare_partial_credit_lines(invoice)
                    ],
                }
            )
        )
        # the credit note gives back exactly the refund's amount
        credit_note._round_to_total(self.amount, label=self.env._("Rounding of the refund"))
        return credit_note

    def _prepare_partial_credit_lines(self, invoice):
        """The lines of a credit note giving back part of ``invoice``: the refund's amount
        shared among the invoice's taxes as the invoice's total is, each share with its taxes
        (its base is the share less those taxes), so that the taxes go back in proportion."""
        self.ensure_one()
        lines = invoice.invoice_line_ids.filtered(lambda ln: ln.display_type == "product")
        if invoice.currency_id == self.currency_id:
            weighted = [(line.tax_ids, line.price_total) for line in lines]
        else:  # no proportion to keep across currencies: one untaxed line
            weighted = []
        order = self.order_id.sudo()
        return [
            {
                "name": self.env._("Refund for %s", self.order_id.name),
                "quantity": 1,
                "price_unit": excluded,
                "account_id": lines[index].account_id.id if lines else False,
                "tax_ids": [Command.set(taxes.ids)],
            }
            for taxes, excluded, index in order._split_by_taxes(weighted, self.amount)
        ]

    def _post_automatic_refund_accounting(self):
        """Outbound payment for the refund transaction, reconciled with the credit note, or
        with the customer's original payment when the order had no invoice.

        A failure here must not undo the refund itself: it is logged and left to the
        accountants (Odoo's post-processing cron also retries the payment)."""
        self.ensure_one()
        refund_tx = self.refund_transaction_id.sudo()
        if not refund_tx:
            return
        try:
            with self.env.cr.savepoint():
                if not refund_tx.is_post_processed:
                    refund_tx.with_company(refund_tx.company_id)._post_process()
                payment = refund_tx.payment_id
                self.sudo().payment_id = payment
                if payment and not self.credit_note_id:
                    self._reconcile_with_source_payment(payment)
        except psycopg2.OperationalError:
            # A concurrent update or a deadlock is no accounting problem: let Odoo play the
            # whole call again on fresh data instead of going on in a doomed transaction.
            raise
        except Exception as error:
            _logger.warning(
                "Refund %s: the accounting entries could not be created", self.name, exc_info=True
            )
            self._schedule_accountant_activity(
                self.env._("Record the refund payment of %s", self.name),
                self.env._(
                    "The refund went through, but Odoo could not record its payment: %s", error
                ),
            )

    def _get_default_refund_journal(self):
        """Where money given back by hand goes out by default, as Odoo's "Register payment"
        proposes it: the company's first bank journal that can pay out, else its first cash
        journal."""
        self.ensure_one()
        Journal = self.env["account.journal"]
        journals = Journal.search(
            [*Journal._check_company_domain(self.company_id), ("type", "in", ("bank", "cash"))]
        ).filtered("outbound_payment_method_line_ids")
        return journals.filtered(lambda journal: journal.type == "bank")[:1] or journals[:1]

    def _get_manual_payment_means(self, journal_id=None, payment_method_line_id=None):
        """The journal and outbound payment method the money of this refund went out with:
        ``journal_id`` and ``payment_method_line_id`` when given (a bank or cash journal of
        the refund's company), else the default ones.  Raises a UserError saying what to
        choose."""
        self.ensure_one()
        Journal = self.env["account.journal"]
        if journal_id:
            journal = (
                Journal.browse(int(journal_id))
                .exists()
                .filtered_domain(
                    [
                        *Journal._check_company_domain(self.company_id),
                        ("type", "in", ("bank", "cash")),
                    ]
                )
            )
        else:
            journal = self._get_default_refund_journal()
        if not journal:
            raise UserError(
                self.env._(
                    "Choose the bank or cash journal of %(company)s the money of refund "
                    "%(refund)s went out of.",
                    company=self.company_id.name,
                    refund=self.name,
                )
            )
        lines = journal._get_available_payment_method_lines("outbound")
        if payment_method_line_id:
            lines = lines.filtered(lambda line: line.id == int(payment_method_line_id))
        if not lines:
            raise UserError(
                self.env._(
                    "Journal %(journal)s has no such outbound payment method: choose one it "
                    "pays out with.",
                    journal=journal.display_name,
                )
            )
        return journal, lines[:1]

    def _parse_refund_date(self, value):
        if not value:
            return fields.Date.context_today(self)
        try:
            return fields.Date.to_date(value)
        except ValueError as error:
            raise UserError(
                self.env._("%s is not a date: enter the day the money went back.", value)
            ) from error

    def _book_manual_refund_payment(self, journal, method_line, date, reference):
        """Book the money this refund gave back by hand as Odoo books it when an accountant
        registers a payment on the credit note: an outbound payment of ``journal`` with the
        ``reference``, on ``date``, posted and reconciled with the (posted) credit note; or,
        when the order had no invoice, reconciled with the customer's payment it gives back.
        The customer's receivable is then balanced."""
        self.ensure_one()
        credit_note = self.credit_note_id.sudo()
        if credit_note.state == "draft":
            credit_note.action_post()
        company = self.company_id
        if credit_note.state == "posted":
            if credit_note.payment_state in ("paid", "in_payment", "reversed"):
                return  # paid already (Register payment): nothing went out twice
            residual = abs(credit_note.amount_residual)
            amount = min(residual, self.amount) if residual else self.amount
            payment = (
                self.env["account.payment.register"]
                .sudo()
                .with_company(company)
                .with_context(active_model="account.move", active_ids=credit_note.ids)
                .create(
                    {
                        "journal_id": journal.id,
                        "payment_method_line_id": method_line.id,
                        "payment_date": date,
                        "communication": reference,
                        "amount": amount,
                    }
                )
                ._create_payments()
            )
        else:
            payment = (
                self.env["account.payment"]
                .sudo()
                .with_company(company)
                .create(
                    {
                        "payment_type": "outbound",
                        "partner_type": "customer",
                        "partner_id": self.partner_id.commercial_partner_id.id,
                        "amount": self.amount,
                        "currency_id": self.currency_id.id,
                        "journal_id": journal.id,
                        "payment_method_line_id": method_line.id,
                        "date": date,
                        "memo": reference,
                        "company_id": company.id,
                    }
                )
            )
            payment.action_post()
            self._reconcile_with_source_payment(payment)
        self.sudo().payment_id = payment

    @api.model
    def _reconcile_refunds_of_payments(self, transactions):
        """The customer's payments of ``transactions`` were just booked (Odoo's
        post-processing, which may run after the refund was sent or made by hand): match the
        outbound payments of their done refunds without a credit note (an overpayment's, an
        uninvoiced order's) with them now, so that nothing is left unmatched beside them."""
        refunds = self.sudo().search(
            [
                ("source_transaction_id", "in", transactions.ids),
                ("state", "=", "done"),
                ("payment_id", "!=", False),
                ("credit_note_id", "=", False),
            ]
        )
        for refund in refunds:
            refund._reconcile_with_source_payment(refund.payment_id)

    def _reconcile_with_source_payment(self, payment):
        source_payment = self.source_transaction_id.sudo().payment_id
        if not source_payment:
            return
        account = payment.destination_account_id
        lines = (payment.move_id.line_ids | source_payment.move_id.line_ids).filtered(
            lambda line: line.account_id == account and not line.reconciled
        )
        if len(lines) > 1:
            lines.reconcile()

    def _undo_refund_payment(self):
        """A refund that failed after looking done: its payment never happened.

        Posted entries are undone the way Odoo does it, never deleted (a posted entry keeps
        its sequence number): the payment is canceled (its entry reset and canceled), or,
        where the entry can no longer be reset (lock date, hashed journal), reversed."""
        payment = self.payment_id.sudo()
        if not payment or payment.state in ("draft", "canceled"):
            return
        try:
            with self.env.cr.savepoint():
                payment.action_cancel()
        except UserError:
            move = payment.move_id
            if move.state == "posted" and not move.reversal_move_ids:
                move._reverse_moves(
                    [
                        {
                            "ref": self.env._(
                                "%(refund)s failed at the provider", refund=self.name
                            ),
                            "date": fields.Date.context_today(self),
                        }
                    ],
                    cancel=True,
                )
            payment.state = "canceled"

    def _check_credit_note_paid(self):
        """Manual refunds are done once the accountant paid their credit note."""
        for refund in self.filtered(
            lambda r: r.state == "pending" and r.method == refund_planning.MANUAL
        ):
            credit_note = refund.credit_note_id
            if credit_note.payment_state in ("paid", "in_payment"):
                refund.sudo().payment_id = (
                    credit_note.matched_payment_ids[-1:]
                    or (credit_note._get_reconciled_payments()[-1:])
                )
                refund._set_done()

    # === BUSINESS METHODS - HELPERS === #

    def _already_moved_message(self, refund):
        return self.env._(
            "Refund %(refund)s was changed by someone else a moment ago: it is now %(state)s. "
            "Reload the page.",
            refund=refund.name,
            state=refund._state_label(),
        )

    def _check_action(self, action, message):
        """Only accountants act on refunds, and only where lib/refund_planning.py allows it;
        ``message(refund)`` says why not."""
        self._check_accountant()
        for refund in self:
            if not refund_planning.allowed(action, refund.state, refund.method):
                raise UserError(message(refund))

    def _check_accountant(self):
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(
                self.env._("Only accountants (Invoicing / Billing) can process refunds by hand.")
            )

    def _get_refund_user(self):
        """Who processes refunds by hand: the company's setting, else an accounting
        administrator, else the order's responsible."""
        self.ensure_one()
        company = self.company_id
        if company.print_refund_user_id:
            return company.print_refund_user_id
        managers = (
            self.env.ref("account.group_account_manager")
            .sudo()
            .users.filtered(
                lambda user: company in user.company_ids and not user.share and user.active
            )
        )
        return managers.sorted("id")[:1] or self.order_id.user_id or self.env.user

    def _schedule_accountant_activity(self, summary, note):
        """One open to-do per refund: a new one replaces the previous."""
        self.ensure_one()
        self.sudo().activity_unlink(["mail.mail_activity_data_todo"])
        self.sudo().activity_schedule(
            "mail.mail_activity_data_todo",
            summary=summary,
            note=note,
            user_id=self._get_refund_user().id,
        )

    def _manual_reason_text(self, why):
        provider = self.sudo().provider_id.display_name
        reasons = {
            refund_planning.NO_ONLINE_PAYMENT: self.env._(
                "The customer did not pay online (invoice, bank transfer...): there is no "
                "payment to refund automatically."
            ),
            refund_planning.PROVIDER_CANNOT_REFUND: self.env._(
                "The payment provider %s cannot refund automatically (the provider or the "
                "payment method the customer paid with does not support refunds).",
                provider,
            ),
            refund_planning.PROVIDER_FULL_ONLY: self.env._(
                "The payment provider %s refunds only whole payments (the provider or the "
                "payment method the customer paid with).",
                provider,
            ),
        }
        text = reasons.get(why) or self.env._("The operator chose to refund by hand.")
        return self.env._(
            "%(why)s Give the money back, then register the payment on the credit note or "
            "mark the refund as done with its reference.",
            why=text,
        )

    def _post_on_order(self, body):
        """Note on the order's chatter, by whoever moved the refund (accountants may only
        read orders)."""
        self.ensure_one()
        self.order_id.sudo().message_post(body=body, author_id=self.env.user.partner_id.id)

    def _amount_label(self, amount=None):
        """The refund's amount (or ``amount``) in its currency, as Odoo writes money."""
        self.ensure_one()
        return format_amount(self.env, self.amount if amount is None else amount, self.currency_id)

    def _state_label(self):
        self.ensure_one()
        if self.waiting_for_provider:
            return self.env._("Waiting for the provider")
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _notification_action(self):
        """What the accountant reads after Send / Retry / Refund by hand: each refund's
        outcome; then the form (or list) reloads, so that it shows the new states at once."""
        canceled = self.filtered(lambda r: r.state == "canceled")
        failed = self.filtered(lambda r: r.state == "failed")
        lines = [
            self.env._(
                "%(refund)s is canceled: its money already went back to the customer another way.",
                refund=refund.name,
            )
            for refund in canceled
        ]
        lines += failed.mapped("failure_reason")
        lines += [f"{refund.name}: {refund._state_label()}" for refund in self - canceled - failed]
        if failed:
            kind, title = "warning", self.env._("Refund failed")
        elif canceled and canceled == self:
            kind, title = "info", self.env._("Nothing left to refund")
        else:
            kind, title = "success", self.env._("Refund sent")
        return notifications.notification(title, lines, kind=kind, then=notifications.RELOAD)
