"""Who may do what: operators, managers, accountants, portal users, other companies."""

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .common import PrintCommon


@tagged("post_install", "-at_install")
class TestAccess(PrintCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._create_order(jobs=2)
        cls.portal_user = cls._create_user_portal()

    @classmethod
    def _create_user_portal(cls):
        return new_test_user(
            cls.env, login="pcr_portal", groups="base.group_portal", partner_id=cls.customer.id
        )

    def test_01_operator_creates_reads_and_works_orders(self):
        order = (
            self.env["print.order"]
            .with_user(self.operator)
            .create({"partner_id": self.customer.id})
        )
        job = (
            self.env["print.job"]
            .with_user(self.operator)
            .create({"order_id": order.id, "name": "Posters", "price_unit": 3.0})
        )
        self.assertEqual(order.communication_state, "new")
        job.write({"copies": 3})
        self.assertEqual(order.amount_total, 9.0)
        order.with_user(self.operator).action_accept()
        self.assertEqual(order.communication_state, "accepted")
        self.assertEqual(self.order.with_user(self.operator).name, self.order.name)

    def test_02_operator_cannot_delete_orders_manager_can(self):
        with self.assertRaises(AccessError):
            self.order.with_user(self.operator).unlink()
        order = self._create_order()
        order.with_user(self.manager).unlink()
        self.assertFalse(order.exists())

    def test_03_accountant_reads_but_does_not_write(self):
        order = self.order.with_user(self.accountant)
        self.assertEqual(order.communication_state, "new")
        self.assertEqual(len(order.job_ids), 2)
        with self.assertRaises(AccessError):
            order.write({"user_id": self.accountant.id})
        with self.assertRaises(AccessError):
            self.env["print.order"].with_user(self.accountant).create(
                {"partner_id": self.customer.id}
            )
        with self.assertRaises(AccessError):
            order.job_ids[0].write({"copies": 4})

    def test_04_portal_user_reads_own_orders_only_and_writes_nothing(self):
        order = self.order.with_user(self.portal_user)
        self.assertEqual(order.read(["name"])[0]["name"], self.order.name)
        self.assertEqual(len(order.job_ids), 2)
        with self.assertRaises(AccessError):
            order.write({"user_id": self.portal_user.id})
        with self.assertRaises(AccessError):
            order.job_ids[0].write({"copies": 4})
        with self.assertRaises(AccessError):
            self.env["print.order"].with_user(self.portal_user).create(
                {"partner_id": self.customer.id}
            )
        stranger = self.env["res.partner"].create({"name": "Someone else"})
        other_order = self._create_order(partner_id=stranger.id)
        with self.assertRaises(AccessError):
            other_order.with_user(self.portal_user).read(["name"])
        self.assertFalse(
            self.env["print.order"]
            .with_user(self.portal_user)
            .search([("id", "=", other_order.id)])
        )

    def test_05_other_company_sees_nothing(self):
        other_company = self.setup_other_company()["company"]
        outsider = self._create_user(
            "pcr_outsider", "print_change_request.group_print_manager", company=other_company
        )
        orders = self.env["print.order"].with_user(outsider).search([("id", "=", self.order.id)])
        self.assertFalse(orders)
        jobs = self.env["print.job"].with_user(outsider).search([("order_id", "=", self.order.id)])
        self.assertFalse(jobs)
        with self.assertRaises(AccessError):
            self.order.with_user(outsider).read(["name"])

    def test_06_state_is_not_writable_around_the_rules(self):
        # AccessError is a UserError: the guard's own refusal is asserted, not the workflow's
        # (dispatched -> new is not a move the buttons make either).
        order = self._create_order(job_states=["dispatched"])
        with self.assertRaisesRegex(AccessError, "change only through the order's buttons"):
            order.job_ids.with_user(self.operator).write({"communication_state": "new"})
        # A move the workflow allows, and "Job is paid", are refused all the same.
        new_order = self._create_order()
        job = new_order.job_ids.with_user(self.operator)
        for values in ({"communication_state": "accepted"}, {"is_paid": True}):
            with (
                self.subTest(values=values),
                self.assertRaisesRegex(AccessError, "change only through the order's buttons"),
            ):
                job.write(values)
        self.assertRecordValues(
            new_order.job_ids, [{"communication_state": "new", "is_paid": False}]
        )
        with self.assertRaisesRegex(AccessError, "A new job starts as New"):
            self.env["print.job"].with_user(self.operator).create(
                {"order_id": new_order.id, "name": "Accepted", "communication_state": "accepted"}
            )
