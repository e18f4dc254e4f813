"""The request for change's wait at scale (tests/benchmark_change_request.py, "wait"): the
dialog the order's button opens is saved with its default lines, the same as the dialog's
defaults; lines ticked alike are saved at once, each keeping its own values; the taxes are
not recomputed by a move between live states; the e-mail's template is compiled once."""

from unittest.mock import patch

from lxml import etree

from odoo import Command
from odoo.addons.base.models.ir_qweb import IrQWeb
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from ..models.print_change_request import MAIL_JOBS_LISTED
from ..wizards.mail_compose_message import RENDER_BODY_AT_SEND
from . import preflight_samples as samples
from .common import PrintCommon

LINE_FIELDS = ("job_id", "attachment_id", "file_name", "to_change", "reason_id", "note")


@tagged("post_install", "-at_install")
class TestChangeRequestSpeed(PrintCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.paper.write({"print_media_width_mm": 210, "print_media_height_mm": 297})
        cls.reason_fonts = cls.env.ref("print_change_request.reason_missing_fonts")
        cls.reason_pdf = cls.env.ref("print_change_request.reason_protected_pdf")

    def _lines(self, lines):
        return [tuple(line[name] for name in LINE_FIELDS) for line in lines]

    def _open(self, orders):
        """The dialog as the order's button opens it: (action, the saved dialog)."""
        action = orders.with_user(self.operator).action_request_change()
        wizard = self.env[action["res_model"]].with_user(self.operator).browse(action["res_id"])
        return action, wizard

    def test_01_the_opened_dialog_has_the_dialogs_default_lines(self):
        env = self.env(user=self.operator)
        order = env["print.order"].create({"partner_id": self.customer.id})
        env["print.job"].create(
            [
                {
                    "order_id": order.id,
                    "name": "Flyers",
                    "product_id": self.paper.id,
                    "attachment_ids": [
                        Command.create({"name": "clean.pdf", "raw": samples.clean_pdf()}),
                        Command.create(
                            {"name": "fonts.pdf", "raw": samples.fonts_pdf(("Helvetica",))}
                        ),
                    ],
                },
                {
                    "order_id": order.id,
                    "name": "Posters",
                    "product_id": self.paper.id,
                    "attachment_ids": [
                        Command.create({"name": "a3.pdf", "raw": samples.a3_pdf()}),
                    ],
                },
            ]
        )
        # A second order, newer, given first (as a list's selection may): its file with
        # two findings has a line per reason, worst first.
        banner = env["print.order"].create({"partner_id": self.customer.id})
        env["print.job"].create(
            {
                "order_id": banner.id,
                "name": "Banner",
                "product_id": self.paper.id,
                "attachment_ids": [
                    Command.create({"name": "banner.pdf", "raw": samples.a3_fonts_pdf()}),
                    Command.create({"name": "back.pdf", "raw": samples.clean_pdf()}),
                ],
            }
        )
        action, wizard = self._open(banner | order)
        self.assertEqual(action["res_model"], "print.change.request.wizard")
        self.assertEqual(wizard.order_ids, banner | order)
        form = Form(
            self.env[action["res_model"]]
            .with_user(self.operator)
            .with_context(**action["context"])
        )
        defaults = form.save()
        self.assertEqual(self._lines(wizard.line_ids), self._lines(defaults.line_ids))
        self.assertEqual(
            [(line.file_name, line.reason_id.name or False) for line in wizard.line_ids],
            [
                ("banner.pdf", defaults.line_ids[0].reason_id.name),
                ("banner.pdf", defaults.line_ids[1].reason_id.name),
                ("back.pdf", False),
                ("clean.pdf", False),
                ("fonts.pdf", "Missing fonts"),
                ("a3.pdf", defaults.line_ids[5].reason_id.name),
            ],
        )
        self.assertEqual(
            len(wizard.line_ids[:2].reason_id), 2, "the banner's two findings: two reasons"
        )
        ticked = wizard.line_ids.filtered("to_change")
        self.assertEqual(
            ticked.mapped("file_name"), ["banner.pdf", "banner.pdf", "fonts.pdf", "a3.pdf"]
        )
        self.assertIn("Helvetica", ticked[2].note)
        # The operator's dialog, not anyone's: another operator does not read it.
        other = self._create_user("pcr_operator_2", "print_change_request.group_print_operator")
        self.assertFalse(wizard.with_user(other).search([("id", "=", wizard.id)]))

    def _save_lines(self, wizard, updates):
        """The dialog's save as the web client sends it; returns the queries it took, from an
        empty cache to its flush."""
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        wizard.web_save(
            {"line_ids": updates, "message": "Thanks"},
            {"line_ids": {"fields": {"to_change": {}}}},
        )
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def test_02_lines_ticked_alike_are_saved_at_once_each_with_its_values(self):
        fonts = {"to_change": True, "reason_id": self.reason_fonts.id, "note": "Embed them"}
        protected = {"to_change": True, "reason_id": self.reason_pdf.id, "note": False}
        # Saved at once: in dialogs of 30 lines, 30 lines ticked with two sets of values
        # take the queries of 3 lines.
        counts = []
        for ticked in (3, 30):
            _action, dialog = self._open(self._create_order(jobs=6, files=5))
            counts.append(
                self._save_lines(
                    dialog,
                    [
                        [Command.UPDATE, line.id, dict(fonts if index % 2 else protected)]
                        for index, line in enumerate(dialog.line_ids[:ticked])
                    ],
                )
            )
        few, many = counts
        self.assertLessEqual(many, few, "one write per set of values, not per line")
        order = self._create_order(jobs=2, files=2)
        _action, wizard = self._open(order)
        first, second, third, fourth = wizard.line_ids
        self._save_lines(
            wizard,
            [
                [Command.UPDATE, first.id, fonts],
                [Command.UPDATE, third.id, protected],
                [Command.UPDATE, fourth.id, dict(fonts)],
            ],
        )
        self.assertEqual(
            [(line.to_change, line.reason_id, line.note) for line in wizard.line_ids],
            [
                (True, self.reason_fonts, "Embed them"),
                (False, self.env["print.change.reason"], False),
                (True, self.reason_pdf, False),
                (True, self.reason_fonts, "Embed them"),
            ],
        )
        self.assertEqual(wizard.message, "Thanks")
        wizard.action_confirm()
        request = order.change_request_ids
        self.assertEqual(
            sorted(request.file_item_ids.mapped("file_name")),
            sorted((first | third | fourth).mapped("file_name")),
        )
        self.assertNotIn(second.file_name, request.file_item_ids.mapped("file_name"))

    def test_03_a_request_for_change_does_not_recompute_the_taxes_a_cancel_does(self):
        order = self._create_order(jobs=3, price=10.0)
        total = order.amount_total
        self.assertTrue(total)
        order_class = type(order)
        with patch.object(
            order_class,
            "_compute_amounts",
            autospec=True,
            side_effect=order_class._compute_amounts,
        ) as compute:
            order.job_ids[:2].with_user(self.operator)._mark_change_requested()
            self.env.flush_all()
            self.assertFalse(compute.called, "the live jobs and their prices did not change")
            self.assertEqual(order.amount_total, total)
            order.with_user(self.operator).action_cancel()
            self.env.flush_all()
            self.assertTrue(compute.called)
        self.assertEqual(order.job_ids.mapped("communication_state"), ["canceled"] * 3)
        self.assertEqual(order.amount_total, 0.0, "no live job: nothing to pay")
        self.assertEqual(order.amount_tax, 0.0)

    def test_04_the_emails_template_is_compiled_once(self):
        orders = self._create_order() | self._create_order()
        self.env.registry.clear_cache("templates")  # compiled by an earlier test: not here
        compiled = []
        generate_code = IrQWeb._generate_code

        def spy(qweb, template):
            # Not mail's check for unsafe code (restricted mode), which stops at the first
            # directive it refuses: the compilation that renders the body.
            restricted = qweb.env.context.get("raise_on_forbidden_code_for_model")
            if isinstance(template, etree._Element) and not restricted:
                compiled.append(template)
            return generate_code(qweb, template)

        with patch.object(IrQWeb, "_generate_code", autospec=True, side_effect=spy):
            for order in orders:
                _action, wizard = self._open(order)
                wizard.line_ids.write({"to_change": True, "reason_id": self.reason_pdf.id})
                wizard.action_confirm()
        self.assertEqual(len(orders.change_request_ids), 2)
        bodies = [request.mail_message_id.body for request in orders.change_request_ids]
        self.assertTrue(all(order.name in str(bodies) for order in orders))
        self.assertEqual(len(compiled), 1, "the second e-mail reuses the compiled body")

    def test_04b_the_emails_body_is_rendered_into_the_message_only(self):
        """The composer posting the request's e-mail leaves its own body empty: the body is
        rendered once, into the message (wizards/mail_compose_message.py)."""
        order = self._create_order()
        _action, wizard = self._open(order)
        wizard.line_ids.write({"to_change": True, "reason_id": self.reason_pdf.id})
        wizard.action_confirm()
        request = order.change_request_ids
        self.assertIn(self.reason_pdf.name, str(request.mail_message_id.body))
        template = self.env.ref("print_change_request.mail_template_change_request")

        def composer(**context):
            return (
                self.env["mail.compose.message"]
                .with_context(
                    default_composition_mode="comment",
                    default_model="print.order",
                    default_res_ids=order.ids,
                    default_template_id=template.id,
                    print_change_request_id=request.id,
                    **context,
                )
                .create({})
            )

        deferred = composer(**{RENDER_BODY_AT_SEND: True})
        self.assertFalse(deferred.body, "not rendered into the composer")
        body = deferred._prepare_mail_values_rendered(order.ids)[order.id]["body"]
        self.assertIn(self.reason_pdf.name, str(body))
        # Any other composer of a template renders its body as Odoo does.
        self.assertIn(self.reason_pdf.name, str(composer().body))

    def test_05_lines_inserted_at_once_keep_the_dialogs_checks(self):
        order = self._create_order(jobs=1, files=2)
        _action, wizard = self._open(order)
        job = order.job_ids
        first, second = job.attachment_ids.sorted("id")
        lines = self.env["print.change.request.line"].with_user(self.operator)
        chosen = {
            "job_id": job.id,
            "attachment_id": second.id,
            "to_change": True,
            "reason_id": self.reason_fonts.id,
        }
        with self.assertRaisesRegex(ValidationError, "too long"), self.env.cr.savepoint():
            lines._insert_for_files(wizard, job, [{**chosen, "note": "x" * 1001}])
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            lines.with_user(self.accountant)._insert_for_files(wizard, job, [])
        made = lines._insert_for_files(wizard, job, [{**chosen, "note": "Page 2"}])
        self.assertEqual(
            [
                (line.attachment_id, line.file_name, line.to_change, line.reason_id, line.note)
                for line in made
            ],
            [
                (first, first.name, False, self.env["print.change.reason"], False),
                (second, second.name, True, self.reason_fonts, "Page 2"),
            ],
        )
        self.assertEqual((made.wizard_id, made.create_uid), (wizard, self.operator))
        self.assertEqual(wizard.line_ids[-2:], made, "the dialog reads its new lines")

    def test_06_the_email_lists_the_first_jobs_and_counts_the_others(self):
        order = self._create_order(jobs=MAIL_JOBS_LISTED + 2, files=2)
        _action, wizard = self._open(order)
        wizard.line_ids.write({"to_change": True, "reason_id": self.reason_fonts.id})
        last_job = order.job_ids.sorted("id")[-1]
        wizard.write({"ticket_job_ids": [Command.set(last_job.ids)], "ticket_note": "A4"})
        wizard.action_confirm()
        request = order.change_request_ids
        groups = request._mail_groups()
        self.assertEqual(len(groups["jobs"]), MAIL_JOBS_LISTED + 1)
        listed = [group["job"] for group in groups["jobs"][:MAIL_JOBS_LISTED]]
        self.assertEqual(listed, order.job_ids.sorted("id")[:MAIL_JOBS_LISTED].mapped("name"))
        self.assertEqual(
            groups["jobs"][-1],
            {
                "job": "... and 2 more jobs (files to change: 4, job tickets to change: 1): "
                "each one is on your order's page.",
                "files": [],
                "tickets": [],
            },
        )
        self.assertEqual([reason["name"] for reason in groups["reasons"]], ["Missing fonts"])
        body = request.mail_message_id.body
        self.assertIn("and 2 more jobs (files to change: 4, job tickets to change: 1)", body)
        self.assertIn(f"{listed[-1]}</strong>", body)
        self.assertNotIn(f"{last_job.name}</strong>", body)
        # The request itself keeps every file and ticket: the portal page lists them.
        self.assertEqual(len(request.file_item_ids), 2 * (MAIL_JOBS_LISTED + 2))
        self.assertEqual(request.ticket_item_ids.job_id, last_job)

    def test_07_a_dialog_saved_with_another_operators_lines_is_refused(self):
        order = self._create_order(jobs=1, files=2)
        _action, theirs = self._open(order)
        other = self._create_user("pcr_operator_2", "print_change_request.group_print_operator")
        action = order.with_user(other).action_request_change()
        mine = self.env[action["res_model"]].with_user(other).browse(action["res_id"])
        ticked = {"to_change": True, "reason_id": self.reason_fonts.id, "note": "Embed them"}
        before = [(line.to_change, line.note) for line in theirs.line_ids]
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            mine.web_save(
                {
                    "line_ids": [
                        [Command.UPDATE, mine.line_ids[0].id, ticked],
                        [Command.UPDATE, theirs.line_ids[0].id, dict(ticked)],
                    ]
                },
                {"line_ids": {"fields": {"to_change": {}}}},
            )
        theirs.line_ids.invalidate_recordset()
        self.assertEqual([(line.to_change, line.note) for line in theirs.line_ids], before)
        # Their own lines alone are saved.
        mine.web_save(
            {"line_ids": [[Command.UPDATE, mine.line_ids[0].id, ticked]]},
            {"line_ids": {"fields": {"to_change": {}}}},
        )
        self.assertEqual(
            (mine.line_ids[0].to_change, mine.line_ids[0].note, mine.line_ids[0].write_uid),
            (True, "Embed them", other),
        )

    def test_08_a_line_moved_to_another_jobs_file_is_refused(self):
        order = self._create_order(jobs=2, files=1)
        first_job, second_job = order.job_ids.sorted("id")
        _action, wizard = self._open(order)
        line = wizard.line_ids.filtered(lambda line: line.job_id == first_job)
        # Over RPC, as the operator: the line now names the second job's file.
        line.write(
            {
                "attachment_id": second_job.attachment_ids.id,
                "to_change": True,
                "reason_id": self.reason_fonts.id,
            }
        )
        with self.assertRaisesRegex(UserError, "is not a file of the job it is listed under"):
            wizard.action_confirm()
        self.assertFalse(order.change_request_ids)
        self.assertEqual(order.job_ids.mapped("communication_state"), ["new", "new"])

    def test_09_a_line_without_its_files_name_sends_the_files_name(self):
        order = self._create_order(jobs=1, files=2)
        _action, wizard = self._open(order)
        job = order.job_ids
        attachment = job.attachment_ids.sorted("id")[-1]
        wizard.line_ids.write({"to_change": False})
        # A line made over RPC without the name the dialog stores: the file's name is sent.
        self.env["print.change.request.line"].with_user(self.operator).create(
            {
                "wizard_id": wizard.id,
                "job_id": job.id,
                "attachment_id": attachment.id,
                "to_change": True,
                "reason_id": self.reason_fonts.id,
            }
        )
        wizard.action_confirm()
        self.assertEqual(
            order.change_request_ids.file_item_ids.mapped("file_name"),
            [attachment.name],
        )

    def test_10_lines_saved_at_once_are_checked_and_read_back_as_saved(self):
        order = self._create_order(jobs=1, files=3)
        _action, wizard = self._open(order)
        first, second, third = wizard.line_ids
        self.assertFalse(first.note_required)  # read before the save: in the cache
        spec = {"line_ids": {"fields": {"to_change": {}, "note_required": {}}}}
        too_long = {"to_change": True, "reason_id": self.reason_fonts.id, "note": "x" * 1001}
        with self.assertRaisesRegex(ValidationError, first.file_name), self.env.cr.savepoint():
            wizard.web_save(
                {"line_ids": [[Command.UPDATE, ln.id, dict(too_long)] for ln in (first, third)]},
                spec,
            )
        wizard.line_ids.invalidate_recordset()
        self.assertFalse(any(wizard.line_ids.mapped("to_change")), "nothing saved")
        # A reason that needs a note: the lines read back carry it, as saved.
        self.reason_pdf.note_required = True
        self.assertFalse(first.note_required)
        ticked = {"to_change": True, "reason_id": self.reason_pdf.id, "note": "Remove it"}
        saved = wizard.web_save(
            {"line_ids": [[Command.UPDATE, line.id, dict(ticked)] for line in (first, third)]},
            spec,
        )[0]
        self.assertEqual(
            [(line["to_change"], line["note_required"]) for line in saved["line_ids"]],
            [(True, True), (False, False), (True, True)],
        )
        self.assertEqual(
            [(ln.to_change, ln.reason_id, ln.note, ln.write_uid) for ln in (first, third)],
            [(True, self.reason_pdf, "Remove it", self.operator)] * 2,
        )
        self.assertFalse(second.to_change)
        # A value the dialog does not send (over RPC) is written as Odoo writes it.
        wizard.web_save(
            {"line_ids": [[Command.UPDATE, second.id, {"note": "Bleed", "file_name": "x.pdf"}]]},
            spec,
        )
        self.assertEqual(
            (second.note, second.file_name, second.to_change), ("Bleed", "x.pdf", False)
        )
