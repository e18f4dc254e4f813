"""The preflight in Odoo: files attached to a job are checked, the findings stored per file,
the job and order show the worst, and the Request for change dialog starts from them."""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from ..lib import preflight
from . import preflight_samples as samples
from .common import PrintCommon


@tagged("post_install", "-at_install")
class TestPreflightJob(PrintCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.paper.write({"print_media_width_mm": 210, "print_media_height_mm": 297})
        cls.silk_a3 = cls.env["product.product"].create(
            {
                "name": "Silk A3",
                "type": "service",
                "list_price": 0.9,
                "print_media_width_mm": 297,
                "print_media_height_mm": 420,
            }
        )
        cls.cron = cls.env.ref("print_change_request.ir_cron_preflight")

    def _job(self, files, user=None, **values):
        """A job on A4 paper with ``files`` ({name: bytes}), created as ``user`` would."""
        env = self.env(user=user) if user else self.env
        order = env["print.order"].create({"partner_id": self.customer.id})
        return env["print.job"].create(
            {
                "order_id": order.id,
                "name": "Flyers",
                "product_id": self.paper.id,
                "attachment_ids": [
                    Command.create({"name": name, "raw": data}) for name, data in files.items()
                ],
                **values,
            }
        )

    def _findings(self, job):
        return [(f.file_name, f.severity, f.code) for f in job.preflight_finding_ids]

    def test_01_attaching_files_checks_them_and_stores_each_finding(self):
        job = self._job(
            {
                "clean.pdf": samples.clean_pdf(pages=2),
                "fonts.pdf": samples.fonts_pdf(("Helvetica", "Courier")),
                "locked.pdf": samples.encrypted_pdf("secret"),
            },
            user=self.operator,
        )
        self.assertEqual(job.preflight_state, "error")
        self.assertEqual(job.order_id.preflight_state, "error")
        self.assertEqual(
            self._findings(job),
            [
                ("fonts.pdf", "warning", "fonts_not_embedded"),
                ("locked.pdf", "error", "encrypted"),
            ],
        )
        fonts, locked = job.preflight_finding_ids
        self.assertEqual(fonts.attachment_id.name, "fonts.pdf")
        self.assertIn("Courier, Helvetica", fonts.message)
        self.assertEqual(
            fonts.reason_id, self.env.ref("print_change_request.reason_missing_fonts")
        )
        self.assertEqual(
            locked.reason_id, self.env.ref("print_change_request.reason_protected_pdf")
        )
        self.assertIn("password", locked.message)
        # What the check learned: the readable files' pages, size and color.
        self.assertEqual(job.preflight_page_count, 3)
        self.assertEqual(job.preflight_page_size, "210 x 297 mm")
        self.assertFalse(job.preflight_is_color)
        self.assertTrue(job.preflight_date)

    def test_02_a_clean_job_is_ok_and_a_job_without_files_has_no_state(self):
        job = self._job({"clean.pdf": samples.clean_pdf()})
        self.assertEqual(job.preflight_state, "ok")
        self.assertFalse(job.preflight_finding_ids)
        empty = self._job({})
        self.assertFalse(empty.preflight_state)

    def test_03_the_order_shows_its_worst_job(self):
        job = self._job({"clean.pdf": samples.clean_pdf()})
        order = job.order_id
        second = self.env["print.job"].create(
            {
                "order_id": order.id,
                "name": "Posters",
                "product_id": self.paper.id,
                "attachment_ids": [Command.create({"name": "a3.pdf", "raw": samples.a3_pdf()})],
            }
        )
        self.assertEqual(second.preflight_state, "warning")
        self.assertEqual(order.preflight_state, "warning")
        second.attachment_ids = [Command.create({"name": "x.pdf", "raw": samples.damaged_pdf()})]
        self.assertEqual(order.preflight_state, "error")
        self.assertEqual(
            self.env["print.order"].search(
                [("id", "=", order.id), ("preflight_state", "in", ("error", "warning"))]
            ),
            order,
            "the 'Preflight problems' filter finds it",
        )

    def test_04_changing_the_media_checks_the_files_again(self):
        job = self._job({"poster.pdf": samples.a3_pdf()}, user=self.operator)
        self.assertEqual(self._findings(job), [("poster.pdf", "warning", "page_size")])
        with Form(job.with_user(self.operator)) as form:
            form.product_id = self.silk_a3
        self.assertEqual(job.preflight_state, "ok")
        self.assertFalse(job.preflight_finding_ids)

    def test_05_changing_the_color_mode_checks_again(self):
        job = self._job({"photo.png": samples.image((1252, 1772), "RGB")})  # 151 dpi on A4
        self.assertEqual(self._findings(job), [("photo.png", "info", "color_space")])
        self.assertIn("RGB", job.preflight_finding_ids.message)
        self.assertEqual(
            job.preflight_state, "warning", "the customer reads the finding: not Preflight OK"
        )
        job.with_user(self.operator).color_mode = "bw"
        self.assertEqual(self._findings(job), [("photo.png", "info", "color_space")])
        self.assertIn("black & white", job.preflight_finding_ids.message)

    def test_06_changing_the_media_size_of_a_product_checks_its_open_jobs_again(self):
        job = self._job({"poster.pdf": samples.a3_pdf()})
        self.assertEqual(job.preflight_state, "warning")
        self.paper.with_user(self.manager).print_media_height_mm = 420
        self.paper.with_user(self.manager).print_media_width_mm = 297
        self.assertEqual(job.preflight_state, "pending")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)]))
        self.env["print.job"]._cron_preflight_pending()
        self.assertEqual(job.preflight_state, "ok")

    def test_07_run_preflight_button_uses_the_shops_minimum_resolution(self):
        job = self._job({"photo.png": samples.image((1252, 1772), "L")})  # 151 dpi on A4
        self.assertEqual(job.preflight_state, "ok")
        self.env.company.print_preflight_min_dpi = 300
        job.with_user(self.operator).action_preflight()
        self.assertEqual(self._findings(job), [("photo.png", "warning", "low_resolution")])
        self.assertIn("151 dpi", job.preflight_finding_ids.message)
        self.assertIn("300 dpi", job.preflight_finding_ids.message)

    def test_08_big_files_are_checked_in_the_background(self):
        self.env["ir.config_parameter"].set_param(
            "print_change_request.preflight_sync_max_mb", "0.001"
        )
        job = self._job({"clean.pdf": samples.clean_pdf(), "fonts.pdf": samples.fonts_pdf()})
        self.assertEqual(job.preflight_state, "pending")
        self.assertEqual(job.order_id.preflight_state, "pending")
        self.assertTrue(
            self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)]),
            "the cron is triggered at once",
        )
        self.env["print.job"]._cron_preflight_pending()
        self.assertEqual(job.preflight_state, "warning")
        self.assertEqual(self._findings(job), [("fonts.pdf", "warning", "fonts_not_embedded")])

    def test_09_a_check_too_slow_for_the_upload_goes_to_the_background(self):
        self.env["ir.config_parameter"].set_param(
            "print_change_request.preflight_sync_timeout", "0.001"
        )
        # Bytes nobody checked yet in this process (no cached report).
        job = self._job({"slow.pdf": samples.clean_pdf(pages=7)})
        self.assertEqual(job.preflight_state, "pending")
        self.env["print.job"]._cron_preflight_pending()
        self.assertEqual(job.preflight_state, "ok")

    def test_10_hostile_files_become_findings(self):
        job = self._job(
            {
                "bomb.pdf": samples.bomb_pdf(100),
                "damaged.pdf": samples.damaged_pdf(),
                "cut.pdf": samples.truncated_pdf(),
                "photo.pdf": samples.image(),
            }
        )
        self.assertEqual(job.preflight_state, "error")
        self.assertEqual(
            [(f.file_name, f.code) for f in job.preflight_finding_ids],
            [
                ("bomb.pdf", "damaged"),
                ("damaged.pdf", "damaged"),
                ("cut.pdf", "damaged"),
                ("photo.pdf", "damaged"),
            ],
        )
        self.assertEqual(
            job.preflight_finding_ids.reason_id,
            self.env.ref("print_change_request.reason_damaged"),
        )

    def test_11_only_the_preflight_writes_its_results(self):
        job = self._job({"locked.pdf": samples.encrypted_pdf()})
        as_operator = job.with_user(self.operator)
        with self.assertRaises(AccessError):
            as_operator.write({"preflight_state": "ok"})
        with self.assertRaises(AccessError):
            as_operator.preflight_finding_ids.write({"severity": "info"})
        with self.assertRaises(AccessError):
            as_operator.preflight_finding_ids.unlink()
        with self.assertRaises(AccessError):
            self.env["print.preflight.finding"].with_user(self.operator).create(
                {"job_id": job.id, "severity": "info", "code": "damaged", "message": "fine"}
            )
        with self.assertRaises(AccessError):
            job.with_user(self.accountant).action_preflight()
        self.assertEqual(job.preflight_state, "error")
        # Everyone who sees the job reads its findings.
        for user in (self.operator, self.accountant):
            findings = job.with_user(user).preflight_finding_ids
            self.assertEqual(findings.mapped("code"), ["encrypted"])

    def test_12_the_request_dialog_ticks_the_files_with_problems(self):
        order = self._job(
            {
                "clean.pdf": samples.clean_pdf(),
                "fonts.pdf": samples.fonts_pdf(("Helvetica",)),
                "photo.png": samples.image((595, 842), "RGB"),
            },
            user=self.operator,
        ).order_id
        action = order.with_user(self.operator).action_request_change()
        form = Form(
            self.env[action["res_model"]]
            .with_user(self.operator)
            .with_context(**action["context"])
        )
        lines = {
            line.attachment_id.name: line
            for line in form.save().line_ids  # saved as shown, before any click
        }
        self.assertFalse(lines["clean.pdf"].to_change)
        self.assertTrue(lines["fonts.pdf"].to_change)
        self.assertEqual(
            lines["fonts.pdf"].reason_id, self.env.ref("print_change_request.reason_missing_fonts")
        )
        self.assertIn("Fonts not embedded: Helvetica.", lines["fonts.pdf"].note)
        # 72 dpi on A4 (a warning) ticks it; its RGB colors (info) alone would not.
        self.assertTrue(lines["photo.png"].to_change)
        self.assertEqual(
            lines["photo.png"].reason_id,
            self.env.ref("print_change_request.reason_low_resolution"),
        )
        self.assertIn("72 dpi", lines["photo.png"].note)

    def test_13_the_operator_may_untick_and_the_customer_reads_the_finding(self):
        order = self._job(
            {"fonts.pdf": samples.fonts_pdf(("Courier",)), "a3.pdf": samples.a3_pdf()},
            user=self.operator,
        ).order_id
        action = order.with_user(self.operator).action_request_change()
        form = Form(
            self.env[action["res_model"]]
            .with_user(self.operator)
            .with_context(**action["context"])
        )
        with form.line_ids.edit(1) as line:  # a3.pdf: printed scaled down, the shop decides
            self.assertEqual(line.attachment_id.name, "a3.pdf")
            self.assertTrue(line.to_change)
            line.to_change = False
        form.save().action_confirm()
        request = order.change_request_ids
        self.assertEqual(request.item_ids.file_name, "fonts.pdf")
        self.assertEqual(
            request.item_ids.reason_id, self.env.ref("print_change_request.reason_missing_fonts")
        )
        self.assertIn("Fonts not embedded: Courier.", request.item_ids.note)
        self.assertIn("Fonts not embedded: Courier.", request.mail_message_id.body)
        self.assertNotIn("a3.pdf", request.mail_message_id.body)

    def test_14_the_portal_checks_a_file_before_storing_it(self):
        job = self._job({})
        refused = job._preflight_uploads([("locked.pdf", samples.encrypted_pdf())])[0]
        self.assertTrue(refused["blocking"])
        self.assertEqual(refused["state"], "error")
        self.assertEqual([f["code"] for f in refused["findings"]], ["encrypted"])
        self.assertIn("password", refused["findings"][0]["message"])
        warned = job._preflight_uploads([("a3.pdf", samples.a3_pdf())])[0]
        self.assertFalse(warned["blocking"])
        self.assertEqual(warned["state"], "warning")
        self.assertEqual(
            job._preflight_uploads([("ok.pdf", samples.clean_pdf())])[0]["findings"], []
        )

    def test_15_messages_are_translated_from_the_same_templates_as_the_lib(self):
        templates = self.env["print.preflight.finding"]._message_templates()
        self.assertEqual(templates, preflight.MESSAGES)

    def test_16_media_sizes_are_editable_on_the_product(self):
        with Form(self.silk_a3.product_tmpl_id.with_user(self.manager)) as form:
            form.print_media_width_mm = 300
        self.assertEqual(self.silk_a3.print_media_width_mm, 300)

    def test_17_print_files_are_kept_as_sent_not_shrunk_like_web_images(self):
        big = samples.image((2000, 2830), "L")  # 242 dpi on A4; Odoo shrinks above 1920 px
        job = self._job({"photo.png": big}, user=self.operator)
        self.assertEqual(job.attachment_ids.raw, big)
        self.assertEqual(job.preflight_state, "ok")
        # The backend's file widget uploads with res_model print.job, then links the file.
        uploaded = (
            self.env["ir.attachment"]
            .with_user(self.operator)
            .create({"name": "scan.png", "raw": big, "res_model": "print.job", "res_id": job.id})
        )
        self.assertEqual(uploaded.raw, big)
        job.with_user(self.operator).attachment_ids = [Command.link(uploaded.id)]
        self.assertEqual(job.preflight_state, "ok")
        # Other images still follow Odoo's rule.
        web = self.env["ir.attachment"].create({"name": "web.png", "raw": big})
        self.assertNotEqual(web.raw, big)

    def test_18_badges_and_the_preflight_problems_filter_are_in_the_views(self):
        for model, types in (
            ("print.order", ("list", "kanban", "form", "search")),
            ("print.job", ("list", "form", "search")),
        ):
            views = self.env[model].with_user(self.operator).get_views([(False, t) for t in types])
            for view_type in types:
                arch = views["views"][view_type]["arch"]
                expected = (
                    'name="preflight_problems"' if view_type == "search" else "preflight_state"
                )
                self.assertIn(expected, arch, f"{model} {view_type}")
        job = self._job({"fonts.pdf": samples.fonts_pdf()}, user=self.operator)
        problems = (
            self.env["print.job"]
            .with_user(self.operator)
            .search([("id", "=", job.id), ("preflight_state", "in", ("error", "warning"))])
        )
        self.assertEqual(problems, job)
