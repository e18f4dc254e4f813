"""The Stripe tests' fixtures: a Stripe provider on localstripe (a fake Stripe, real HTTP on
127.0.0.1), on top of print_change_request's own fixtures."""

import time

import stripe

from odoo.addons.print_change_request.tests.common import PrintCommon

from ..models.print_refund import STRIPE_API_BASE_PARAM, STRIPE_TIMEOUT_PARAM
from .stripe_servers import LocalStripe


def use_stripe_at(env, url):
    """Send the addon's Stripe calls to ``url`` (a localstripe); return the previous base, to
    be set back with ``use_stripe_at(env, previous)``."""
    params = env["ir.config_parameter"].sudo()
    previous = params.get_param(STRIPE_API_BASE_PARAM)
    params.set_param(STRIPE_API_BASE_PARAM, url or False)
    return previous


class PrintStripeCommon(PrintCommon):
    """PrintCommon plus a Stripe provider whose API is a localstripe server started for the
    class (real HTTP on 127.0.0.1).  Tests that need Stripe to misbehave point the provider at
    a :class:`~.stripe_servers.FakeStripe` with :meth:`_use_stripe_at`."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.localstripe = LocalStripe()
        cls.localstripe.start()
        cls.addClassCleanup(cls.localstripe.stop)
        cls.stripe_client = cls.localstripe.client()
        base = cls.env.ref("payment.payment_provider_stripe")
        cls.stripe_provider = base.sudo().copy(
            {
                "name": "Stripe (test)",
                "company_id": cls.env.company.id,
                "state": "test",
                "stripe_secret_key": "sk_test_print",
                "stripe_publishable_key": "pk_test_print",
                "stripe_webhook_secret": "whsec_test_print",
            }
        )
        cls._use_stripe_at(cls.localstripe.url)
        cls.env["ir.config_parameter"].sudo().set_param(STRIPE_TIMEOUT_PARAM, "2")

    @classmethod
    def _use_stripe_at(cls, url):
        use_stripe_at(cls.env, url)

    @classmethod
    def _pay_with_stripe(cls, order, amount=None):
        """The customer pays the order by card on (local)Stripe: a real payment intent, and
        the done transaction Odoo's Stripe provider would have made of it."""
        amount = order.amount_total if amount is None else amount
        payment_intent = cls.localstripe.create_paid_payment_intent(
            round(amount * 100), currency=order.currency_id.name.lower()
        )
        return cls._pay_by_transaction(
            order,
            amount=amount,
            provider=cls.stripe_provider,
            provider_reference=payment_intent,
        )

    def _stripe_refunds_of(self, payment_intent):
        """What Stripe (localstripe) holds for the payment: the proof of exactly one refund."""
        return self.stripe_client.v1.refunds.list(params={"payment_intent": payment_intent}).data


def sign_payload(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe would send with ``payload`` (the tests' signed
    webhooks).

    :param bytes payload: the body to sign
    :param str secret: the endpoint secret
    :param int timestamp: the signing time, default now
    """
    if isinstance(payload, (bytes, bytearray)):
        payload = bytes(payload).decode("utf-8")
    if timestamp is None:
        timestamp = int(time.time())
    return stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)
