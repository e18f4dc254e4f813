"""Paying again from the portal: the order's transaction route on Odoo's PaymentPortal creates a
transaction linked to the order for the amount due; once done, the order is paid.  Uses Odoo's
``payment_demo`` provider (installed for the tests only, see scripts/test.sh)."""

import json

from odoo.tests import tagged

from .portal_common import PrintPortalCommon


@tagged("post_install", "-at_install")
class TestPortalPayment(PrintPortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_demo_provider()

    def _json(self, url, params):
        response = self.url_open(
            url,
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        payload = response.json()
        error = payload.get("error")
        return payload.get("result"), (error["data"]["message"] if error else None)

    def _transaction_params(self, **values):
        return {
            "access_token": self.order.access_token,
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

    def _pay(self, **values):
        return self._json(
            f"/my/print_orders/{self.order.id}/transaction", self._transaction_params(**values)
        )

    def test_01_page_offers_odoos_payment_form_for_the_amount_due(self):
        self._answer_fully()
        _response, page = self._get_page(f"/my/print_orders/{self.order.id}{self._token_query()}")
        form = page.xpath("//form[@id='o_payment_form']")
        self.assertEqual(len(form), 1)
        self.assertEqual(float(form[0].get("data-amount")), 40.0)
        self.assertEqual(
            form[0].get("data-transaction-route"),
            f"/my/print_orders/{self.order.id}/transaction?access_token={self.order.access_token}",
        )
        self.assertTrue(
            page.xpath(
                f"//input[@name='o_payment_radio'][@data-provider-id='{self.demo_provider.id}']"
            )
        )

    def test_02_transaction_route_creates_a_linked_transaction_then_paid(self):
        self._answer_fully()
        self._assert_done(self._submit(), "submitted")
        self.assertFalse(self.order.is_paid)

        result, error = self._pay()
        self.assertIsNone(error)
        tx = self.env["payment.transaction"].search([("reference", "=", result["reference"])])
        self.assertRecordValues(
            tx,
            [
                {
                    "amount": 40.0,
                    "state": "draft",
                    "partner_id": self.customer.id,
                    "provider_id": self.demo_provider.id,
                    "currency_id": self.order.currency_id.id,
                }
            ],
        )
        self.assertEqual(tx.print_order_ids, self.order)
        self.assertTrue(tx.reference.startswith(self.order.name))

        # The customer pays on the demo provider's form.
        _result, error = self._json(
            "/payment/demo/simulate_payment",
            {"reference": tx.reference, "payment_details": "4242", "simulated_state": "done"},
        )
        self.assertIsNone(error)
        self.env.invalidate_all()
        self.assertEqual(tx.state, "done")
        self.assertTrue(self.order.is_paid)
        self.assertEqual(self.order.amount_paid, 40.0)
        self.assertEqual(self.order.communication_state, "changed")
        self.assertTrue(
            self.order.message_ids.filtered(lambda message: tx.reference in (message.body or ""))
        )
        _response, page = self._get_page(f"/my/print_orders/{self.order.id}{self._token_query()}")
        self.assertEqual(page.get_element_by_id("print_order_paid").text_content().strip(), "Paid")
        self.assertFalse(page.xpath("//form[@id='o_payment_form']"))
        # Nothing left to pay: no second transaction.
        _result, error = self._pay()
        self.assertIn("nothing left to pay", error)

    def test_03_transaction_route_refusals(self):
        self._answer_fully()
        _result, error = self._pay(access_token="wrong")
        self.assertIn("access token is invalid", error)
        _result, error = self._pay(amount=1.0)
        self.assertIn("amount to pay", error)
        _result, error = self._pay(partner_id=self.portal_oscar.partner_id.id)
        self.assertTrue(error)
        _result, error = self._pay(custom_create_values={"amount": 1})
        self.assertTrue(error)
        params = self._transaction_params()
        del params["provider_id"], params["flow"]
        _result, error = self._json(f"/my/print_orders/{self.order.id}/transaction", params)
        self.assertIn("provider_id, flow", error)
        _result, error = self._json(
            f"/my/print_orders/{self.other_order.id}/transaction",
            self._transaction_params(),
        )
        self.assertIn("access token is invalid", error)
        self.assertFalse(
            self.env["payment.transaction"].search(
                [
                    ("print_order_ids", "in", (self.order | self.other_order).ids),
                    ("state", "=", "draft"),
                ]
            )
        )

    def test_04_payment_under_way_hides_the_form_and_refuses_another(self):
        """A payment sent to the provider and not settled (pending): the page says it is
        under way instead of offering the form again, and the route refuses a second
        payment with that answer."""
        self._answer_fully()
        self._assert_done(self._submit(), "submitted")
        result, error = self._pay()
        self.assertIsNone(error)
        # a second tab, at the same moment: the first payment is under way
        _result, error = self._pay()
        self.assertIn("already under way", error)
        _result, error = self._json(
            "/payment/demo/simulate_payment",
            {
                "reference": result["reference"],
                "payment_details": "4242",
                "simulated_state": "pending",
            },
        )
        self.assertIsNone(error)
        tx = self.env["payment.transaction"].search([("reference", "=", result["reference"])])
        self.assertEqual(tx.state, "pending")
        _response, page = self._get_page(f"/my/print_orders/{self.order.id}{self._token_query()}")
        self.assertFalse(page.xpath("//form[@id='o_payment_form']"), "no second payment form")
        self.assertFalse(page.xpath("//section[@id='print_order_payment']"))
        self.assertIn(
            "is under way",
            page.get_element_by_id("print_order_payment_status").text_content(),
        )
        _result, error = self._pay()
        self.assertIn("already under way", error)
        self.assertEqual(
            len(self.env["payment.transaction"].search([("print_order_ids", "=", self.order.id)])),
            2,
            "the first payment and the one before the request for change only",
        )
        # once the payment fails, the customer may pay again
        tx._set_error("Declined")
        _response, page = self._get_page(f"/my/print_orders/{self.order.id}{self._token_query()}")
        self.assertTrue(page.xpath("//form[@id='o_payment_form']"))

    def test_05_an_abandoned_payment_does_not_block_the_next(self):
        self._answer_fully()
        self._assert_done(self._submit(), "submitted")
        result, error = self._pay()
        self.assertIsNone(error)
        tx = self.env["payment.transaction"].search([("reference", "=", result["reference"])])
        self.env.cr.execute(
            "UPDATE payment_transaction SET create_date = now() - interval '1 minute'"
            " WHERE id = %s",
            [tx.id],
        )
        self.env.invalidate_all()
        _response, page = self._get_page(f"/my/print_orders/{self.order.id}{self._token_query()}")
        self.assertTrue(page.xpath("//form[@id='o_payment_form']"))
        result, error = self._pay()
        self.assertIsNone(error)
        self.assertNotEqual(result["reference"], tx.reference)
