"""Two browser tabs paying one order at the same moment, over real HTTP against committed
data: one payment transaction, and the other tab gets the normal answer ("a payment of order
... is already under way"), not Odoo's "Reference must be unique!", and no ERROR in the log.

To make the two requests truly meet, the test holds, in a third transaction, a payment with
the reference both would compute (the order's name) until both wait, then rolls it back:
without the order's lock both then insert that reference."""

# Two real transactions must see each other's locks: this test commits on purpose, on its
# own cursors only (never the test's), and removes what it committed.

import threading
import time

import requests

from odoo import Command, api
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import TransactionCase, tagged
from odoo.tools import config

from .committed_data import commit_test_provider, create_one_job_order

TIMEOUT = 60


@tagged("post_install", "-at_install")
class TestPortalPaymentRace(TransactionCase):
    def setUp(self):
        super().setUp()
        self.base_url = f"http://127.0.0.1:{config['http_port']}"
        # as test_portal_double_click: the requests use real cursors on committed data
        self.patch(Registry, "_lock", DummyRLock())
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            method = env.ref("payment_demo.payment_method_demo")
            provider = commit_test_provider(
                env,
                "payment.payment_provider_demo",
                {
                    "name": "Demo (payment race test)",
                    "company_id": company.id,
                    "state": "test",
                    "is_published": True,
                    "capture_manually": False,
                    "payment_method_ids": [Command.set(method.ids)],
                },
            )
            order = create_one_job_order(
                env, company, "Payment Race Customer", "payment.race@example.com"
            )
            # the provider the page's form pairs with the demo method (another demo provider
            # of the database may come first)
            compatible = env["payment.provider"]._get_compatible_providers(
                company.id,
                order.partner_id.id,
                order._get_amount_due(),
                currency_id=order.currency_id.id,
            )
            offered = method.provider_ids.filtered(lambda p: p in compatible)[:1] or provider
            self.ids = {
                "order": order.id,
                "name": order.name,
                "token": order._portal_ensure_token(),
                "amount": order._get_amount_due(),
                "currency": order.currency_id.id,
                "partner": order.partner_id.id,
                "provider": offered.id,
                "test_provider": provider.id,
                "method": method.id,
            }
        self.addCleanup(self._remove_committed_data)

    def _remove_committed_data(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            order = env["print.order"].browse(self.ids["order"])
            order.activity_ids.unlink()
            order.job_ids.attachment_ids.unlink()
            cr.execute(
                "DELETE FROM payment_transaction WHERE reference LIKE %s",
                [f"{self.ids['name']}%"],
            )
            cr.execute("DELETE FROM print_order WHERE id = %s", [order.id])
            env["payment.provider"].browse(self.ids["test_provider"]).state = "disabled"

    def _pay(self):
        """One tab's click on Pay: the payment form's call of the transaction route."""
        params = {
            "access_token": self.ids["token"],
            "provider_id": self.ids["provider"],
            "payment_method_id": self.ids["method"],
            "token_id": None,
            "amount": self.ids["amount"],
            "flow": "direct",
            "tokenization_requested": False,
            "landing_route": f"/my/print_orders/{self.ids['order']}",
            "is_validation": False,
        }
        response = requests.post(
            f"{self.base_url}/my/print_orders/{self.ids['order']}/transaction",
            json={"jsonrpc": "2.0", "method": "call", "id": 1, "params": params},
            timeout=TIMEOUT,
        )
        self.assertEqual(response.status_code, 200, response.text[:300])
        payload = response.json()
        error = payload.get("error")
        return payload.get("result"), (error["data"]["message"] if error else None)

    def _pay_twice_at_once(self):
        """Two tabs pay at once, both held at the reference until both wait."""
        answers = [None, None]

        def pay(index):
            answers[index] = self._pay()

        with self.registry.cursor() as holder:
            env = api.Environment(holder, api.SUPERUSER_ID, {})
            env["payment.transaction"].create(
                {
                    "provider_id": self.ids["provider"],
                    "payment_method_id": self.ids["method"],
                    "reference": self.ids["name"],
                    "amount": self.ids["amount"],
                    "currency_id": self.ids["currency"],
                    "partner_id": self.ids["partner"],
                }
            )
            env.flush_all()
            threads = [threading.Thread(target=pay, args=(index,)) for index in range(2)]
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and any(thread.is_alive() for thread in threads):
                with self.registry.cursor() as probe:
                    probe.execute(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                    if probe.fetchone()[0] >= 2:
                        break
                time.sleep(0.1)
            holder.rollback()
        for thread in threads:
            thread.join(TIMEOUT)
        return answers

    def test_01_two_tabs_pay_at_once_one_payment_the_other_is_told(self):
        with self.assertNoLogs("odoo", level="ERROR"):
            answers = self._pay_twice_at_once()
        references = [(result or {}).get("reference") for result, error in answers if not error]
        errors = [error for _result, error in answers if error]
        self.assertEqual(len(references), 1, answers)
        self.assertEqual(len(errors), 1, answers)
        self.assertIn("already under way", errors[0])
        self.assertNotIn("unique", errors[0])
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT t.reference FROM payment_transaction t"
                " JOIN print_order_transaction_rel r ON r.transaction_id = t.id"
                " WHERE r.order_id = %s",
                [self.ids["order"]],
            )
            self.assertEqual([row[0] for row in cr.fetchall()], references)
