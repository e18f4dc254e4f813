"""Orders and jobs: states, colors, workflow actions, locks, and the add/remove rule."""

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from ..lib import communication_state as cs
from .common import PrintCommon


@tagged("post_install", "-at_install")
class TestPrintOrder(PrintCommon):
    def test_01_new_order_gets_a_sequence_number_and_new_state(self):
        order = self._create_order(jobs=2)
        self.assertTrue(order.name.startswith("PO/"), order.name)
        self.assertEqual(order.communication_state, "new")
        self.assertEqual(order.job_ids.mapped("communication_state"), ["new", "new"])
        self.assertEqual(order.amount_total, 20.0)
        self.assertEqual(order.color, cs.COLORS["new"])
        self.assertEqual(order.job_ids.mapped("color"), [cs.COLORS["new"]] * 2)

    def test_02_order_state_follows_jobs_by_precedence(self):
        order = self._create_order(job_states=["new", "accepted", "changed"])
        self.assertEqual(order.communication_state, "changed")
        order.job_ids[2]._mark_change_requested()
        self.assertEqual(order.communication_state, "change_requested")
        self.assertEqual(order.color, cs.COLORS["change_requested"])
        order.job_ids[2]._mark_changed()
        order.job_ids[2]._mark_accepted()
        self.assertEqual(order.communication_state, "new")
        order.job_ids[0]._mark_canceled()
        self.assertEqual(order.communication_state, "accepted", "canceled jobs are ignored")

    def test_03_order_is_canceled_only_when_every_job_is(self):
        order = self._create_order(jobs=2)
        order.job_ids[0]._mark_canceled()
        self.assertEqual(order.communication_state, "new")
        order.job_ids[1]._mark_canceled()
        self.assertEqual(order.communication_state, "canceled")
        self.assertEqual(order.amount_total, 0.0, "canceled jobs are not charged")

    def test_04_accept_dispatch_finalize(self):
        order = self._create_order(jobs=2)
        order.action_accept()
        self.assertEqual(order.communication_state, "accepted")
        order.action_dispatch()
        self.assertEqual(order.communication_state, "dispatched")
        order.action_finalize()
        self.assertEqual(order.communication_state, "finalized")
        self.assertEqual(set(order.job_ids.mapped("communication_state")), {"finalized"})

    def test_05_dispatched_or_finalized_order_cannot_change(self):
        order = self._create_order(job_states=["dispatched"])
        for action in ("action_accept", "action_cancel", "action_dispatch"):
            with (
                self.subTest(action=action),
                self.assertRaisesRegex(UserError, "no longer change"),
            ):
                getattr(order, action)()
        order.action_finalize()
        for action in ("action_accept", "action_cancel", "action_dispatch", "action_finalize"):
            with self.subTest(action=action), self.assertRaises(UserError):
                getattr(order, action)()
        self.assertEqual(order.communication_state, "finalized")

    def test_06_locked_job_refuses_any_state_write(self):
        order = self._create_order(job_states=["finalized"])
        job = order.job_ids
        with self.assertRaisesRegex(UserError, "can no longer change"):
            job.sudo().write({"communication_state": "new"})  # not even Odoo itself
        with self.assertRaisesRegex(UserError, "can no longer change"):
            job._mark_change_requested()
        self.assertEqual(job.communication_state, "finalized")

    def test_07_illegal_move_is_a_clear_error(self):
        order = self._create_order()
        with self.assertRaisesRegex(UserError, "cannot become Dispatched"):
            order.job_ids._mark_dispatched()
        with self.assertRaisesRegex(UserError, "accept it first"):
            order.action_dispatch()
        with self.assertRaisesRegex(UserError, "only dispatched orders"):
            order.action_finalize()

    def test_08_accept_refuses_jobs_waiting_for_customer(self):
        order = self._create_order(job_states=["new", "change_requested"])
        action = order.action_accept()
        self.assertEqual(action["res_model"], "print.order.continue.wizard")
        self.assertEqual(order.job_ids.mapped("communication_state"), ["new", "change_requested"])

    def test_08b_accept_takes_already_accepted_jobs_along(self):
        order = self._create_order(job_states=["accepted", "new"])
        order.action_accept()
        self.assertEqual(order.job_ids.mapped("communication_state"), ["accepted", "accepted"])

    def test_08c_accept_names_the_jobs_that_keep_the_order_back(self):
        order = self._create_order(job_states=["new", "dispatched"])
        with self.assertRaisesRegex(UserError, r"cannot be accepted yet: Job 2 \(Dispatched\)"):
            order.action_accept()
        self.assertEqual(order.job_ids.mapped("communication_state"), ["new", "dispatched"])

    def test_09_accept_requires_payment_when_the_shop_says_so(self):
        self.env.company.print_payment_required = True
        order = self._create_order()
        action = order.action_accept()
        self.assertEqual(action["res_model"], "print.order.unpaid.wizard")
        self.assertIn(
            "is not paid", self.env[action["res_model"]].browse(action["res_id"]).message
        )
        self.assertEqual(order.communication_state, "new", "nothing changed half-way")
        self._pay_by_transaction(order)
        order.action_accept()
        self.assertEqual(order.communication_state, "accepted")

    def test_10_accept_without_payment_when_not_required(self):
        self.env.company.print_payment_required = False
        order = self._create_order()
        order.action_accept()
        self.assertEqual(order.communication_state, "accepted")

    def test_11_free_order_needs_no_payment(self):
        self.env.company.print_payment_required = True
        order = self._create_order(price=0.0)
        order.action_accept()
        self.assertEqual(order.communication_state, "accepted")

    def test_12_accept_needs_a_job(self):
        order = self.env["print.order"].create({"partner_id": self.customer.id})
        with self.assertRaisesRegex(UserError, "no job to accept"):
            order.action_accept()

    def test_13_jobs_added_and_removed_while_open_and_unpaid(self):
        order = self._create_order(jobs=1)
        order.write({"job_ids": [Command.create({"name": "Extra", "price_unit": 5.0})]})
        self.assertEqual(len(order.job_ids), 2)
        self.assertEqual(order.amount_total, 15.0)
        order.job_ids[1].unlink()
        self.assertEqual(len(order.job_ids), 1)

    def test_14_no_job_added_or_removed_once_accepted(self):
        order = self._create_order(jobs=2)
        order.action_accept()
        with self.assertRaisesRegex(UserError, "can no longer be added or removed"):
            self.env["print.job"].create({"order_id": order.id, "name": "Late"})
        with self.assertRaisesRegex(UserError, "can no longer be added or removed"):
            order.job_ids[0].unlink()
        self.assertEqual(len(order.job_ids), 2)

    def test_15_no_job_added_or_removed_once_paid(self):
        order = self._create_order()
        self._pay_by_transaction(order)
        self.assertTrue(order.is_paid)
        with self.assertRaisesRegex(UserError, "can no longer be added or removed"):
            self.env["print.job"].create({"order_id": order.id, "name": "Late"})
        with self.assertRaisesRegex(UserError, "can no longer be added or removed"):
            order.job_ids.unlink()
        other = self._create_order()
        with self.assertRaisesRegex(UserError, "can no longer be added or removed"):
            other.job_ids.write({"order_id": order.id})

    def test_16_files_belong_to_their_job(self):
        order = self._create_order(jobs=2, files=3)
        for job in order.job_ids:
            self.assertEqual(job.file_count, 3)
            self.assertEqual(set(job.attachment_ids.mapped("res_model")), {"print.job"})
            self.assertEqual(set(job.attachment_ids.mapped("res_id")), {job.id})

    def test_17_cancel_cancels_every_live_job(self):
        order = self._create_order(job_states=["new", "accepted", "canceled"])
        order.action_cancel()
        self.assertEqual(set(order.job_ids.mapped("communication_state")), {"canceled"})
        self.assertEqual(order.communication_state, "canceled")
        self.assertEqual(order.color, cs.COLORS["canceled"])

    def test_18_copies_must_be_positive(self):
        order = self._create_order()
        with self.assertRaises(ValidationError), self.cr.savepoint():
            order.job_ids.copies = 0
        self.assertEqual(order.job_ids.copies, 1)

    def test_19_delete_only_new_unpaid_orders(self):
        order = self._create_order()
        self._pay_by_transaction(order)
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            order.unlink()
        fresh = self._create_order()
        fresh.unlink()
        self.assertFalse(fresh.exists())

    def test_20_job_ticket_prices_from_paper(self):
        order = self.env["print.order"].create({"partner_id": self.customer.id})
        job = self.env["print.job"].create(
            {"order_id": order.id, "name": "Flyers", "product_id": self.paper.id, "copies": 40}
        )
        self.assertEqual(job.price_unit, 0.5)
        self.assertEqual(job.price_subtotal, 20.0)
        self.assertEqual(order.amount_total, 20.0)

    def test_21_state_changes_are_tracked(self):
        env = self.env(context={"lang": "en_US"})  # mail tracking on
        order = self._create_order().with_env(env)
        env.flush_all()
        env.cr.precommit.run()  # creation done: what follows is tracked
        order.job_ids._mark_change_requested()
        env.flush_all()
        env.cr.precommit.run()
        tracked = order.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "communication_state"
        )
        self.assertTrue(tracked, "the order's chatter shows its state change")
        self.assertEqual(tracked[:1].new_value_char, "Request for change")
