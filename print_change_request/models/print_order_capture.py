import logging
from dataclasses import dataclass

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY

from ..lib import authorization
from ..lib import communication_state as cs
from ..lib.stripe_intents import StripeRefundError

_logger = logging.getLogger(__name__)


@dataclass
class DueCaptureResult:
    """What ``print.order._print_capture_due`` did: the payments captured and released, the
    reasons of the captures that failed, and the texts of the authorizations released because
    they were more than what was due."""

    captured: object
    released: object
    reasons: list
    too_large_texts: list


#: Authorizations last this many days at the provider (Stripe: 7 for cards).
AUTHORIZATION_DAYS_PARAM = "print_change_request.authorization_days"
#: The hourly follow-up acts this many hours before an authorization expires.
AUTHORIZATION_WARNING_PARAM = "print_change_request.authorization_warning_hours"
#: Written by the addon's methods only (see print_order.PROTECTED_FIELDS).
CAPTURE_PROTECTED_FIELDS = frozenset(
    {"amount_authorized", "is_payment_authorized", "payment_capture_failure"}
)


class PrintOrder(models.Model):
    """Payments authorized for manual capture ("Capture Amount Manually" on the provider):
    the money is taken when the shop accepts the order; a request for change or a
    cancellation releases the authorization instead of refunding a charge."""

    _inherit = "print.order"  # pylint: disable=consider-merging-classes-inherited

    amount_authorized = fields.Monetary(
        string="Authorized",
        compute="_compute_amount_authorized",
        store=True,
        help="Payments the customer authorized that are not captured yet: the money is "
        "taken when the order is accepted.",
    )
    is_payment_authorized = fields.Boolean(
        string="Payment authorized",
        compute="_compute_amount_authorized",
        store=True,
        tracking=55,
        help="The customer's payment is authorized, not captured yet: Accept captures it.",
    )
    payment_capture_failure = fields.Char(
        string="Capture failed",
        readonly=True,
        copy=False,
        groups="base.group_user",  # the provider's own words: not for the customer
        help="Why the last capture of an authorized payment failed at Accept.",
    )

    @api.depends(
        "currency_id",
        "transaction_ids.state",
        "transaction_ids.amount",
        "transaction_ids.operation",
        "transaction_ids.print_release_state",
    )
    def _compute_amount_authorized(self):
        for order in self:
            order.amount_authorized = sum(
                order._to_order_currency(tx.amount, tx.currency_id)
                for tx in order._get_authorized_transactions()
            )
            order.is_payment_authorized = not order.currency_id.is_zero(order.amount_authorized)

    @property
    def _protected_fields(self):
        return super()._protected_fields | CAPTURE_PROTECTED_FIELDS

    def _get_protected_fields_message(self, names, create=False):
        if CAPTURE_PROTECTED_FIELDS & names:
            return self.env._(
                "%(fields)s of a print order cannot be written: they follow the payments.",
                fields=self._get_field_labels(CAPTURE_PROTECTED_FIELDS & names),
            )
        return super()._get_protected_fields_message(names, create=create)

    def _get_authorized_transactions(self):
        """The order's payments authorized and still wanted (not being released)."""
        self.ensure_one()
        return self.sudo().transaction_ids.filtered(
            lambda tx: tx._print_is_authorized_payment() and not tx.print_release_state
        )

    def _get_amount_due(self, authorized=True):
        """An authorized payment is not paid, but not due again either; with ``authorized``
        False, the authorized payments are not counted (see ``_get_amount_to_capture``)."""
        due = super()._get_amount_due()
        if not authorized:
            return due
        return max(due - self.amount_authorized, 0.0)

    def _accepts_job_changes(self):
        """An authorized payment holds the order's total as it was: no jobs added or removed
        (a request for change releases it first)."""
        return super()._accepts_job_changes() and not self.is_payment_authorized

    def _get_unpaid_message(self):
        message = super()._get_unpaid_message()
        if self.payment_capture_failure:
            return f"{self.payment_capture_failure} {message}"
        return message

    # ------------------------------------------------------------
    # Accept captures, Cancel releases
    # ------------------------------------------------------------

    def action_accept(self):
        """Capture the authorized payments, then accept.  A capture that fails does not
        accept: the unpaid dialog says why and offers the ways forward."""
        self._check_operator()
        self._lock_for_update()
        authorized = self.filtered(lambda order: order._get_authorized_transactions())
        if not authorized:
            return super().action_accept()
        ask = self._check_acceptable()
        if ask:
            return ask
        failures = authorized._capture_authorized_payments()
        if not failures:
            return super().action_accept()
        failed = self.browse(list(failures))
        if len(self) == 1:
            return self.env["print.order.unpaid.wizard"]._open_for(self)
        accepted = self - failed
        if accepted:
            super(PrintOrder, accepted).action_accept()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning",
                "sticky": True,
                "title": self.env._("Payment not captured"),
                "message": "\n".join(failures.values()),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_cancel(self):
        """Cancel, then release the authorized payments: nothing is charged."""
        res = super().action_cancel()
        self.filtered(
            lambda order: order._get_authorized_transactions()
        )._release_authorized_payments()
        return res

    def _capture_authorized_payments(self):
        """Capture, under the money lock, what each order is due from its authorized payments
        and release the others (``_print_capture_due``); returns ``{order id: why not}`` for
        the orders whose capture failed."""
        failures = {}
        for order in self:
            result = order._print_capture_due()
            order.sudo().payment_capture_failure = (
                " ".join(result.reasons + result.too_large_texts) or False
            )
            if result.reasons:
                failures[order.id] = order.payment_capture_failure
                order.message_post(
                    body=self.env._(
                        "The order was not accepted: %s", order.payment_capture_failure
                    ),
                    author_id=order._get_print_system_author().id,
                )
        return failures

    def _get_amount_to_capture(self):
        """What the order still has to receive, its authorized payments not counted: at most
        this much is captured from them (the order's amount due, as if nothing were
        authorized)."""
        return self._get_amount_due(authorized=False)

    def _print_capture_due(self):
        """Capture, under the money lock, no more than the order is due from its authorized
        payments, whole, the oldest first (``authorization.plan_due_captures``), and release
        the others: the customer is charged once.  A capture that fails is not tried again
        now; another authorization is captured instead when one fits."""
        self.ensure_one()
        self._print_lock_money(self._get_authorized_transactions())
        Transaction = self.env["payment.transaction"].sudo()
        result = DueCaptureResult(Transaction, Transaction, [], [])
        failed = Transaction
        while True:
            plan = self._print_plan_due_captures(failed)
            newly_failed = Transaction
            for tx in Transaction.browse(plan.capture):
                reason = tx._print_capture()
                if reason:
                    result.reasons.append(reason)
                    newly_failed |= tx
                else:
                    result.captured |= tx
            if not newly_failed:
                break
            failed |= newly_failed
        amount_due = self._get_amount_to_capture()
        if result.reasons and self.currency_id.is_zero(amount_due):
            # the order's amount due was captured from another authorization after all
            self.message_post(
                body=" ".join(result.reasons), author_id=self._get_print_system_author().id
            )
            result.reasons.clear()
        due = self.currency_id.format(amount_due)
        for tx in Transaction.browse(plan.release):
            if tx._print_release() or tx.state != "cancel":
                # "Release failed" (a to-do, the hourly follow-up tries again), or captured
                # at the provider meanwhile (followed: the overpayment is flagged)
                continue
            result.released |= tx
            if tx.id in plan.too_large:
                result.too_large_texts.append(tx._print_released_too_large(self, due))
            else:
                tx._print_released_beyond_due(self)
        return result

    def _print_plan_due_captures(self, failed):
        """The plan of ``_print_capture_due`` for the order's authorized payments now."""
        self.ensure_one()
        transactions = self._get_authorized_transactions().sorted(
            lambda tx: (tx.last_state_change or tx.create_date, tx.id)
        )
        return authorization.plan_due_captures(
            self._get_amount_to_capture(),
            [(tx.id, self._to_order_currency(tx.amount, tx.currency_id)) for tx in transactions],
            failed=failed.ids,
            digits=self.currency_id.decimal_places,
        )

    def _release_authorized_payments(self, manual=False):
        """Release (void) every authorized payment of the orders, under the money lock;
        ``manual`` leaves it to the accountants (a to-do).  Returns the payments whose
        release failed (they have a to-do and are tried again every hour)."""
        failed = self.env["payment.transaction"]
        for order in self:
            transactions = order._get_authorized_transactions()
            if not transactions:
                continue
            order._print_lock_money(transactions)
            for tx in order._get_authorized_transactions():
                if tx._print_release(manual=manual):
                    failed |= tx
        return failed

    def _print_lock_money(self, transactions):
        """The refunds' money lock (orders and payments, touched): one money decision at a
        time, on what was committed last."""
        self.env["print.refund"]._lock_money(orders=self, transactions=transactions)

    # ------------------------------------------------------------
    # To-dos and the customer
    # ------------------------------------------------------------

    def _print_schedule_money_todo(self, summary, note, user=None):
        """A to-do for ``user``, by default whoever handles the order's money by hand (the
        refunds' user); it replaces an open one of the same summary."""
        self.ensure_one()
        user = user or self.company_id.print_refund_user_id or self.user_id or self.env.user
        existing = self.sudo().activity_ids.filtered(lambda act: act.summary == summary)
        existing.unlink()
        self.sudo().activity_schedule(
            "mail.mail_activity_data_todo", summary=summary, note=note, user_id=user.id
        )

    def _print_close_money_todo(self, reference, feedback):
        """Mark done the order's to-dos about payment ``reference``."""
        self.ensure_one()
        self.sudo().activity_ids.filtered(
            lambda act: reference in (act.summary or "")
        ).action_feedback(feedback=feedback)

    def _print_authorization_lost(self, tx):
        """The authorization ``tx`` ended without capture (expired, canceled at the
        provider): the order is not paid; a live order's customer is asked to pay again,
        unless another authorization or payment covers what is due."""
        for order in self.sudo():
            order._print_close_money_todo(
                tx.reference, self.env._("The authorization %s ended.", tx.reference)
            )
            if order.communication_state == cs.CANCELED or order.currency_id.is_zero(
                order._get_amount_due()
            ):
                continue
            order.with_context(print_notify_customer_only=True).message_post(
                body=self.env._(
                    "The authorization of your payment %(payment)s for order %(order)s ended "
                    "before the order was accepted: nothing was charged. Please pay the order "
                    "again from its page.",
                    payment=tx.reference,
                    order=order.name,
                ),
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                author_id=order._get_print_shop_author().id,
                partner_ids=order.partner_id.ids,
            )

    # ------------------------------------------------------------
    # The hourly follow-up (called by print.refund's follow-up cron)
    # ------------------------------------------------------------

    @api.model
    def _cron_follow_up_authorizations(self):
        """Follow Stripe for every authorized payment of print orders (captured or canceled
        in Stripe's dashboard, expired), release again those whose release failed, and act
        on authorizations about to expire: a to-do for the responsible, or, when the shop
        says so, the capture."""
        params = self.env["ir.config_parameter"].sudo()
        days = int(
            params.get_param(AUTHORIZATION_DAYS_PARAM, authorization.DEFAULT_AUTHORIZATION_DAYS)
        )
        hours = int(
            params.get_param(AUTHORIZATION_WARNING_PARAM, authorization.DEFAULT_WARNING_HOURS)
        )
        transactions = (
            self.env["payment.transaction"]
            .sudo()
            .search(
                [
                    ("state", "=", "authorized"),
                    ("operation", "not in", ("refund", "validation")),
                    ("print_order_ids", "!=", False),
                ],
                order="last_state_change, id",
                limit=500,
            )
        )
        now = fields.Datetime.now()
        for tx in transactions:
            try:
                with self.env.cr.savepoint():
                    tx.print_order_ids._print_lock_money(tx)
                    if tx.state != "authorized":
                        continue
                    tx._print_follow_up_authorization(now, days, hours)
            except (UserError, StripeRefundError, psycopg2.OperationalError) as error:
                if getattr(error, "pgcode", None) not in (None, *PG_CONCURRENCY_ERRORS_TO_RETRY):
                    raise
                _logger.info("Payment %s: authorization not followed now: %s", tx.id, error)
