"""Money and state cannot be written around the addon's methods: each group calls the models
as it would over RPC (``with_user``, no sudo), and every door is closed with a clear error."""

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import PrintStripeCommon


@tagged("post_install", "-at_install")
class TestMoneyAccess(PrintStripeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.second_operator = cls._create_user(
            "pcr_operator_2", "print_change_request.group_print_operator"
        )

    def setUp(self):
        super().setUp()
        self._use_stripe_at(self.localstripe.url)

    def _paid_and_refunded(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        self._request_change(order, refund="automatic")
        return order, tx

    # ------------------------------------------------------------
    # print.refund: read only for users
    # ------------------------------------------------------------

    def test_01_nobody_creates_a_refund_by_hand(self):
        order = self._create_order()
        tx = self._pay_with_stripe(order)
        values = {
            "order_id": order.id,
            "company_id": order.company_id.id,
            "currency_id": order.currency_id.id,
            "amount": 10.0,
            "method": "automatic",
            "source_transaction_id": tx.id,
        }
        for user in (self.operator, self.manager, self.accountant):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["print.refund"].with_user(user).create(values)
        self.assertFalse(self.env["print.refund"].search([("order_id", "=", order.id)]))
        # ...so the hourly follow-up has nothing forged to send.
        self.env["print.refund"]._cron_follow_up_refunds()
        self.assertEqual(self._stripe_refunds_of(tx.provider_reference), [])

    def test_02_refund_money_fields_are_not_writable(self):
        order, _tx = self._paid_and_refunded()
        refund = order.refund_ids
        forged = {
            "amount": 1000.0,
            "state": "draft",
            "idempotency_key": "forged",
            "provider_refund_id": "re_forged",
            "source_transaction_id": False,
            "method": "manual",
        }
        for user in (self.operator, self.manager, self.accountant):
            for field, value in forged.items():
                with (
                    self.subTest(user=user.login, field=field),
                    self.assertRaises(AccessError),
                ):
                    refund.with_user(user).write({field: value})
        self.assertRecordValues(refund, [{"amount": 10.0, "state": "done", "method": "automatic"}])

    def test_03_accountant_notes_the_reference_of_a_manual_refund_only(self):
        order = self._create_order()
        self._pay_by_invoice(order)
        self._request_change(order, refund="manual")
        refund = order.refund_ids
        with self.assertRaises(AccessError):
            refund.with_user(self.operator).write({"manual_reference": "TR-1"})
        refund.with_user(self.accountant).write({"manual_reference": "TR-1"})
        refund.with_user(self.accountant).action_mark_done()
        self.assertEqual(refund.state, "done")
        with self.assertRaisesRegex(UserError, "can no longer change"):
            refund.with_user(self.accountant).write({"manual_reference": "TR-2"})
        self.assertEqual(refund.manual_reference, "TR-1")

    def test_04_accountant_marks_done_with_the_reference_as_argument(self):
        order = self._create_order()
        self._pay_by_invoice(order)
        self._request_change(order, refund="manual")
        refund = order.refund_ids
        refund.with_user(self.accountant).action_mark_done(reference="Bank transfer 77")
        self.assertRecordValues(
            refund, [{"state": "done", "manual_reference": "Bank transfer 77"}]
        )

    def test_05_users_read_refunds_and_comment_on_them(self):
        order, _tx = self._paid_and_refunded()
        for user in (self.operator, self.accountant):
            refund = order.refund_ids.with_user(user)
            self.assertEqual(refund.amount, 10.0)
            refund.message_post(body="Customer called about it.")
        self.assertEqual(
            len(order.refund_ids.message_ids.filtered(lambda m: "Customer called" in m.body)), 2
        )

    # ------------------------------------------------------------
    # print.order and print.job: money and state follow the workflow
    # ------------------------------------------------------------

    def test_10_operator_cannot_tie_another_orders_payment_to_an_order(self):
        victim = self._create_order()
        tx = self._pay_with_stripe(victim)
        thief = self._create_order()
        with self.assertRaisesRegex(AccessError, "Transactions"):
            thief.with_user(self.operator).write({"transaction_ids": [Command.link(tx.id)]})
        with self.assertRaises(AccessError):
            self.env["print.order"].with_user(self.operator).create(
                {"partner_id": self.customer.id, "transaction_ids": [Command.set(tx.ids)]}
            )
        self.assertFalse(thief.transaction_ids)
        self.assertFalse(thief.is_paid)
        self.assertEqual(tx.sudo().print_order_ids, victim)

    def test_11_computed_money_and_state_fields_are_not_writable(self):
        order = self._create_order()
        forged = {
            "is_paid": True,
            "amount_paid": 10.0,
            "amount_refunded": 0.0,
            "amount_total": 0.0,
            "communication_state": "accepted",
            "customer_wait_skipped": True,
        }
        for user in (self.operator, self.manager):
            for field, value in forged.items():
                with (
                    self.subTest(user=user.login, field=field),
                    self.assertRaisesRegex(AccessError, "cannot be written"),
                ):
                    order.with_user(user).write({field: value})
        self.assertRecordValues(
            order, [{"is_paid": False, "communication_state": "new", "amount_total": 10.0}]
        )

    def test_12_job_state_and_payment_move_only_through_the_order(self):
        order = self._create_order()
        job = order.job_ids.with_user(self.operator)
        with self.assertRaises(AccessError):
            job.write({"communication_state": "accepted"})
        with self.assertRaises(AccessError):
            job.write({"is_paid": True})
        with self.assertRaises(AccessError):
            self.env["print.job"].with_user(self.operator).create(
                {"order_id": order.id, "name": "Sneaky", "communication_state": "accepted"}
            )
        self.assertEqual(order.job_ids.communication_state, "new")

    def test_13_negative_price_is_refused(self):
        order = self._create_order()
        # Odoo's assertRaises rolls back what failed, as an RPC call's transaction would.
        with self.assertRaises(ValidationError) as caught:
            order.job_ids.with_user(self.operator).write({"price_unit": -50.0})
        self.assertIn("cannot be negative", str(caught.exception))
        with self.assertRaises(ValidationError) as caught:
            self.env["print.job"].with_user(self.operator).create(
                {"order_id": order.id, "name": "Credit", "price_unit": -1.0}
            )
        self.assertIn("cannot be negative", str(caught.exception))
        self.assertEqual(order.amount_total, 10.0)
        self.assertEqual(order.job_ids.price_unit, 10.0)

    def test_14_every_action_checks_the_callers_group(self):
        order = self._create_order()
        for action in (
            "action_accept",
            "action_cancel",
            "action_dispatch",
            "action_finalize",
            "action_request_change",
            "action_customer_changed",
            "action_continue_without_customer",
        ):
            with self.subTest(action=action), self.assertRaises(AccessError):
                getattr(order.with_user(self.accountant), action)()
        self.assertEqual(order.communication_state, "new")

    def test_15_requests_for_change_are_records_users_read(self):
        order = self._create_order()
        self._request_change(order, refund="manual")
        request = order.change_request_ids.with_user(self.operator)
        self.assertEqual(request.state, "waiting")
        for values in ({"state": "answered"}, {"message": "forged"}):
            with self.subTest(values=values), self.assertRaises(AccessError):
                request.write(values)
        with self.assertRaises(AccessError):
            self.env["print.change.request"].with_user(self.operator).create(
                {"order_id": order.id}
            )

    # ------------------------------------------------------------
    # The request dialog
    # ------------------------------------------------------------

    def _dialog(self, orders, user=None):
        user = user or self.operator
        action = orders.with_user(user).action_request_change()
        return (
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(**action["context"])
            .create({})
        )

    def test_20_a_request_cannot_list_another_orders_file(self):
        order = self._create_order()
        other = self._create_order()
        wizard = self._dialog(order)
        wizard.write(
            {
                "line_ids": [
                    Command.create(
                        {
                            "job_id": order.job_ids.id,
                            "attachment_id": other.job_ids.attachment_ids.id,
                            "to_change": True,
                            "reason_id": self.env.ref("print_change_request.reason_damaged").id,
                        }
                    )
                ]
            }
        )
        with self.assertRaisesRegex(UserError, "not a file of the job"):
            wizard.action_confirm()
        self.assertFalse(order.change_request_ids)
        self.assertEqual(order.communication_state, "new")

    def test_21_messages_have_a_sensible_size(self):
        order = self._create_order()
        wizard = self._dialog(order)
        with self.assertRaisesRegex(ValidationError, "too long"):
            wizard.write({"message": "x" * 1_000_000})
        with self.assertRaisesRegex(ValidationError, "too long"):
            wizard.line_ids[0].write({"note": "y" * 5000})
        wizard.write({"message": "Please embed the fonts. " * 10})
        self.assertTrue(wizard.message)

    def test_22_operator_without_e_mail_sends_with_the_companys_address(self):
        self.env.company.email = "shop@example.com"
        self.operator.partner_id.email = False
        order = self._create_order(user_id=self.operator.id)
        self._request_change(order, refund="manual")
        request = order.change_request_ids
        self.assertEqual(order.communication_state, "change_requested")
        self.assertIn("shop@example.com", request.mail_message_id.email_from)

    def test_23_operator_and_company_without_e_mail_get_a_clear_error_first(self):
        self.env.company.email = False
        self.operator.partner_id.email = False
        order = self._create_order(user_id=self.operator.id)
        tx = self._pay_with_stripe(order)
        with self.assertRaises(UserError) as caught:
            self._request_change(order, refund="automatic")
        self.assertIn("Neither you nor the company", str(caught.exception))
        self.assertEqual(self._stripe_refunds_of(tx.provider_reference), [], "nothing sent")
        self.assertFalse(order.change_request_ids)
        self.assertTrue(order.is_paid)

    def test_24_one_operator_cannot_run_anothers_dialog(self):
        order = self._create_order()
        self._pay_with_stripe(order)
        wizard = self._dialog(order)
        wizard.line_ids.write(
            {
                "to_change": True,
                "reason_id": self.env.ref("print_change_request.reason_damaged").id,
            }
        )
        stolen = wizard.with_user(self.second_operator)
        with self.assertRaises(AccessError):
            stolen.action_confirm()
        with self.assertRaises(AccessError):
            confirm = (
                self.env["print.refund.confirm.wizard"]
                .with_user(self.second_operator)
                .create({"request_wizard_id": wizard.id})
            )
            confirm.action_refund_automatically()
        self.assertFalse(order.change_request_ids)
        self.assertFalse(order.refund_ids)
        # The owner still can.
        question = wizard.action_confirm()
        self.assertEqual(question["res_model"], "print.refund.confirm.wizard")
