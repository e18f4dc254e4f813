import logging

from odoo import fields, models
from odoo.exceptions import UserError, ValidationError

from ..lib import authorization
from ..lib.stripe_intents import StripeIntents, StripeRefundError
from .print_refund_stripe import STRIPE_API_BASE_PARAM, STRIPE_TIMEOUT_PARAM

_logger = logging.getLogger(__name__)

RELEASE_STATES = [
    ("todo", "To release"),
    ("failed", "Release failed"),
    ("manual", "To release by hand"),
]


class PaymentTransaction(models.Model):
    """Payments of print orders authorized for manual capture: captured when the shop
    accepts the order, released (voided, never refunded) when it asks for a change or cancels
    it; Stripe's PaymentIntent is the source of truth.  Every method here is called in sudo,
    under the money lock (``print.refund._lock_money``), after the caller checked the user."""

    _inherit = "payment.transaction"  # pylint: disable=consider-merging-classes-inherited

    print_release_state = fields.Selection(
        selection=RELEASE_STATES,
        string="Authorization release",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="This authorized payment of a print order is no longer wanted (request for "
        "change, canceled order): it is being released, or the release failed, or the "
        "accountants release it by hand in the provider's dashboard.",
    )

    def _update_state(self, allowed_states, target_state, state_message):
        """An authorized payment of print orders that is captured or canceled, whoever
        moved it (Accept, a release, the follow-up, Odoo's own Stripe webhook): a release
        waiting for it is over; an authorization that ended by itself (expired, canceled in
        Stripe's dashboard) leaves the order unpaid, and the customer is asked to pay again."""
        was_authorized = self.filtered(lambda tx: tx.state == "authorized" and tx.print_order_ids)
        processed = super()._update_state(allowed_states, target_state, state_message)
        for tx in processed & was_authorized:
            if tx.print_release_state:
                tx._print_release_done()
            elif tx.state == "cancel":
                tx.print_order_ids._print_authorization_lost(tx)
        return processed

    def _print_is_authorized_payment(self):
        self.ensure_one()
        return (
            self.state == "authorized"
            and self.operation not in ("refund", "validation")
            and self.amount > 0
        )

    # ------------------------------------------------------------
    # Capture and release
    # ------------------------------------------------------------

    def _print_capture(self):
        """Capture this authorized payment (once: a payment captured already, here or in
        Stripe's dashboard, is only recorded).  Returns None when the money is captured,
        else why not, in the operator's words."""
        self.ensure_one()
        if self.state == "done":
            return None
        if self.state != "authorized":
            return self._print_not_authorized_text()
        if self._print_uses_stripe():
            try:
                gateway = self._print_stripe_intents()
                intent = gateway.retrieve(self.provider_reference)
                if authorization.plan_capture(intent.status) == authorization.CAPTURE:
                    intent = gateway.capture(
                        self.provider_reference, self._print_stripe_key("capture")
                    )
            except StripeRefundError as error:
                _logger.info("Payment %s: capture failed: %s", self.reference, error.detail)
                self._print_follow_stripe_quietly()
                if self.state == "done":
                    return None
                if self.state != "authorized":
                    return self._print_not_authorized_text()
                return self.env._(
                    "Stripe did not capture the payment %(payment)s: %(error)s",
                    payment=self.reference,
                    error=error.message,
                )
            self._print_apply_intent(intent)
        else:
            try:
                with self.env.cr.savepoint():
                    self._send_capture_request()
            except (UserError, ValidationError) as error:
                return self.env._(
                    "The payment provider did not capture the payment %(payment)s: %(error)s",
                    payment=self.reference,
                    error=str(error),
                )
        if self.state == "done":
            self.env.ref("payment.cron_post_process_payment_tx")._trigger()
            return None
        return self._print_not_authorized_text()

    def _print_release(self, manual=False):
        """Release (void) this authorized payment: nothing is charged, nothing refunded.
        With ``manual``, leave it to the accountants (a to-do).  Returns None when released
        (or captured meanwhile, then recorded), else why not; a release that failed stays
        "Release failed" with a to-do, and the hourly follow-up tries again."""
        self.ensure_one()
        if self.state != "authorized":
            self.print_release_state = False
            return None
        if manual:
            self.print_release_state = "manual"
            self._print_release_todo(
                self.env._(
                    "The operator chose to release it by hand: release the authorization in "
                    "the payment provider's dashboard (nothing was charged)."
                )
            )
            return None
        self.print_release_state = "todo"
        if self._print_uses_stripe():
            try:
                gateway = self._print_stripe_intents()
                intent = gateway.retrieve(self.provider_reference)
                plan = authorization.plan_release(intent.status)
                if plan == authorization.RELEASE:
                    intent = gateway.cancel(
                        self.provider_reference, self._print_stripe_key("release")
                    )
                elif plan == authorization.REFUSE:
                    return self._print_release_failed(
                        self.env._(
                            "Stripe holds the payment as %(status)s: it cannot be released.",
                            status=intent.status,
                        )
                    )
            except StripeRefundError as error:
                _logger.info("Payment %s: release failed: %s", self.reference, error.detail)
                self._print_follow_stripe_quietly()
                if self.state == "authorized":
                    return self._print_release_failed(error.message)
            else:
                self._print_apply_intent(intent)
        else:
            try:
                with self.env.cr.savepoint():
                    self._send_void_request()
            except (UserError, ValidationError) as error:
                return self._print_release_failed(str(error))
        if self.state == "authorized":
            return self._print_release_failed(
                self.env._("The payment provider did not confirm the release.")
            )
        return None  # _update_state closed the to-dos (_print_release_done)

    def _print_release_failed(self, reason):
        self.print_release_state = "failed"
        self._print_release_todo(
            self.env._(
                "The release failed: %(reason)s Odoo tries again every hour; or release the "
                "authorization in the payment provider's dashboard.",
                reason=reason,
            )
        )
        for order in self.print_order_ids:
            order.message_post(
                body=self.env._(
                    "The authorized payment %(payment)s could not be released: %(reason)s",
                    payment=self.reference,
                    reason=reason,
                ),
                author_id=order._get_print_system_author().id,
            )
        return reason

    def _print_release_done(self):
        """The authorization is gone (released, or captured meanwhile): close the to-dos."""
        self.print_release_state = False
        for order in self.print_order_ids:
            order._print_close_money_todo(
                self.reference, self.env._("Authorization %s released.", self.reference)
            )
            if self.state == "done":
                order.message_post(
                    body=self.env._(
                        "The payment %(payment)s was captured at the provider before it could "
                        "be released: the order is paid. Refund it if the customer is not to "
                        "pay it.",
                        payment=self.reference,
                    ),
                    author_id=order._get_print_system_author().id,
                )

    def _print_release_todo(self, note):
        summary = self.env._(
            "Release the authorized payment %(payment)s (%(amount)s)",
            payment=self.reference,
            amount=self.currency_id.format(self.amount),
        )
        for order in self.print_order_ids:
            order._print_schedule_money_todo(summary, note)

    # ------------------------------------------------------------
    # Stripe: the PaymentIntent is the source of truth
    # ------------------------------------------------------------

    def _print_uses_stripe(self):
        return self.provider_code == "stripe" and bool(self.provider_reference)

    def _print_stripe_key(self, action):
        """The idempotency key of a capture or release: one per PaymentIntent and hour.  A
        request sent again within the hour (a worker replaying it) gets Stripe's first answer;
        the next hour's follow-up gets a fresh one, since Stripe keeps a refusal under its key
        for a day.  Stripe is read before each request, so a new key never captures or
        releases twice."""
        return f"print-{action}-{self.provider_reference}-{fields.Datetime.now():%Y%m%d%H}"

    def _print_stripe_intents(self):
        provider = self.provider_id
        if not provider.stripe_secret_key:
            raise UserError(
                self.env._(
                    "The Stripe payment provider has no secret key: an administrator must "
                    "enter it before Odoo can capture or release payments."
                )
            )
        params = self.env["ir.config_parameter"].sudo()
        return StripeIntents(
            provider.stripe_secret_key,
            api_base=params.get_param(STRIPE_API_BASE_PARAM) or None,
            timeout=float(params.get_param(STRIPE_TIMEOUT_PARAM, "20")),
        )

    def _print_apply_intent(self, intent):
        """Follow Stripe's PaymentIntent: captured (here or in Stripe's dashboard) makes the
        payment done; canceled (released, expired) makes it canceled."""
        self.ensure_one()
        plan = authorization.plan_follow(intent.status)
        if plan == authorization.FOLLOW_CAPTURED and self.state != "done":
            self._set_done(extra_allowed_states=("cancel",))
            self.env.ref("payment.cron_post_process_payment_tx")._trigger()
        elif plan == authorization.FOLLOW_CANCELED and self.state == "authorized":
            self._set_canceled(
                state_message=intent.error_message
                or self.env._("Stripe canceled the authorization (released or expired).")
            )

    def _print_follow_stripe_quietly(self):
        """After a failed call, read the PaymentIntent again and follow it, if Stripe
        answers."""
        try:
            self._print_apply_intent(
                self._print_stripe_intents().retrieve(self.provider_reference)
            )
        except StripeRefundError as error:
            _logger.info("Payment %s: Stripe not checked now: %s", self.reference, error)

    def _print_not_authorized_text(self):
        if self.state == "cancel":
            return self.env._(
                "The authorization of payment %(payment)s expired or was canceled: nothing "
                "was captured. The customer must pay again.",
                payment=self.reference,
            )
        return self.env._(
            "Payment %(payment)s is %(state)s, not authorized: nothing was captured. %(message)s",
            payment=self.reference,
            state=dict(self._fields["state"]._description_selection(self.env))[self.state],
            message=self.state_message or "",
        )

    # ------------------------------------------------------------
    # The hourly follow-up
    # ------------------------------------------------------------

    def _print_follow_up_authorization(self, now, days, hours):
        """One authorized payment, under the money lock: follow Stripe, release again what
        is to be released, act on an authorization about to expire."""
        self.ensure_one()
        if self._print_uses_stripe():
            self._print_apply_intent(
                self._print_stripe_intents().retrieve(self.provider_reference)
            )
            if self.state != "authorized":
                return
        if self.print_release_state in ("todo", "failed"):
            self._print_release()
            return
        if self.print_release_state:
            return
        expiry = authorization.expiry(self.last_state_change or self.create_date, now, days, hours)
        if not expiry.act_now:
            return
        orders = self.print_order_ids.filtered(
            lambda order: order.communication_state != "canceled"
        )
        if not orders:
            return
        if any(orders.company_id.mapped("print_capture_before_expiry")):
            reason = self._print_capture()
            if not reason:
                for order in orders:
                    order.message_post(
                        body=self.env._(
                            "Payment %(payment)s was captured before its authorization "
                            "expired (the shop's setting), although the order is not accepted "
                            "yet.",
                            payment=self.reference,
                        ),
                        author_id=order._get_print_system_author().id,
                    )
                return
            note = reason
        else:
            note = self.env._(
                "The customer's authorization of %(amount)s expires on %(date)s: accept the "
                "order before (Accept captures the payment), or the customer must pay again.",
                amount=self.currency_id.format(self.amount),
                date=fields.Datetime.to_string(expiry.expires_at),
            )
        summary = self.env._("Payment %s: authorization about to expire", self.reference)
        for order in orders:
            if not order.sudo().activity_ids.filtered(lambda act: act.summary == summary):
                order._print_schedule_money_todo(summary, note, user=order.user_id)
