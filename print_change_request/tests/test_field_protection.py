"""Fields only the addon's methods write, and internal fields customers do not read, called as
each group would call them over RPC (``with_user``, no sudo): an order's currency once money
moved, ``portal_submitted`` and ``access_token``; the mail server's error text and the shop's
pricing details for portal users."""

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import PrintCommon


@tagged("post_install", "-at_install")
class TestFieldProtection(PrintCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company_currency = cls.env.company.currency_id
        cls.other_currency = cls.env.ref(
            "base.EUR" if company_currency != cls.env.ref("base.EUR") else "base.CHF"
        )
        cls.other_currency.active = True
        cls.inactive_currency = cls.env.ref("base.XAF")
        cls.inactive_currency.active = False
        cls.portal_user = new_test_user(
            cls.env,
            login="pcr_portal_fields",
            groups="base.group_portal",
            partner_id=cls.customer.id,
            company_id=cls.env.company.id,
            company_ids=[Command.set(cls.env.company.ids)],
        )

    def _assert_user_error(self, call, fragment):
        """``call()`` raises a UserError itself (not one of its subclasses) saying
        ``fragment``."""
        with self.assertRaises(UserError) as caught:
            call()
        self.assertIs(type(caught.exception), UserError, caught.exception)
        self.assertIn(fragment, str(caught.exception))

    def test_01_currency_of_a_paid_order_does_not_change(self):
        order = self._create_order()
        self._pay_by_transaction(order)
        self.assertTrue(order.is_paid)
        for user in (self.operator, self.manager):
            with self.subTest(user=user.login):
                self._assert_user_error(
                    lambda user=user: order.with_user(user).write(
                        {"currency_id": self.other_currency.id}
                    ),
                    "cannot change: it was already paid",
                )
        order.invalidate_recordset()
        self.assertEqual(order.currency_id, self.env.company.currency_id)
        self.assertTrue(order.is_paid)
        # writing the same currency again is no change
        order.with_user(self.operator).write({"currency_id": order.currency_id.id})

    def test_02_currency_only_active_and_while_nothing_is_paid(self):
        order = self._create_order()
        self._assert_user_error(
            lambda: order.with_user(self.operator).write(
                {"currency_id": self.inactive_currency.id}
            ),
            "is not active",
        )
        self._assert_user_error(
            lambda: (
                self.env["print.order"]
                .with_user(self.operator)
                .create({"partner_id": self.customer.id, "currency_id": self.inactive_currency.id})
            ),
            "is not active",
        )
        # a pending payment already counts
        self._create_transaction(order)._set_pending()
        self._assert_user_error(
            lambda: order.with_user(self.operator).write({"currency_id": self.other_currency.id}),
            "cannot change",
        )
        fresh = self._create_order()
        fresh.with_user(self.operator).write({"currency_id": self.other_currency.id})
        self.assertEqual(fresh.currency_id, self.other_currency)

    def test_03_submitted_flag_and_access_token_are_the_methods_own(self):
        order = self._create_order()
        for user in (self.operator, self.manager):
            for values in ({"portal_submitted": True}, {"access_token": "guessed-token"}):
                with (
                    self.subTest(user=user.login, values=values),
                    self.assertRaises(AccessError) as caught,
                ):
                    order.with_user(user).write(values)
                self.assertIn("cannot be written", str(caught.exception))
            with self.assertRaises(AccessError) as caught:
                self.env["print.order"].with_user(user).create(
                    {"partner_id": self.customer.id, "access_token": "chosen-token"}
                )
            self.assertIn("cannot be written", str(caught.exception))
        self.assertFalse(order.portal_submitted)
        self.assertNotEqual(order.access_token, "guessed-token")
        # Odoo's own way still gives the order a token (the Share button, the mails)
        token = order.with_user(self.operator)._portal_ensure_token()
        self.assertTrue(token)
        self.assertEqual(order.access_token, token)

    def test_04_portal_users_do_not_read_internal_fields(self):
        order = self._create_order()
        Order = self.env["print.order"].with_user(self.portal_user)
        Job = self.env["print.job"].with_user(self.portal_user)
        # what the portal needs stays readable
        self.assertEqual(
            Order.browse(order.id).read(["name", "amount_total"])[0]["amount_total"],
            order.amount_total,
        )
        for field in ("customer_not_told_reason", "customer_wait_skipped"):
            with self.subTest(field=field):
                with self.assertRaisesRegex(AccessError, field):
                    Order.browse(order.id).read([field])
                with self.assertRaisesRegex(AccessError, field):
                    Order.search_read([("id", "=", order.id)], ["name", field])
        with self.assertRaisesRegex(AccessError, "customer_wait_skipped"):
            Order.search([("customer_wait_skipped", "=", True)])
        for field in ("price_manual", "price_unit_shop"):
            with self.subTest(field=field):
                with self.assertRaisesRegex(AccessError, field):
                    Job.browse(order.job_ids.ids).read([field])
                with self.assertRaisesRegex(AccessError, field):
                    Job.search_read([("order_id", "=", order.id)], [field])
                with self.assertRaisesRegex(AccessError, field):
                    Job.search([(field, "=", False)])
        # the fields an RPC client can list do not show them
        self.assertFalse(
            {"customer_not_told_reason", "customer_wait_skipped"} & set(Order.fields_get())
        )
        self.assertFalse({"price_manual", "price_unit_shop"} & set(Job.fields_get()))
        # operators still read them
        self.assertEqual(
            order.with_user(self.operator).read(["customer_wait_skipped", "customer_not_told"])[0][
                "customer_wait_skipped"
            ],
            False,
        )
        order.job_ids.with_user(self.operator).read(["price_manual", "price_unit_shop"])

    def test_05_each_model_declares_its_protected_fields_and_one_guard_refuses_them(self):
        """print.protected.fields.mixin: the order's, the job's (its preflight's result
        too) and the refund's protected fields are refused to every group, each in the
        model's own words; the addon's methods (sudo) still write them."""
        order = self._create_order()
        job = order.job_ids
        pages = job.preflight_page_count
        for user in (self.operator, self.manager):
            with self.subTest(user=user.login):
                with self.assertRaisesRegex(AccessError, "cannot be written"):
                    order.with_user(user).write(
                        {"date_customer_wait_skipped": "2026-01-01 00:00:00"}
                    )
                with self.assertRaisesRegex(AccessError, "Run preflight"):
                    job.with_user(user).write({"preflight_page_count": 99})
                with self.assertRaisesRegex(AccessError, "Run preflight"):
                    self.env["print.job"].with_user(user).create(
                        {"order_id": order.id, "name": "Forged", "preflight_state": "ok"}
                    )
                with self.assertRaisesRegex(AccessError, "starts as New"):
                    self.env["print.job"].with_user(user).create(
                        {"order_id": order.id, "name": "Forged", "communication_state": "accepted"}
                    )
                with self.assertRaisesRegex(AccessError, "only through the order's buttons"):
                    job.with_user(user).write({"is_paid": True})
                with self.assertRaisesRegex(AccessError, "cannot be created by hand"):
                    self.env["print.refund"].with_user(user).create(
                        {"order_id": order.id, "amount": 1.0}
                    )
        self.assertFalse(order.date_customer_wait_skipped)
        self.assertEqual(job.preflight_page_count, pages)
        self.assertFalse(job.is_paid)
        # a new job given the state it starts in is fine
        new_job = (
            self.env["print.job"]
            .with_user(self.operator)
            .create({"order_id": order.id, "name": "Posters", "communication_state": "new"})
        )
        self.assertEqual(new_job.communication_state, "new")
        # the addon's own methods write them
        job.sudo().write({"preflight_page_count": pages + 2})
        self.assertEqual(job.preflight_page_count, pages + 2)
