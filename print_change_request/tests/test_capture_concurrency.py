"""Two workers on the same authorized payment at once: at most one capture, never a capture
and a release.

The other capture tests run inside one uncommitted transaction.  Here two real database
cursors act like two operators' requests, on data committed for the purpose (and removed
afterwards), on Odoo's demo provider (on Stripe: print_change_request_stripe's
test_capture_concurrency.py).  Every capture request Odoo sends to the provider is counted (the
real call goes through)."""

# Two real transactions must see each other's work: this test commits on purpose, on its own
# cursors only (never the test's), and removes what it committed.

import psycopg2
from psycopg2 import errorcodes

from odoo import Command, api
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .committed_data import commit_test_provider, create_one_job_order

OPERATOR_LOGIN = "pcr_capture_race_operator"


class CaptureConcurrencyMixin:
    """The races, whatever the provider; ``self.captures`` lists the capture requests sent
    to the provider (see ``_count_captures``)."""

    def setUp(self):
        super().setUp()
        self._live_envs = []
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            self.ids = self._commit_authorized_order(env)
        self.addCleanup(self._remove_committed_data)
        self.captures = []
        self._count_captures()

    def _commit_authorized_order(self, env):
        company = env.ref("base.main_company")
        operator = env["res.users"].search([("login", "=", OPERATOR_LOGIN)])
        if not operator:
            operator = env["res.users"].create(
                {
                    "name": "Capture Race Operator",
                    "login": OPERATOR_LOGIN,
                    "email": "capture.race.operator@example.com",
                    "groups_id": [
                        Command.link(env.ref("print_change_request.group_print_operator").id)
                    ],
                }
            )
        provider = self._commit_provider(env, company)
        previous_server = self._use_provider_server(env)
        order = create_one_job_order(
            env, company, "Capture Race Customer", "capture.race@example.com"
        )
        tx, reference = self._authorize(env, provider, order)
        assert order.is_payment_authorized
        return {
            "operator": operator.id,
            "order": order.id,
            "tx": tx.id,
            "provider": provider.id,
            "reference": reference,
            "previous_server": previous_server,
        }

    def _remove_committed_data(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            order = env["print.order"].browse(self.ids["order"])
            order.activity_ids.unlink()
            order.change_request_ids.unlink()
            order.job_ids.attachment_ids.unlink()
            cr.execute("DELETE FROM print_order WHERE id = %s", [order.id])
            cr.execute("DELETE FROM payment_transaction WHERE id = %s", [self.ids["tx"]])
            env["payment.provider"].browse(self.ids["provider"]).state = "disabled"
            self._restore_provider_server(env, self.ids["previous_server"])

    def _use_provider_server(self, env):
        """Point the provider's API at the test's server, if it has one (committed with the
        test's data); return what to set back afterwards (False: nothing changed)."""
        return False

    def _restore_provider_server(self, env, previous):
        """Set back what :meth:`_use_provider_server` changed."""

    # ------------------------------------------------------------
    # Helpers: one operator's request on a cursor of its own
    # ------------------------------------------------------------

    def _order(self, cr):
        """The order as the operator sees it on ``cr`` (no sudo: the operator's rights).
        Both requests run in this one thread: a lock one of them waits for (a regression of
        the NOWAIT locks) would hang the suite, so a wait fails after 2 s instead."""
        cr.execute("SET LOCAL lock_timeout = '2s'")
        env = api.Environment(cr, self.ids["operator"], {})
        # Kept alive until the test ends, as a request keeps ``request.env``: a cursor's
        # transaction holds its environments weakly and, at commit, flushes only those alive;
        # writes left in the cache of a collected one would be dropped silently.
        self._live_envs.append(env)
        return env["print.order"].browse(self.ids["order"])

    def _request_change(self, cr):
        """The operator's request for change, then OK on the release question."""
        order = self._order(cr)
        action = order.action_request_change()
        wizard = order.env[action["res_model"]].with_context(**action["context"]).create({})
        wizard.line_ids.write(
            {
                "to_change": True,
                "reason_id": order.env.ref("print_change_request.reason_low_resolution").id,
            }
        )
        question = wizard.action_confirm()
        self.assertEqual(question.get("res_model"), "print.release.confirm.wizard", question)
        confirm = order.env[question["res_model"]].with_context(**question["context"]).create({})
        return confirm.action_release_automatically()

    def _assert_refused_as_stale(self, call, cr):
        """``call`` runs on a view older than a money decision committed meanwhile: the
        money lock refuses it with a serialization failure (Odoo replays the request on
        fresh data); ``cr`` is rolled back."""
        with (
            self.assertRaises(psycopg2.OperationalError) as caught,
            mute_logger("odoo.sql_db"),
        ):
            call()
        self.assertEqual(caught.exception.pgcode, errorcodes.SERIALIZATION_FAILURE)
        cr.rollback()

    def _committed(self):
        """What was committed: the order's state, its payment's state and release state."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            order = env["print.order"].browse(self.ids["order"])
            tx = env["payment.transaction"].browse(self.ids["tx"])
            return {
                "order": order.communication_state,
                "paid": order.is_paid,
                "authorized": order.is_payment_authorized,
                "tx": tx.state,
                "release": tx.print_release_state,
                "requests": len(order.change_request_ids),
                "refunds": len(order.refund_ids),
            }

    def _assert_captured_and_accepted(self):
        committed = self._committed()
        self.assertEqual(committed["order"], "accepted", committed)
        self.assertEqual(committed["tx"], "done", committed)
        self.assertTrue(committed["paid"], committed)
        self.assertFalse(committed["authorized"], committed)
        self.assertFalse(committed["release"], committed)
        self._assert_provider_holds("succeeded")
        return committed

    def _assert_released_and_waiting(self):
        committed = self._committed()
        self.assertEqual(committed["order"], "change_requested", committed)
        self.assertEqual(committed["tx"], "cancel", committed)
        self.assertFalse(committed["paid"], committed)
        self.assertFalse(committed["authorized"], committed)
        self.assertFalse(committed["release"], committed)
        self.assertEqual(committed["requests"], 1, committed)
        self._assert_provider_holds("canceled")
        self.assertEqual(self.captures, [], "nothing captured")
        return committed

    # ------------------------------------------------------------
    # Accept and Accept
    # ------------------------------------------------------------

    def test_01_two_operators_accept_at_once_capture_once(self):
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            self.assertIs(self._order(cr1).action_accept(), True)  # captured, not committed
            with self.assertRaisesRegex(UserError, "Another user is working on"):
                self._order(cr2).action_accept()  # operator 2 clicks at the same moment
            cr2.rollback()
            self.assertEqual(self.captures, [self.ids["reference"]])
            cr1.commit()
            # Operator 2 clicks again once operator 1 is done: nothing is captured again.
            try:
                self._order(cr2).action_accept()
            except UserError as error:  # told the order is accepted already
                self.assertIn(self._order(cr2).name, str(error))
                cr2.rollback()
            else:
                cr2.commit()
        self.assertEqual(self.captures, [self.ids["reference"]], "exactly one capture request")
        self._assert_captured_and_accepted()

    def test_02_accept_on_a_stale_view_is_refused_and_played_again(self):
        """Operator 2's request read the order authorized, then operator 1's Accept
        committed: the money lock refuses the stale view (no second capture request), and
        Odoo's replay of the request on fresh data finds the payment captured."""
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            stale = self._order(cr2)
            self.assertTrue(stale.is_payment_authorized)  # operator 2's snapshot begins
            self.assertIs(self._order(cr1).action_accept(), True)
            cr1.commit()
            self._assert_refused_as_stale(lambda: stale.action_accept(), cr2)
            try:  # Odoo plays the request again
                self._order(cr2).action_accept()
            except UserError as error:
                self.assertIn(self._order(cr2).name, str(error))
                cr2.rollback()
            else:
                cr2.commit()
        self.assertEqual(self.captures, [self.ids["reference"]], "exactly one capture request")
        self._assert_captured_and_accepted()

    # ------------------------------------------------------------
    # Accept and a request for change (release)
    # ------------------------------------------------------------

    def test_03_request_for_change_while_accept_captures(self):
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            self.assertIs(self._order(cr1).action_accept(), True)  # captured, not committed
            with self.assertRaisesRegex(UserError, "Another user is working on"):
                self._request_change(cr2)  # nothing released
            cr2.rollback()
            cr1.commit()
        committed = self._assert_captured_and_accepted()
        self.assertEqual(committed["requests"], 0)
        self.assertEqual(self.captures, [self.ids["reference"]])

    def test_04_accept_while_a_request_for_change_releases(self):
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            result = self._request_change(cr1)  # released, not committed
            self.assertIn("was released", result["params"]["message"])
            with self.assertRaisesRegex(UserError, "Another user is working on"):
                self._order(cr2).action_accept()  # nothing captured
            cr2.rollback()
            cr1.commit()
            # Operator 2 clicks again: the order waits for the customer, nothing to capture.
            try:
                result = self._order(cr2).action_accept()
            except UserError:
                cr2.rollback()
            else:
                self.assertIsNot(result, True, "not accepted without the customer's answer")
                cr2.commit()
        self._assert_released_and_waiting()

    def test_05_accept_on_a_stale_view_after_a_release_captures_nothing(self):
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            stale = self._order(cr2)
            self.assertTrue(stale.is_payment_authorized)  # operator 2's snapshot begins
            self._request_change(cr1)
            cr1.commit()
            self._assert_refused_as_stale(lambda: stale.action_accept(), cr2)
        self._assert_released_and_waiting()

    def test_06_release_on_a_stale_view_after_a_capture_releases_nothing(self):
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            stale = self._order(cr2)
            self.assertTrue(stale.is_payment_authorized)  # operator 2's snapshot begins
            self.assertIs(self._order(cr1).action_accept(), True)
            cr1.commit()
            self._assert_refused_as_stale(lambda: self._request_change(cr2), cr2)
        committed = self._assert_captured_and_accepted()
        self.assertEqual(committed["requests"], 0)
        self.assertEqual(self.captures, [self.ids["reference"]])

    # ------------------------------------------------------------
    # Accept and Cancel
    # ------------------------------------------------------------

    def test_08_cancel_while_accept_captures(self):
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            self.assertIs(self._order(cr1).action_accept(), True)  # captured, not committed
            with self.assertRaisesRegex(UserError, "Another user is working on"):
                self._order(cr2).action_cancel()  # nothing released
            cr2.rollback()
            cr1.commit()
        self._assert_captured_and_accepted()
        self.assertEqual(self.captures, [self.ids["reference"]])

    def test_09_accept_while_cancel_releases(self):
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            self.assertIs(self._order(cr1).action_cancel(), True)  # released, not committed
            with self.assertRaisesRegex(UserError, "Another user is working on"):
                self._order(cr2).action_accept()  # nothing captured
            cr2.rollback()
            cr1.commit()
        self._assert_released_and_canceled()

    def test_10_accept_on_a_stale_view_after_a_cancel_captures_nothing(self):
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            stale = self._order(cr2)
            self.assertTrue(stale.is_payment_authorized)  # operator 2's snapshot begins
            self.assertIs(self._order(cr1).action_cancel(), True)
            cr1.commit()
            self._assert_refused_as_stale(lambda: stale.action_accept(), cr2)
        self._assert_released_and_canceled()

    def _assert_released_and_canceled(self):
        committed = self._committed()
        self.assertEqual(committed["order"], "canceled", committed)
        self.assertEqual(committed["tx"], "cancel", committed)
        self.assertFalse(committed["paid"], committed)
        self.assertFalse(committed["authorized"], committed)
        self.assertFalse(committed["release"], committed)
        self.assertEqual(committed["refunds"], 0, committed)
        self._assert_provider_holds("canceled")
        self.assertEqual(self.captures, [], "nothing captured")

    # ------------------------------------------------------------
    # Accept and the hourly follow-up
    # ------------------------------------------------------------

    def test_11_follow_up_while_accept_captures_leaves_the_payment_to_it(self):
        """The authorization is about to expire and the shop captures then: the hourly
        follow-up runs while an operator's Accept is capturing.  It skips the payment (held
        by the Accept) without an error, and finds nothing to capture on its next run."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            company = env["print.order"].browse(self.ids["order"]).company_id
            self.addCleanup(self._set_capture_before_expiry, company.print_capture_before_expiry)
            company.print_capture_before_expiry = True
            cr.execute(
                "UPDATE payment_transaction SET last_state_change = now() - interval '7 days' "
                "WHERE id = %s",
                [self.ids["tx"]],
            )
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            self.assertIs(self._order(cr1).action_accept(), True)  # captured, not committed
            cr2.execute("SET LOCAL lock_timeout = '2s'")  # a wait would fail, not hang
            cron_env = api.Environment(cr2, api.SUPERUSER_ID, {})
            self._live_envs.append(cron_env)
            cron_env["print.order"]._cron_follow_up_authorizations()  # skips the payment
            cr2.commit()
            self.assertEqual(self.captures, [self.ids["reference"]])
            cr1.commit()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            env["print.order"]._cron_follow_up_authorizations()  # the next hour
        self.assertEqual(self.captures, [self.ids["reference"]], "captured once")
        self._assert_captured_and_accepted()

    def _set_capture_before_expiry(self, value):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            env.ref("base.main_company").print_capture_before_expiry = value


@tagged("post_install", "-at_install")
class TestCaptureConcurrencyDemo(CaptureConcurrencyMixin, TransactionCase):
    """On Odoo's demo provider: the capture requests counted are the calls to
    ``_send_capture_request``."""

    allow_inherited_tests_method = True  # the mixin's tests

    def _count_captures(self):
        Transaction = type(self.env["payment.transaction"])
        send = Transaction._send_capture_request

        def counting_send(tx, amount_to_capture=None):
            self.captures.append(tx.reference)
            return send(tx, amount_to_capture=amount_to_capture)

        self.patch(Transaction, "_send_capture_request", counting_send)

    def _commit_provider(self, env, company):
        values = {
            "name": "Demo (capture concurrency test)",
            "company_id": company.id,
            "state": "test",
            "capture_manually": True,
        }
        return commit_test_provider(env, "payment.payment_provider_demo", values)

    def _authorize(self, env, provider, order):
        """The customer pays with the demo provider: authorized, not captured."""
        reference = f"CAPTURE-RACE-DEMO-{order.id}"
        tx = env["payment.transaction"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": env.ref("payment_demo.payment_method_demo").id,
                "reference": reference,
                "amount": 25.0,
                "currency_id": order.currency_id.id,
                "partner_id": order.partner_id.id,
                "print_order_ids": [Command.link(order.id)],
            }
        )
        tx._handle_notification_data("demo", {"reference": reference, "simulated_state": "done"})
        assert tx.state == "authorized", tx.state
        return tx, reference

    def _assert_provider_holds(self, status):
        """The demo provider keeps nothing of its own: one capture request at most."""
        if status == "succeeded":
            self.assertEqual(self.captures, [self.ids["reference"]], "exactly one capture request")
        else:
            self.assertEqual(self.captures, [])
