"""The order's transaction route accepts only what the page's payment form offers for that order
and partner: the customer logged in posts, over real HTTP and JSON-RPC, the providers, payment
methods and tokens the page never offered, and nothing is created."""

import json

from odoo import Command
from odoo.tests import tagged

from .portal_common import PrintPortalCommon

NOT_OFFERED = "This payment option is not offered for order"


@tagged("post_install", "-at_install")
class TestPortalPaymentOptions(PrintPortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_demo_provider()
        env = cls.customer.env  # cls.env: see PrintPortalCommon.setUpClass
        cls.other_company = env["res.company"].create({"name": "Other Print Shop"})

    def setUp(self):
        super().setUp()
        self._answer_fully()
        self.authenticate("portal_paula", "portal_paula")

    def _demo_provider(self, **values):
        """Another demo provider (as Odoo's Stripe one would be: same code, other settings)."""
        return self.demo_provider.copy(
            {
                "name": "Demo (other)",
                "state": "test",
                "is_published": True,
                "payment_method_ids": [Command.set(self.demo_method.ids)],
                **values,
            }
        )

    def _pay(self, **values):
        params = {
            "provider_id": self.demo_provider.id,
            "payment_method_id": self.demo_method.id,
            "token_id": None,
            "amount": 40.0,
            "flow": "direct",
            "tokenization_requested": False,
            "landing_route": self.order.get_portal_url(),
            "is_validation": False,
            **values,
        }
        response = self.url_open(
            f"/my/print_orders/{self.order.id}/transaction",
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        payload = response.json()
        error = payload.get("error")
        return payload.get("result"), error["data"] if error else None

    def _assert_refused(self, **values):
        transactions = self.env["payment.transaction"].search_count([])
        result, error = self._pay(**values)
        self.assertIsNone(result)
        self.assertEqual(error["name"], "odoo.exceptions.ValidationError", error)
        self.assertIn(NOT_OFFERED, error["message"])
        self.assertIn("Reload the page", error["message"])
        self.assertEqual(self.env["payment.transaction"].search_count([]), transactions)

    def _offered_provider_ids(self):
        _response, page = self._get_page(f"/my/print_orders/{self.order.id}")
        return {
            int(value)
            for value in page.xpath("//input[@name='o_payment_radio']/@data-provider-id")
        }

    def test_01_the_offered_demo_provider_pays(self):
        self.assertEqual(self._offered_provider_ids(), {self.demo_provider.id})
        result, error = self._pay()
        self.assertIsNone(error)
        tx = self.env["payment.transaction"].search([("reference", "=", result["reference"])])
        self.assertEqual(tx.provider_id, self.demo_provider)
        self.assertEqual(tx.partner_id, self.customer)
        self.assertEqual(tx.print_order_ids, self.order)

    def test_02_a_disabled_provider_is_refused(self):
        disabled = self._demo_provider(state="disabled")
        self.assertNotIn(disabled.id, self._offered_provider_ids())
        self._assert_refused(provider_id=disabled.id)

    def test_03_an_unpublished_provider_is_refused(self):
        unpublished = self._demo_provider(is_published=False)
        self.assertNotIn(unpublished.id, self._offered_provider_ids())
        self._assert_refused(provider_id=unpublished.id)

    def test_04_a_provider_of_another_company_is_refused(self):
        elsewhere = self._demo_provider(company_id=self.other_company.id)
        self.assertNotIn(elsewhere.id, self._offered_provider_ids())
        self._assert_refused(provider_id=elsewhere.id)

    def test_05_a_payment_method_not_offered_is_refused(self):
        card = self.env.ref("payment.payment_method_card")
        self.assertNotIn(card, self.demo_provider.payment_method_ids)
        self._assert_refused(payment_method_id=card.id)
        self._assert_refused(payment_method_id="not a number")
        self._assert_refused(payment_method_id=None)
        # a validation (the provider's amount, no payment) is no option of this page either
        self._assert_refused(is_validation=True)

    def test_06_another_partners_token_is_refused(self):
        token = self.env["payment.token"].create(
            {
                "provider_id": self.demo_provider.id,
                "payment_method_id": self.demo_method.id,
                "partner_id": self.other_customer.id,
                "provider_ref": "oscar-card",
                "payment_details": "4242",
            }
        )
        self._assert_refused(flow="token", token_id=token.id, payment_method_id=None)
        # and a token of a provider not offered, even the customer's own
        hidden = self._demo_provider(is_published=False)
        own = self.env["payment.token"].create(
            {
                "provider_id": hidden.id,
                "payment_method_id": self.demo_method.id,
                "partner_id": self.customer.id,
                "provider_ref": "paula-card",
                "payment_details": "4242",
            }
        )
        self._assert_refused(flow="token", token_id=own.id, provider_id=hidden.id)
        self._assert_refused(flow="sideways")
