"""The Stripe tests' fixtures: a Stripe provider on localstripe (a fake Stripe, real HTTP on
127.0.0.1), on top of print_change_request's own fixtures."""

import time

import stripe

from odoo import Command, api
from odoo.addons.print_change_request.tests.committed_data import (
    commit_test_provider,
    create_one_job_order,
)
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


class CommittedStripePaymentMixin:
    """A paid order committed for a test that needs two real transactions (two operators'
    requests on cursors of their own), paid on localstripe; removed after the test.  A test
    class sets its names (``committed_label``, ``committed_customer``,
    ``committed_reference``) and reads ``self.ids``."""

    committed_label = "concurrency"
    committed_customer = ("Concurrent Customer", "concurrent@example.com")
    committed_reference = "CONCURRENT"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.localstripe = LocalStripe()
        cls.localstripe.start()
        cls.addClassCleanup(cls.localstripe.stop)

    def setUp(self):
        super().setUp()
        self.uid = self.env.ref("base.user_admin").id
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.uid, {})
            self.ids = self._commit_paid_order(env)
        self.addCleanup(self._remove_committed_data)

    def _commit_paid_order(self, env):
        company = env.ref("base.main_company")
        values = {
            "name": f"Stripe ({self.committed_label} test)",
            "company_id": company.id,
            "state": "test",
            "stripe_secret_key": f"sk_test_{self.committed_label.replace(' ', '_')}",
            "stripe_publishable_key": f"pk_test_{self.committed_label.replace(' ', '_')}",
        }
        provider = commit_test_provider(env, "payment.payment_provider_stripe", values)
        previous_base = use_stripe_at(env, self.localstripe.url)
        order = create_one_job_order(env, company, *self.committed_customer)
        partner = order.partner_id
        intent = self.localstripe.create_paid_payment_intent(
            2500, currency=order.currency_id.name.lower()
        )
        tx = (
            env["payment.transaction"]
            .sudo()
            .create(
                {
                    "provider_id": provider.id,
                    "payment_method_id": env.ref("payment.payment_method_card").id,
                    "reference": f"{self.committed_reference}-{order.id}",
                    "amount": 25.0,
                    "currency_id": order.currency_id.id,
                    "partner_id": partner.id,
                    "provider_reference": intent,
                    "print_order_ids": [Command.link(order.id)],
                }
            )
        )
        tx._set_done()
        assert order.is_paid
        return {
            "order": order.id,
            "partner": partner.id,
            "provider": provider.id,
            "intent": intent,
            "previous_base": previous_base,
        }

    def _remove_committed_data(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            order = env["print.order"].browse(self.ids["order"])
            order.refund_ids.activity_ids.unlink()
            order.refund_ids.unlink()
            order.job_ids.attachment_ids.unlink()
            cr.execute("DELETE FROM print_order WHERE id = %s", [order.id])
            env["payment.provider"].browse(self.ids["provider"]).state = "disabled"
            use_stripe_at(env, self.ids["previous_base"])
