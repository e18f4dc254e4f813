import logging
import uuid

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import format_amount

from ..lib import refund_planning

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

    # ------------------------------------------------------------
    # COMPUTE METHODS (display)
    # ------------------------------------------------------------

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

    # ------------------------------------------------------------
    # CRUD: refunds are money; only the methods below write them
    # ------------------------------------------------------------

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

    # ------------------------------------------------------------
    # BUSINESS METHODS: states (the only writers of `state`)
    # ------------------------------------------------------------

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

    # ------------------------------------------------------------
    # BUSINESS METHODS: helpers
    # ------------------------------------------------------------

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
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": kind,
                "sticky": kind != "success",
                "title": title,
                "message": "\n".join(lines),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
