"""What an operator may write on the lines of their Request for change dialog over RPC
(``web_save``): their choices (ticked, reason, note) are saved at once in SQL; any other
field goes through the ORM as the operator, with its checks, never in sudo."""

from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import PrintCommon

SPEC = {"line_ids": {"fields": {"to_change": {}, "file_name": {}}}}


@tagged("post_install", "-at_install")
class TestChangeRequestLineWrite(PrintCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reason_fonts = cls.env.ref("print_change_request.reason_missing_fonts")
        cls.company_2 = cls.setup_other_company()["company"]
        order_2 = cls.env["print.order"].create(
            {"partner_id": cls.customer.id, "company_id": cls.company_2.id}
        )
        cls.job_2 = (
            cls.env["print.job"]
            .sudo()
            .create(
                {
                    "order_id": order_2.id,
                    "name": "Company 2 job",
                    "attachment_ids": [Command.create(cls._file_vals("company2.pdf"))],
                }
            )
        )

    def _open(self, order, user=None):
        action = order.with_user(user or self.operator).action_request_change()
        return (
            self.env[action["res_model"]].with_user(user or self.operator).browse(action["res_id"])
        )

    def _save(self, wizard, line, vals):
        with self.env.cr.savepoint():
            wizard.web_save({"line_ids": [[Command.UPDATE, line.id, vals]]}, SPEC)

    def _state(self, line):
        line.invalidate_recordset()
        return (line.job_id, line.attachment_id, line.file_name, line.company_id, line.wizard_id)

    def test_01_fields_outside_the_choices_go_through_the_orms_checks(self):
        order = self._create_order(jobs=1, files=1)
        wizard = self._open(order)
        line = wizard.line_ids
        before = self._state(line)
        refused = [
            {"job_id": self.job_2.id},
            {"attachment_id": self.job_2.attachment_ids.id},
            {"company_id": self.company_2.id},
            {"company_id": False},
            {"wizard_id": self._open(order, self.manager).id},
            {"to_change": True, "reason_id": self.reason_fonts.id, "job_id": self.job_2.id},
        ]
        for vals in refused:
            with self.subTest(vals=vals), self.assertRaises(UserError):
                self._save(wizard, line, vals)
            self.assertEqual(self._state(line), before)
        self.assertFalse(line.to_change)

    def test_02_the_choices_alone_are_written_in_sql_as_the_user(self):
        order = self._create_order(jobs=1, files=2)
        wizard = self._open(order)
        first, second = wizard.line_ids
        wizard_class = type(self.env["print.change.request.wizard"])
        with patch.object(
            wizard_class,
            "_update_own_lines",
            autospec=True,
            side_effect=wizard_class._update_own_lines,
        ) as sql_write:
            self._save(wizard, first, {"to_change": True, "reason_id": self.reason_fonts.id})
            self.assertEqual(sql_write.call_count, 1)
            # With another field, the group is written by the ORM, as the operator.
            self._save(wizard, second, {"to_change": True, "file_name": "renamed.pdf"})
            self.assertEqual(sql_write.call_count, 1)
        self.assertEqual((second.to_change, second.file_name), (True, "renamed.pdf"))
        self.assertEqual((first | second).write_uid, self.operator)

    def test_03_a_reason_that_does_not_exist_is_refused_before_the_sql(self):
        order = self._create_order(jobs=1, files=1)
        wizard = self._open(order)
        with self.assertRaises(UserError):
            self._save(wizard, wizard.line_ids, {"to_change": True, "reason_id": 999999})
        wizard.line_ids.invalidate_recordset()
        self.assertFalse(wizard.line_ids.to_change)

    def test_04_another_operators_line_is_refused(self):
        order = self._create_order(jobs=1, files=1)
        theirs = self._open(order, self.manager)
        mine = self._open(order)
        with self.assertRaises(AccessError):
            self._save(mine, theirs.line_ids, {"file_name": "mine.pdf"})
        theirs.line_ids.invalidate_recordset()
        self.assertEqual(theirs.line_ids.file_name, "job1-file1.pdf")
