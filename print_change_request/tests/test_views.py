"""The back-office views, driven through Form as a user would."""

from odoo.tests import Form, tagged

from ..lib import communication_state as cs
from .common import PrintCommon


@tagged("post_install", "-at_install")
class TestViews(PrintCommon):
    def test_01_order_form_creates_order_with_jobs(self):
        form = Form(self.env["print.order"].with_user(self.operator))
        form.partner_id = self.customer
        with form.job_ids.new() as job:
            job.name = "Flyers"
            job.product_id = self.paper
            job.copies = 100
            job.sides = "two"
            job.finishing = "fold"
        order = form.save()
        self.assertEqual(order.communication_state, "new")
        self.assertEqual(order.amount_total, 50.0)
        self.assertEqual(order.job_ids.sides, "two")
        self.assertEqual(order.user_id, self.operator)

    def test_02_order_form_buttons_follow_state(self):
        order = self._create_order()
        form = Form(order)
        self.assertFalse(form._get_modifier("job_ids", "readonly"))
        order.action_accept()
        form = Form(order)
        self.assertTrue(form._get_modifier("job_ids", "readonly"), "accepted jobs are not edited")

    def test_03_job_form_edits_ticket(self):
        order = self._create_order()
        with Form(order.job_ids) as job:
            job.copies = 3
            job.color_mode = "bw"
            job.ticket_note = "Please trim"
        self.assertEqual(order.job_ids.copies, 3)
        self.assertEqual(order.amount_total, 30.0)

    def test_04_job_form_adds_files(self):
        order = self._create_order(files=1)
        attachment = self.env["ir.attachment"].create(self._file_vals("extra.pdf"))
        with Form(order.job_ids) as job:
            job.attachment_ids.add(attachment)
        self.assertEqual(order.job_ids.file_count, 2)
        self.assertEqual(attachment.res_model, "print.job")
        self.assertEqual(attachment.res_id, order.job_ids.id)

    def test_05_list_kanban_and_form_use_the_same_colors(self):
        """Every view decorates each state the way lib/communication_state.py says."""
        for model in ("print.order", "print.job"):
            for view_type in ("list", "form") + (("kanban",) if model == "print.order" else ()):
                arch = self.env[model].get_view(view_type=view_type)["arch"]
                with self.subTest(model=model, view=view_type):
                    for state, decoration in cs.DECORATIONS.items():
                        self.assertRegex(
                            arch,
                            rf"decoration-{decoration}=\"[^\"]*'{state}'",
                            f"{state} is not shown as {decoration}",
                        )
                    if view_type == "kanban":
                        self.assertIn('highlight_color="color"', arch)
                    if view_type == "list":
                        self.assertIn('name="is_paid"', arch)
                        self.assertIn('name="communication_state"', arch)

    def test_07_kanban_shows_every_state_column(self):
        self._create_order()
        groups = self.env["print.order"].read_group(
            [], ["communication_state"], ["communication_state"]
        )
        self.assertEqual(
            [group["communication_state"] for group in groups],
            [key for key, _label in cs.STATES],
        )

    def test_08_order_form_adds_jobs_with_files(self):
        order = self._create_order(jobs=1)
        with Form(order) as form, form.job_ids.new() as job:
            job.name = "Stickers"
            job.price_unit = 2.0
        self.assertEqual(len(order.job_ids), 2)
