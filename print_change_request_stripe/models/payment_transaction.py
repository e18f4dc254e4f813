import logging

from odoo import fields, models
from odoo.exceptions import UserError

from ..lib import intent_planning
from ..lib.stripe_intents import StripeIntents, StripeRefundError
from .print_refund import STRIPE_API_BASE_PARAM, STRIPE_TIMEOUT_PARAM

_logger = logging.getLogger(__name__)


class PaymentTransaction(models.Model):
    """Capture and release of authorized Stripe payments of print orders: Stripe's
    PaymentIntent is the source of truth, read before every request (a PaymentIntent captured
    or canceled in Stripe's dashboard is followed, never captured or released again)."""

    _inherit = "payment.transaction"

    # ------------------------------------------------------------
    # Provider hooks (print_change_request/models/payment_transaction.py)
    # ------------------------------------------------------------

    def _print_send_capture(self):
        if not self._print_uses_stripe():
            return super()._print_send_capture()
        try:
            gateway = self._print_stripe_intents()
            intent = gateway.retrieve(self.provider_reference)
            if intent_planning.plan_capture(intent.status) == intent_planning.CAPTURE:
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
            if error.uncertain and not self.print_capture_unknown:
                # Stripe may have captured it (the answer was lost) and could not be read
                # again: capturing another authorization now could charge the customer twice.
                self.print_capture_unknown = True
            return self.env._(
                "Stripe did not capture the payment %(payment)s: %(error)s",
                payment=self.reference,
                error=error.message,
            )
        self._print_apply_intent(intent)
        return None

    def _print_send_release(self):
        if not self._print_uses_stripe():
            return super()._print_send_release()
        try:
            gateway = self._print_stripe_intents()
            intent = gateway.retrieve(self.provider_reference)
            plan = intent_planning.plan_release(intent.status)
            if plan == intent_planning.RELEASE:
                intent = gateway.cancel(self.provider_reference, self._print_stripe_key("release"))
            elif plan == intent_planning.REFUSE:
                return self.env._(
                    "Stripe holds the payment as %(status)s: it cannot be released.",
                    status=intent.status,
                )
        except StripeRefundError as error:
            _logger.info("Payment %s: release failed: %s", self.reference, error.detail)
            self._print_follow_stripe_quietly()
            return error.message
        self._print_apply_intent(intent)
        return None

    def _print_follow_provider(self):
        """Follow Stripe's PaymentIntent.  Stripe unreachable or refusing: a
        :class:`~odoo.exceptions.UserError` in plain words, as the generic follow-up (which
        leaves the payment to its next run) expects of any provider."""
        if not self._print_uses_stripe():
            return super()._print_follow_provider()
        try:
            intent = self._print_stripe_intents().retrieve(self.provider_reference)
        except StripeRefundError as error:
            raise UserError(
                self.env._(
                    "Stripe could not be asked about the payment %(payment)s now: %(error)s",
                    payment=self.reference,
                    error=error.message,
                )
            ) from error
        self._print_apply_intent(intent)
        return None

    # ------------------------------------------------------------
    # Stripe's PaymentIntent
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
        self.print_capture_unknown = False  # Stripe answered: its state is known now
        plan = intent_planning.plan_follow(intent.status)
        if plan == intent_planning.FOLLOW_CAPTURED and self.state != "done":
            self._set_done(extra_allowed_states=("cancel",))
            self.env.ref("payment.cron_post_process_payment_tx")._trigger()
        elif plan == intent_planning.FOLLOW_CANCELED and self.state == "authorized":
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
