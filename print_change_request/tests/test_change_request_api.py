"""``print.order._send_change_request`` called directly, as RPC, the portal or an API would
call it without the dialog: an operator's request is sent; anyone else, or a request the
dialog would refuse, is refused before anything is created."""

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from ..lib import communication_state as cs
from .common import PrintCommon


@tagged("post_install", "-at_install")
class TestChangeRequestApi(PrintCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reason_fonts = cls.env.ref("print_change_request.reason_missing_fonts")
        cls.company_2 = cls.setup_other_company()["company"]
        cls.operator_2 = cls._create_user(
            "pcr_api_operator_2",
            "print_change_request.group_print_operator",
            company=cls.company_2,
        )
        cls.portal_user = cls.env["res.users"].create(
            {
                "name": "Paula (portal)",
                "login": "pcr_api_portal",
                "partner_id": cls.customer.id,
                "groups_id": [Command.set(cls.env.ref("base.group_portal").ids)],
            }
        )

    def _files(self, jobs, note="Embed the fonts"):
        return [
            {
                "job_id": job.id,
                "attachment_id": attachment.id,
                "reason_id": self.reason_fonts.id,
                "note": note,
            }
            for job in jobs
            for attachment in job.attachment_ids.sorted("id")
        ]

    def _assert_nothing_sent(self, order):
        order.invalidate_recordset()
        self.assertFalse(order.sudo().change_request_ids)
        self.assertFalse(
            self.env["print.change.request.item"]
            .sudo()
            .search([])
            .filtered(lambda item: item.job_id.order_id == order)
        )
        self.assertEqual(set(order.job_ids.mapped("communication_state")), {cs.NEW})

    def test_01_an_operator_sends_a_request_without_the_dialog(self):
        order = self._create_order(jobs=2, files=2)
        first, second = order.job_ids.sorted("sequence")
        result = order.with_user(self.operator)._send_change_request(
            files=self._files(first),
            ticket_job_ids=second.ids,
            ticket_note="Two-sided, please",
            message="Thanks",
        )
        request = order.change_request_ids
        self.assertEqual(result.requests, request)
        self.assertFalse(result.refunds)
        self.assertEqual(request.message, "Thanks")
        self.assertEqual(request.job_ids, first | second)
        self.assertEqual(
            sorted(request.file_item_ids.mapped("file_name")), ["job1-file1.pdf", "job1-file2.pdf"]
        )
        self.assertEqual(request.file_item_ids.reason_id, self.reason_fonts)
        self.assertEqual(request.ticket_item_ids.job_id, second)
        self.assertEqual(request.ticket_item_ids.note, "Two-sided, please")
        self.assertEqual(request.item_ids.company_id, order.company_id)
        self.assertEqual(order.job_ids.mapped("communication_state"), [cs.CHANGE_REQUESTED] * 2)
        self.assertTrue(request.mail_message_id, "the customer is written to")
        # A file name given by the caller is the one the customer reads.
        again = order.with_user(self.operator)._send_change_request(
            files=[{**self._files(first)[0], "file_name": "cover.pdf"}]
        )
        self.assertEqual(again.requests.file_item_ids.file_name, "cover.pdf")

    def test_02_users_who_are_not_the_orders_operators_are_refused(self):
        order = self._create_order(jobs=1, files=1)
        files = self._files(order.job_ids)
        for user in (self.accountant, self.portal_user, self.operator_2):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                order.with_user(user)._send_change_request(files=files, message="Hi")
            self._assert_nothing_sent(order)
        # Nor by checking it first (the dialog's check before its questions).
        with self.assertRaises(AccessError):
            order.with_user(self.accountant)._check_change_request(files, [], None, "Hi")

    def test_03_another_companys_operator_is_refused_even_naming_their_own_order(self):
        order = self._create_order(jobs=1, files=1)
        own = (
            self.env["print.order"]
            .with_user(self.operator_2)
            .create({"partner_id": self.customer.id, "company_id": self.company_2.id})
        )
        with self.assertRaises(AccessError):
            (own | order).with_user(self.operator_2)._send_change_request(
                files=self._files(order.job_ids)
            )
        self._assert_nothing_sent(order)

    def test_04_what_the_dialog_refuses_is_refused_and_nothing_is_created(self):
        order = self._create_order(jobs=2, files=1, job_states=[cs.NEW, cs.ACCEPTED])
        other = self._create_order(jobs=1, files=1)
        new_job, accepted_job = order.job_ids.sorted("sequence")
        api = order.with_user(self.operator)
        files = self._files(new_job)
        cases = [
            (UserError, "Select at least one file", {}),
            (UserError, "Give a reason", {"files": [{**files[0], "reason_id": False}]}),
            (UserError, "Give a reason", {"files": [{**files[0], "reason_id": 999999}]}),
            (
                UserError,
                "is not a file of the job",
                {"files": [{**files[0], "attachment_id": other.job_ids.attachment_ids.id}]},
            ),
            (UserError, "Only jobs of", {"files": self._files(other.job_ids)}),
            (UserError, "Only jobs of", {"ticket_job_ids": other.job_ids.ids, "ticket_note": "x"}),
            (UserError, "Tell the customer", {"ticket_job_ids": new_job.ids}),
            (UserError, "can no longer be requested", {"files": self._files(accepted_job)}),
            (ValidationError, "too long", {"files": files, "message": "x" * 5001}),
            (ValidationError, "too long", {"files": self._files(new_job, note="x" * 1001)}),
            (UserError, "automatically or by hand", {"files": files, "refund_method": "all"}),
        ]
        for error, text, kwargs in cases:
            with self.subTest(text=text, kwargs=kwargs), self.assertRaisesRegex(error, text):
                with self.env.cr.savepoint():
                    api._send_change_request(**kwargs)
        order.invalidate_recordset()
        self.assertFalse(order.change_request_ids)
        self.assertEqual(new_job.communication_state, cs.NEW)
        self.assertFalse(other.change_request_ids)

    def test_05_a_paid_order_is_refunded_as_asked(self):
        order = self._create_order(jobs=1, files=1)
        self._pay_by_invoice(order)
        self.assertTrue(order.is_paid)
        result = order.with_user(self.operator)._send_change_request(
            files=self._files(order.job_ids), refund_method="manual"
        )
        self.assertEqual(result.refunds, order.refund_ids)
        self.assertEqual(result.refunds.method, "manual")
        self.assertEqual(result.refunds.request_id, result.requests)
