"""Data that must stay where it belongs, tried as each group would over RPC: a second
company's operator and the requests' items and dialog lines of the first, an operator and
another customer's file, a customer and the provider's capture error, an operator and the
customer of a paid order."""

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import PrintCommon


@tagged("post_install", "-at_install")
class TestDataIsolation(PrintCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_2 = cls.setup_other_company()["company"]
        cls.operator_2 = cls._create_user(
            "pcr_operator_2", "print_change_request.group_print_operator", company=cls.company_2
        )
        cls.portal_user = cls.env["res.users"].create(
            {
                "name": "Paula (portal)",
                "login": "pcr_isolation_portal",
                "partner_id": cls.customer.id,
                "groups_id": [Command.set(cls.env.ref("base.group_portal").ids)],
            }
        )

    def _send_request_with_ticket(self, order):
        """The operator of company 1 asks to change the first file and the last job's ticket:
        a file item and a ticket item."""
        action = order.with_user(self.operator).action_request_change()
        wizard = self.env[action["res_model"]].with_user(self.operator).browse(action["res_id"])
        with Form(wizard) as form:
            with form.line_ids.edit(0) as line:
                line.to_change = True
                line.reason_id = self.env.ref("print_change_request.reason_missing_fonts")
                line.note = "Embed the fonts of the secret plan"
            form.ticket_job_ids.add(order.job_ids[-1])
            form.ticket_note = "Secret ticket note"
        wizard.action_confirm()
        return order.change_request_ids

    def _order_of_company_2(self):
        order = (
            self.env["print.order"]
            .with_user(self.operator_2)
            .create({"partner_id": self.customer.id, "company_id": self.company_2.id})
        )
        self.env["print.job"].with_user(self.operator_2).create(
            {
                "order_id": order.id,
                "name": "Company 2 job",
                "attachment_ids": [Command.create(self._file_vals("company2.pdf"))],
            }
        )
        return order

    # ------------------------------------------------------------
    # Items and dialog lines (issue 22, item 7)
    # ------------------------------------------------------------

    def test_01_other_companys_operator_reads_no_item_of_the_first(self):
        order = self._create_order(jobs=2, name="SECRET-ORDER")
        request = self._send_request_with_ticket(order)
        items = request.item_ids
        self.assertEqual(sorted(items.mapped("kind")), ["file", "ticket"])
        self.assertEqual(items.company_id, order.company_id, "both INSERTs give the company")

        Item = self.env["print.change.request.item"]
        rows = Item.with_user(self.operator_2).search_read(
            [], ["job_id", "file_name", "note", "reason_id", "create_uid"]
        )
        self.assertEqual(rows, [])
        self.assertFalse(Item.with_user(self.operator_2).search([("id", "in", items.ids)]))
        with self.assertRaises(AccessError):
            items.with_user(self.operator_2).read(["note"])
        # Their own company's operator still reads them.
        self.assertEqual(
            len(Item.with_user(self.operator).search_read([("id", "in", items.ids)], ["note"])),
            2,
        )

    def test_02_dialog_lines_carry_their_jobs_company_and_stay_in_it(self):
        order = self._create_order(jobs=1, files=2)
        action = order.with_user(self.operator).action_request_change()
        lines = (
            self.env["print.change.request.line"]
            .sudo()
            .search([("wizard_id", "=", action["res_id"])])
        )
        self.assertEqual(len(lines), 2)
        self.assertEqual(lines.company_id, order.company_id)
        # An operator of both companies, working in the second one only, reads none of
        # their own dialog's lines of the first.
        both = self._create_user("pcr_operator_both", "print_change_request.group_print_operator")
        both.company_ids = [Command.link(self.company_2.id)]
        order.with_user(both).action_request_change()
        Line = self.env["print.change.request.line"].with_user(both)
        self.assertEqual(len(Line.search([])), 2)
        in_company_2 = Line.with_context(allowed_company_ids=self.company_2.ids)
        self.assertFalse(in_company_2.search([]))
        self.assertFalse(in_company_2.search_read([], ["file_name", "job_id"]))

    def test_03_a_dialog_line_of_another_companys_job_or_file_is_refused_unnamed(self):
        order = self._create_order(jobs=1, files=1)
        job = order.job_ids
        job.name = "Secret job"
        job.attachment_ids.name = "secret-plan.pdf"
        own_order = self._order_of_company_2()
        own_job = own_order.job_ids
        action = own_order.with_user(self.operator_2).action_request_change()
        wizard = self.env[action["res_model"]].with_user(self.operator_2).browse(action["res_id"])
        Line = self.env["print.change.request.line"].with_user(self.operator_2)
        attempts = [
            {"job_id": job.id, "attachment_id": job.attachment_ids.id},
            {"job_id": job.id},
            {"job_id": own_job.id, "attachment_id": job.attachment_ids.id},
        ]
        for values in attempts:
            with self.subTest(values=values), self.assertRaises(AccessError) as caught:
                Line.create({"wizard_id": wizard.id, "file_name": False, **values})
            self.assertNotIn("Secret job", str(caught.exception))
            self.assertNotIn("secret-plan", str(caught.exception))
        # Through the dialog's own lines, and by writing a line it has.
        with self.assertRaises(AccessError):
            wizard.write(
                {"line_ids": [Command.create({"job_id": job.id, "file_name": "x", "note": "n"})]}
            )
        line = wizard.line_ids
        self.assertEqual(len(line), 1)
        for values in (
            {"attachment_id": job.attachment_ids.id},
            {"job_id": job.id, "attachment_id": job.attachment_ids.id},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                wizard.write({"line_ids": [Command.update(line.id, values)]})
            with self.subTest(values=values), self.assertRaises(AccessError):
                line.write(values)
        self.assertEqual(line.attachment_id, own_job.attachment_ids)
        rows = Line.search_read([], ["job_id", "attachment_id", "order_id"])
        self.assertEqual([row["job_id"][0] for row in rows], own_job.ids)
        # A dialog of the first company's orders or jobs is refused, unnamed too.
        Wizard = self.env["print.change.request.wizard"].with_user(self.operator_2)
        for values in (
            {"order_ids": [Command.set(order.ids)]},
            {"order_ids": [Command.set(own_order.ids)], "ticket_job_ids": [Command.set(job.ids)]},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError) as caught:
                Wizard.create(values)
            self.assertNotIn(order.name, str(caught.exception))
            self.assertNotIn("Secret job", str(caught.exception))
        # The operator's own dialog still works.
        with Form(wizard) as form:
            with form.line_ids.edit(0) as edited:
                edited.to_change = True
                edited.reason_id = self.env.ref("print_change_request.reason_missing_fonts")
                edited.note = "Embed the fonts"
        wizard.action_confirm()
        request = own_order.change_request_ids
        self.assertEqual(request.item_ids.file_name, "company2.pdf")
        self.assertEqual(request.item_ids.company_id, self.company_2)

    # ------------------------------------------------------------
    # A job's files (item 8)
    # ------------------------------------------------------------

    def test_04_an_operator_cannot_link_another_customers_file_to_a_job(self):
        stranger = self.env["res.partner"].create({"name": "Stranger"})
        other = self._create_order(partner_id=stranger.id)
        foreign = other.job_ids.attachment_ids
        order = self._create_order()
        job = order.job_ids.with_user(self.operator)
        before = job.attachment_ids
        for command in ([Command.link(foreign.id)], [Command.set((before | foreign).ids)]):
            with self.subTest(command=command):
                with self.assertRaisesRegex(UserError, "Only files uploaded to this job"):
                    job.write({"attachment_ids": command})
                self.assertEqual(job.attachment_ids, before)
        with self.assertRaisesRegex(UserError, "Only files uploaded to this job"):
            self.env["print.job"].with_user(self.operator).create(
                {
                    "order_id": order.id,
                    "name": "Borrowed",
                    "attachment_ids": [Command.set(foreign.ids)],
                }
            )
        # Another user's upload not tied to a record yet is theirs, not this job's.
        loose = self.env["ir.attachment"].with_user(self.manager).create(self._file_vals("m.pdf"))
        with self.assertRaisesRegex(UserError, "Only files uploaded to this job"):
            job.write({"attachment_ids": [Command.link(loose.id)]})
        # The order's portal link serves only its own files.
        self.assertNotIn(foreign, order.job_ids.attachment_ids)
        # Files uploaded to the job, the operator's own upload, and a job's files set again.
        uploaded = (
            self.env["ir.attachment"]
            .with_user(self.operator)
            .create({**self._file_vals("up.pdf"), "res_model": "print.job", "res_id": job.id})
        )
        own = self.env["ir.attachment"].with_user(self.operator).create(self._file_vals("o.pdf"))
        job.write({"attachment_ids": [Command.link(uploaded.id), Command.link(own.id)]})
        job.write({"attachment_ids": [Command.set(job.attachment_ids.ids)]})
        self.assertEqual(job.attachment_ids, before | uploaded | own)
        self.assertEqual(own.res_id, job.id)
        new_job = (
            self.env["print.job"]
            .with_user(self.operator)
            .create(
                {
                    "order_id": order.id,
                    "name": "New",
                    "attachment_ids": [Command.create(self._file_vals("n.pdf"))],
                }
            )
        )
        self.assertEqual(new_job.attachment_ids.res_id, new_job.id)

    # ------------------------------------------------------------
    # The capture's error, the paid order's customer (item 9)
    # ------------------------------------------------------------

    def test_05_customers_do_not_read_the_capture_error(self):
        order = self._create_order()
        order.sudo().payment_capture_failure = "card_declined: do_not_honor (acct_123)"
        portal_order = order.with_user(self.portal_user)
        self.assertEqual(portal_order.read(["name"])[0]["name"], order.name)
        with self.assertRaises(AccessError):
            portal_order.read(["payment_capture_failure"])
        with self.assertRaises(AccessError):
            portal_order.search_read([], ["payment_capture_failure"])
        portal_fields = self.env["print.order"].with_user(self.portal_user).fields_get()
        self.assertNotIn("payment_capture_failure", portal_fields)
        self.assertEqual(
            order.with_user(self.operator).payment_capture_failure,
            "card_declined: do_not_honor (acct_123)",
        )

    def test_06_the_customer_of_an_order_with_money_does_not_change(self):
        other = self.env["res.partner"].create({"name": "Other customer"})
        paid = self._create_order()
        self._pay_by_transaction(paid)
        authorized = self._create_order()
        demo = (
            self.env.ref("payment.payment_provider_demo")
            .sudo()
            .copy({"company_id": self.env.company.id, "state": "test", "capture_manually": True})
        )
        tx = self._create_transaction(authorized, provider=demo)
        tx._handle_notification_data(
            "demo", {"reference": tx.reference, "simulated_state": "done"}
        )
        self.assertEqual(tx.state, "authorized")
        invoiced = self._create_order()
        self._create_invoice(invoiced)
        for order in (paid, authorized, invoiced):
            with self.subTest(order=order.name):
                with self.assertRaisesRegex(UserError, "customer of order .* cannot change"):
                    order.with_user(self.operator).write({"partner_id": other.id})
                self.assertEqual(order.partner_id, self.customer)
                # The same customer again changes nothing and is not refused.
                order.with_user(self.operator).write({"partner_id": self.customer.id})
        unpaid = self._create_order()
        unpaid.with_user(self.operator).write({"partner_id": other.id})
        self.assertEqual(unpaid.partner_id, other)
