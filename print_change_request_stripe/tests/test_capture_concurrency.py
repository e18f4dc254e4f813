"""Two workers on the same authorized Stripe payment at once (localstripe): at most one
capture, never a capture and a release; localstripe's PaymentIntent says what Stripe holds at
the end.  The races themselves: print_change_request's test_capture_concurrency.py."""

from odoo import Command
from odoo.addons.print_change_request.tests.committed_data import commit_test_provider
from odoo.addons.print_change_request.tests.test_capture_concurrency import (
    CaptureConcurrencyMixin,
)
from odoo.tests import TransactionCase, tagged

from ..lib.stripe_intents import StripeIntents
from .common import use_stripe_at
from .stripe_servers import LocalStripe


@tagged("post_install", "-at_install")
class TestCaptureConcurrencyStripe(CaptureConcurrencyMixin, TransactionCase):
    """On localstripe: the capture requests counted are the calls to Stripe's capture."""

    allow_inherited_tests_method = True  # the mixin's tests

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.localstripe = LocalStripe()
        cls.localstripe.start()
        cls.addClassCleanup(cls.localstripe.stop)

    def _use_provider_server(self, env):
        return use_stripe_at(env, self.localstripe.url)

    def _restore_provider_server(self, env, previous):
        use_stripe_at(env, previous)

    def _count_captures(self):
        capture = StripeIntents.capture

        def counting_capture(gateway, intent_id, idempotency_key):
            self.captures.append(intent_id)
            return capture(gateway, intent_id, idempotency_key)

        self.patch(StripeIntents, "capture", counting_capture)

    def _commit_provider(self, env, company):
        values = {
            "name": "Stripe (capture concurrency test)",
            "company_id": company.id,
            "state": "test",
            "capture_manually": True,
            "stripe_secret_key": "sk_test_capture_race",
            "stripe_publishable_key": "pk_test_capture_race",
        }
        return commit_test_provider(env, "payment.payment_provider_stripe", values)

    def _authorize(self, env, provider, order):
        """A PaymentIntent that requires capture on localstripe, authorized in Odoo."""
        intent = self.localstripe.create_card_payment_intent(
            2500, order.currency_id.name.lower(), capture_method="manual"
        )
        tx = env["payment.transaction"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": env.ref("payment.payment_method_card").id,
                "reference": f"CAPTURE-RACE-{order.id}",
                "amount": 25.0,
                "currency_id": order.currency_id.id,
                "partner_id": order.partner_id.id,
                "provider_reference": intent,
                "print_order_ids": [Command.link(order.id)],
            }
        )
        tx._set_authorized()
        return tx, intent

    def _assert_provider_holds(self, status):
        intent = self.localstripe.client().v1.payment_intents.retrieve(self.ids["reference"])
        self.assertEqual(intent.status, status)

    def test_07_capture_lost_with_its_worker_is_recorded_not_sent_again(self):
        """Stripe captured, then the worker died before committing (nothing of it is in the
        database): the next Accept reads Stripe first and records the capture."""
        self.localstripe.client().v1.payment_intents.capture(self.ids["reference"])
        with self.registry.cursor() as cr:
            self.assertIs(self._order(cr).action_accept(), True)
        self.assertEqual(self.captures, [], "no capture request sent again")
        self._assert_captured_and_accepted()
