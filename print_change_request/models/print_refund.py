import logging
import uuid

from odoo import Command, api, fields, models
from odoo.addons.payment import utils as payment_utils
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, float_round

from ..lib import refund_planning, stripe_refunds

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
#: Stripe API base address, for tests and staging only (system parameter).
STRIPE_API_BASE_PARAM = "print_change_request.stripe_api_base"
STRIPE_TIMEOUT_PARAM = "print_change_request.stripe_timeout"


class PrintRefund(models.Model):
    _name = "print.refund"
    _description = "Refund to a print customer"
    _inherit = [
        "print.sequence.mixin",
        "print.row.lock.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _order = "id desc"
    _check_company_auto = True
    _sequence_code = "print.refund"

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

    _sql_constraints = [
        ("idempotency_key_unique", "UNIQUE(idempotency_key)", "A refund key is used once."),
        ("amount_positive", "CHECK(amount > 0)", "A refund must be of a positive amount."),
    ]

    # ------------------------------------------------------------
    # ACTIONS (accountants)
    # ------------------------------------------------------------

    def action_retry(self):
        """Send a failed automatic refund again, under the same idempotency key."""
        self._check_action(
            "retry",
            lambda refund: self.env._(
                "Only a failed automatic refund can be retried (%(refund)s is %(state)s).",
                refund=refund.name,
                state=refund._state_label(),
            ),
        )
        self._set_draft()
        self._send()
        return self._notification_action()

    def action_refund_manually(self):
        """The accountant will give the money back by hand."""
        self._check_action(
            "refund_manually",
            lambda refund: self.env._(
                "Refund %(refund)s is %(state)s: it cannot be turned into a manual one.",
                refund=refund.name,
                state=refund._state_label(),
            ),
        )
        self.write({"method": refund_planning.MANUAL, "failure_reason": False})
        self._set_pending()
        return True

    def action_mark_done(self):
        """The accountant gave the money back by hand and says how."""
        self._check_action(
            "mark_done",
            lambda refund: self.env._(
                "Refund %(refund)s is %(state)s: only a refund waiting to be made by hand can "
                "be marked as done.",
                refund=refund.name,
                state=refund._state_label(),
            ),
        )
        for refund in self.filtered(lambda r: not r.manual_reference):
            raise UserError(
                self.env._(
                    "Enter the refund reference (bank transfer, receipt...) of %(refund)s "
                    "before marking it as done.",
                    refund=refund.name,
                )
            )
        self.filtered(lambda r: r.method != refund_planning.MANUAL).write(
            {"method": refund_planning.MANUAL}
        )
        self._set_done()
        return True

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
        """Nothing will be refunded (e.g. the order is printed after all)."""
        self._check_action(
            "cancel",
            lambda refund: self.env._(
                "Refund %(refund)s is %(state)s and cannot be canceled.",
                refund=refund.name,
                state=refund._state_label(),
            ),
        )
        self._set_canceled()
        return True

    def action_view_credit_note(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.credit_note_id.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------
    # BUSINESS METHODS: creating and sending refunds
    # ------------------------------------------------------------

    @api.model
    def _create_for_order(self, order, request, automatic):
        """Create the refunds giving back what the customer paid for ``order``.

        The caller holds the order's row lock.  Returns the refunds created (none when
        nothing is left to refund); automatic ones still have to be sent (:meth:`_send`).
        """
        order.ensure_one()
        currency = order.currency_id
        plan = refund_planning.plan_refunds(
            order.amount_paid,
            order._get_refund_sources(),
            automatic,
            rounding=currency.rounding,
        )
        if not plan:
            return self.browse()
        invoice = order._get_refundable_invoice()
        vals_list = []
        for planned in plan:
            vals_list.append(
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
            )
        refunds = self.create(vals_list)
        for refund, planned in zip(refunds, plan, strict=True):
            if invoice:
                refund.credit_note_id = refund._create_credit_note(invoice)
            if planned.method == refund_planning.MANUAL:
                refund._set_pending(why=planned.reason)
        return refunds

    def _send(self):
        """Send the automatic refunds that are still drafts.  Safe to call again: a refund
        is sent only while it is a draft, under its row lock, with its own key."""
        for refund in self.filtered(
            lambda r: r.method == refund_planning.AUTOMATIC and r.state == "draft"
        ):
            refund._send_one()

    def _send_one(self):
        self.ensure_one()
        self._lock()
        if self.state != "draft":
            return
        self.attempt_count += 1
        transaction = self.source_transaction_id.sudo()
        try:
            if transaction.provider_code == "stripe":
                self._send_stripe()
            else:
                self._send_through_provider()
        except UserError as error:
            self._set_failed(str(error))

    def _lock(self):
        """Take the refunds' row locks, or tell the user someone else is on them."""
        if not self._try_lock_rows():
            raise UserError(
                self.env._(
                    "Another user is processing refund %(refund)s right now. Reload the page "
                    "in a moment to see its outcome.",
                    refund=", ".join(self.mapped("name")),
                )
            )

    def _send_through_provider(self):
        """Refund through Odoo's own refund request of the payment's provider."""
        transaction = self.source_transaction_id.sudo()
        refund_tx = transaction._send_refund_request(amount_to_refund=self.amount)
        self.sudo().refund_transaction_id = refund_tx
        refund_tx.print_order_ids = [Command.set(self.order_id.ids)]
        if self.credit_note_id:
            refund_tx.invoice_ids = [Command.set(self.credit_note_id.ids)]
        self._sync_from_transaction()

    def _send_stripe(self):
        """Refund a Stripe payment with the ``stripe`` library and this refund's own key."""
        transaction = self.source_transaction_id.sudo()
        payment_intent = transaction.provider_reference
        if not payment_intent:
            self._set_failed(self.env._("The payment has no Stripe reference to refund."))
            return
        gateway = self._stripe_gateway()
        refund_tx = self._ensure_refund_transaction()
        try:
            result = self._stripe_find_or_create(gateway, payment_intent)
        except stripe_refunds.StripeRefundError as error:
            if not error.uncertain:
                self._set_failed(self.env._("Stripe refused the refund: %s", error.message))
                return
            # No answer: Stripe may still have made the refund. Look for it by our key.
            try:
                result = gateway.find_by_key(payment_intent, self.idempotency_key)
            except stripe_refunds.StripeRefundError:
                result = None
            if result is None:
                self._set_failed(
                    self.env._(
                        "Stripe did not answer (%s). The refund could not be confirmed: check "
                        "the payment in the Stripe dashboard, then retry (Odoo first looks for "
                        "this refund there, it never refunds twice) or refund by hand.",
                        error.message,
                    )
                )
                return
        if result is None:  # refused before sending: the reason is already recorded
            return
        self._apply_stripe_refund(result, refund_tx)

    def _stripe_find_or_create(self, gateway, payment_intent):
        """Return this refund's Stripe refund, creating it only when Stripe has none.

        Refunds on the payment that Odoo does not know of stop the automatic refund: the
        money may already have gone back (a refund made in Stripe's dashboard, or one whose
        record was lost with a rolled-back transaction)."""
        existing = gateway.list_refunds(payment_intent)
        for result in existing:
            if result.metadata.get(stripe_refunds.KEY_METADATA) == self.idempotency_key:
                return result
        unknown = self._stripe_unknown_refunds(existing)
        if unknown:
            decimals = self.currency_id.decimal_places
            self._set_failed(
                self.env._(
                    "Stripe already holds refunds for this payment that Odoo does not know "
                    "of (%(refunds)s). Nothing was sent: check the payment in the Stripe "
                    "dashboard before refunding by hand.",
                    refunds=", ".join(
                        f"{result.refund_id}: {result.amount / 10**decimals:.{decimals}f}"
                        for result in unknown
                    ),
                )
            )
            return None
        return gateway.create_refund(
            payment_intent,
            payment_utils.to_minor_currency_units(self.amount, self.currency_id),
            self.idempotency_key,
            metadata={"odoo_refund": self.name, "print_order": self.order_id.name},
        )

    def _stripe_unknown_refunds(self, results):
        live = [result for result in results if not result.is_failed]
        if not live:
            return []
        known = set(
            self.env["payment.transaction"]
            .sudo()
            .search([("provider_reference", "in", [result.refund_id for result in live])])
            .mapped("provider_reference")
        )
        return [result for result in live if result.refund_id not in known]

    def _stripe_gateway(self):
        provider = self.source_transaction_id.sudo().provider_id
        if not provider.stripe_secret_key:
            raise UserError(self.env._("The Stripe provider has no secret key."))
        params = self.env["ir.config_parameter"].sudo()
        return stripe_refunds.StripeRefunds(
            provider.stripe_secret_key,
            api_base=params.get_param(STRIPE_API_BASE_PARAM) or None,
            timeout=float(params.get_param(STRIPE_TIMEOUT_PARAM, "20")),
        )

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

    def _apply_stripe_refund(self, result, refund_tx=None):
        """Bring the refund transaction, then this refund, to Stripe's refund status."""
        refund_tx = refund_tx or self._ensure_refund_transaction()
        refund_tx.provider_reference = result.refund_id
        self.sudo().provider_refund_id = result.refund_id
        if result.is_done:
            refund_tx._set_done(extra_allowed_states=("error",))
        elif result.is_pending:
            refund_tx._set_pending(extra_allowed_states=("error",))
        elif result.is_failed:
            refund_tx._set_error(
                self.env._(
                    "Stripe reports the refund as %(status)s (%(reason)s).",
                    status=result.status,
                    reason=result.failure_reason or self.env._("no reason given"),
                ),
                extra_allowed_states=("done", "pending"),
            )
        self._sync_from_transaction()

    @api.model
    def _handle_stripe_refund_objects(self, refund_objects):
        """Apply Stripe refund objects (from a verified webhook event) to the refunds they
        belong to; return those refunds.  Repeated events change nothing more."""
        refunds = self.browse()
        for refund_object in refund_objects:
            result = stripe_refunds.RefundResult.from_stripe(refund_object)
            key = result.metadata.get(stripe_refunds.KEY_METADATA)
            domain = [("provider_refund_id", "=", result.refund_id)]
            if key:
                domain = ["|", ("idempotency_key", "=", key), *domain]
            refund = self.search(domain, limit=1)
            if not refund:
                continue
            refund._lock()
            if refund.state == "canceled":
                continue
            refund._apply_stripe_refund(result)
            refunds |= refund
        return refunds

    def _sync_from_transaction(self):
        """Follow the refund transaction's state (whoever changed it: our call, a webhook,
        Odoo's own Stripe webhook or its status poll)."""
        for refund in self.filtered("refund_transaction_id"):
            tx_state = refund.refund_transaction_id.state
            if tx_state == "done" and refund.state != "done":
                refund._set_done()
            elif tx_state == "pending" and refund.state == "draft":
                refund._set_pending()
            elif tx_state in ("error", "cancel") and refund.state in ("draft", "pending", "done"):
                refund._set_failed(
                    refund.refund_transaction_id.state_message
                    or self.env._("The provider did not make the refund.")
                )

    @api.model
    def _cron_follow_up_refunds(self):
        """Safety net for lost webhooks and interrupted sends: ask Stripe how pending
        refunds went, and send again (same key, looked up first) automatic refunds left in
        draft for more than a quarter of an hour."""
        stale = fields.Datetime.subtract(fields.Datetime.now(), minutes=15)
        drafts = self.search(
            [
                ("state", "=", "draft"),
                ("method", "=", refund_planning.AUTOMATIC),
                ("write_date", "<", stale),
            ]
        )
        pending = self.search(
            [
                ("state", "=", "pending"),
                ("method", "=", refund_planning.AUTOMATIC),
                ("provider_refund_id", "!=", False),
            ]
        )
        for refund in drafts:
            try:
                with self.env.cr.savepoint():
                    refund._send()
            except UserError as error:  # locked by a user right now: next run
                _logger.info("Refund %s: not sent again now: %s", refund.name, error)
        for refund in pending.filtered(
            lambda r: r.source_transaction_id.provider_code == "stripe"
        ):
            try:
                result = refund._stripe_gateway().retrieve(refund.provider_refund_id)
            except (stripe_refunds.StripeRefundError, UserError) as error:
                _logger.warning("Refund %s: status check failed: %s", refund.name, error)
                continue
            refund._apply_stripe_refund(result)

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

    def _set_failed(self, reason):
        was_done = self.filtered(lambda r: r.state == "done")
        self.write({"state": "failed", "failure_reason": reason})
        self.refund_transaction_id.sudo().filtered(
            lambda tx: tx.state in ("draft", "pending")
        )._set_error(reason)
        for refund in was_done:
            refund._undo_refund_payment()
        for refund in self:
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

    def _set_canceled(self):
        self.write({"state": "canceled"})
        self.credit_note_id.filtered(lambda move: move.state == "draft").sudo().button_cancel()
        self.activity_unlink(["mail.mail_activity_data_todo"])

    # ------------------------------------------------------------
    # BUSINESS METHODS: accounting
    # ------------------------------------------------------------

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
        line = invoice.invoice_line_ids.filtered(lambda ln: ln.display_type == "product")[:1]
        return (
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
                    "reversed_entry_id": invoice.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": self.env._("Refund for %s", self.order_id.name),
                                "quantity": 1,
                                "price_unit": self.amount,
                                "account_id": line.account_id.id,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )

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
        """A refund that failed after looking done: its payment never happened."""
        payment = self.payment_id.sudo()
        if payment and payment.state not in ("draft", "canceled"):
            payment.action_draft()
            payment.action_cancel()

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

    # ------------------------------------------------------------
    # BUSINESS METHODS: helpers
    # ------------------------------------------------------------

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
                "The payment provider %s cannot refund automatically.", provider
            ),
            refund_planning.PROVIDER_FULL_ONLY: self.env._(
                "The payment provider %s refunds only whole payments.", provider
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

    def _amount_label(self):
        self.ensure_one()
        amount = float_round(self.amount, precision_rounding=self.currency_id.rounding)
        return f"{amount:.{self.currency_id.decimal_places}f} {self.currency_id.name}"

    def _state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _notification_action(self):
        failed = self.filtered(lambda r: r.state == "failed")
        if failed:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "warning",
                    "sticky": True,
                    "title": self.env._("Refund failed"),
                    "message": "\n".join(failed.mapped("failure_reason")),
                },
            }
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Refund sent"),
                "message": ", ".join(f"{refund.name}: {refund._state_label()}" for refund in self),
            },
        }
