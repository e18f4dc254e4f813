"""Accept never dead-ends: "I do not wait for the response of the customer." is a real
confirmation dialog that goes on with the step, and an unpaid order (refunded after a
request for change, or never paid) says why and offers a payment link, an invoice, or a
manager's acceptance without payment."""

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .common import PrintCommon


@tagged("post_install", "-at_install")
class TestAcceptDialogs(PrintCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator_accountant = cls._create_user(
            "pcr_operator_accountant",
            "print_change_request.group_print_operator,account.group_account_invoice",
        )

    def _dialog(self, action, user):
        self.assertEqual(action["type"], "ir.actions.act_window")
        self.assertEqual(action["target"], "new")
        return self.env[action["res_model"]].with_user(user).browse(action["res_id"])

    def _refunded_changed_order(self):
        """A paid order refunded by a request for change, then changed by the customer."""
        self.env.company.print_payment_required = True
        order = self._create_order()
        self._pay_by_invoice(order)
        self._request_change(order, refund="manual")
        order.with_user(self.operator).action_customer_changed()
        self.assertEqual(order.communication_state, "changed")
        self.assertFalse(order.is_paid)
        return order

    # ------------------------------------------------------------
    # "I do not wait for the response of the customer."
    # ------------------------------------------------------------

    def test_01_accept_on_a_waiting_order_asks_then_accepts(self):
        order = self._create_order(jobs=2)
        self._request_change(order)
        action = order.with_user(self.operator).action_accept()
        dialog = self._dialog(action, self.operator)
        self.assertEqual(dialog._name, "print.order.continue.wizard")
        self.assertEqual(dialog.next_step, "accept")
        self.assertEqual(dialog.waiting_order_names, order.name)
        self.assertEqual(order.communication_state, "change_requested", "asking changes nothing")
        self.assertFalse(order.customer_wait_skipped)

        self.assertTrue(dialog.action_continue())
        self.assertEqual(order.communication_state, "accepted")
        self.assertTrue(order.customer_wait_skipped)
        self.assertEqual(order.change_request_ids.state, "not_waited")
        notes = order.message_ids.filtered(
            lambda message: (
                "I do not wait for the response of the customer" in (message.body or "")
            )
        )
        self.assertEqual(len(notes), 1)

    def test_02_ok_clicked_twice_accepts_once(self):
        order = self._create_order()
        self._request_change(order)
        dialog = self._dialog(order.with_user(self.operator).action_accept(), self.operator)
        dialog.action_continue()
        dialog.action_continue()
        self.assertEqual(order.communication_state, "accepted")
        notes = order.message_ids.filtered(
            lambda message: (
                "I do not wait for the response of the customer" in (message.body or "")
            )
        )
        self.assertEqual(len(notes), 1, "the choice is written once")

    def test_03_closing_the_dialog_keeps_waiting(self):
        order = self._create_order()
        self._request_change(order)
        order.with_user(self.operator).action_accept()
        self.assertEqual(order.communication_state, "change_requested")
        self.assertFalse(order.customer_wait_skipped)
        self.assertEqual(order.change_request_ids.state, "waiting")

    def test_04_continue_then_payment_dialog_when_the_order_is_unpaid(self):
        self.env.company.print_payment_required = True
        order = self._create_order()
        self._request_change(order)
        dialog = self._dialog(order.with_user(self.operator).action_accept(), self.operator)
        next_dialog = self._dialog(dialog.action_continue(), self.operator)
        self.assertEqual(next_dialog._name, "print.order.unpaid.wizard")
        self.assertTrue(order.customer_wait_skipped, "the choice is kept")
        self.assertEqual(order.communication_state, "change_requested")

    # ------------------------------------------------------------
    # Accept on an unpaid order
    # ------------------------------------------------------------

    def test_10_refunded_order_says_its_refund_is_pending(self):
        order = self._refunded_changed_order()
        dialog = self._dialog(order.with_user(self.operator).action_accept(), self.operator)
        self.assertEqual(dialog._name, "print.order.unpaid.wizard")
        self.assertIn("is pending", dialog.message, "the manual refund is not made yet")
        self.assertNotIn("was refunded", dialog.message)
        self.assertNotIn("register it on the order's invoice", dialog.message)
        self.assertEqual(dialog.amount_due, 10.0)
        self.assertFalse(dialog.can_invoice)
        self.assertFalse(dialog.is_manager)
        self.assertEqual(order.communication_state, "changed")

    def test_11_never_paid_order_without_invoice_says_so(self):
        self.env.company.print_payment_required = True
        order = self._create_order()
        dialog = self._dialog(order.with_user(self.operator).action_accept(), self.operator)
        self.assertIn("has no invoice", dialog.message)

    def test_12_payment_link_invoices_the_amount_due_and_opens_odoos_dialog(self):
        order = self._refunded_changed_order()
        user = self.operator_accountant
        dialog = self._dialog(order.with_user(user).action_accept(), user)
        self.assertTrue(dialog.can_invoice)
        action = dialog.action_send_payment_link()
        self.assertEqual(action["res_model"], "payment.link.wizard")
        invoice = order.invoice_ids.filtered(
            lambda move: move.state == "posted" and move.payment_state == "not_paid"
        )
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.amount_total, 10.0)
        self.assertEqual(action["context"]["active_id"], invoice.id)
        link = (
            self.env["payment.link.wizard"]
            .with_user(user)
            .with_context(**action["context"])
            .create({})
        )
        self.assertRecordValues(
            link, [{"res_model": "account.move", "res_id": invoice.id, "amount": 10.0}]
        )
        self.assertIn(invoice.name, order.message_ids[0].body)

        # The customer pays the invoice: the order is paid and Accept goes through.
        self._register_payment(invoice)
        self.assertTrue(order.is_paid)
        self.assertTrue(order.with_user(self.operator).action_accept())
        self.assertEqual(order.communication_state, "accepted")

    def test_13_invoice_the_order_reuses_the_open_invoice(self):
        order = self._refunded_changed_order()
        user = self.operator_accountant
        dialog = self._dialog(order.with_user(user).action_accept(), user)
        first = dialog.action_invoice()
        self.assertEqual(first["res_model"], "account.move")
        again = self._dialog(order.with_user(user).action_accept(), user)
        self.assertIn("waits for the customer's payment", again.message)
        second = again.action_invoice()
        self.assertEqual(first["res_id"], second["res_id"], "no second invoice")

    def test_14_operator_without_invoicing_rights_cannot_invoice(self):
        order = self._refunded_changed_order()
        dialog = self._dialog(order.with_user(self.operator).action_accept(), self.operator)
        with self.assertRaisesRegex(UserError, "invoicing rights"):
            dialog.action_invoice()
        with self.assertRaisesRegex(UserError, "invoicing rights"):
            dialog.action_send_payment_link()
        self.assertFalse(order._get_open_invoices())

    def test_15_only_a_manager_accepts_unpaid_and_it_is_logged(self):
        order = self._refunded_changed_order()
        dialog = self._dialog(order.with_user(self.operator).action_accept(), self.operator)
        with self.assertRaisesRegex(UserError, "Only a Print Shop manager"):
            dialog.action_accept_unpaid()
        self.assertEqual(order.communication_state, "changed")

        dialog = self._dialog(order.with_user(self.manager).action_accept(), self.manager)
        self.assertTrue(dialog.is_manager)
        dialog.reason = "Pays at the end of the month"
        self.assertTrue(dialog.action_accept_unpaid())
        self.assertEqual(order.communication_state, "accepted")
        self.assertFalse(order.is_paid)
        note = order.message_ids.filtered(
            lambda message: "accepted the order without payment" in (message.body or "")
        )
        self.assertEqual(len(note), 1)
        self.assertIn("Pays at the end of the month", note.body)
        self.assertIn(self.manager.name, note.body)


@tagged("post_install", "-at_install")
class TestAcceptDialogsTour(HttpCase):
    def test_01_manager_accepts_a_waiting_unpaid_order_in_the_browser(self):
        self.env.ref("base.user_admin").tour_enabled = False
        order = self.env.ref("print_change_request.order_waiting")
        self.assertTrue(order.company_id.print_payment_required)
        self.assertFalse(order.is_paid)
        self.start_tour(
            f"/odoo/action-print_change_request.print_order_action/{order.id}",
            "print_change_request_accept_dialogs_tour",
            login="admin",
        )
        self.assertEqual(order.communication_state, "accepted")
