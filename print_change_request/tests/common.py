"""The addon's test fixtures (factories for orders, files and payments) and the helpers of the
capture and cancel tests, shared with print_change_request_stripe's tests."""

from lxml import html

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests import Form
from odoo.tests.common import new_test_user

from .preflight_samples import clean_pdf

CLEAN_PDF = clean_pdf()
CANCEL_WIZARD = "print.order.cancel.wizard"


class PrintCommon(AccountTestInvoicingCommon):
    """An independent company with a chart of accounts, a customer, paper, print users and a
    payment provider (Stripe's tests: print_change_request_stripe/tests/common.py).  The
    environment's user is an accountant and a print manager."""

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref(
            "print_change_request.group_print_manager"
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create(
            {"name": "Paula Print", "email": "paula.print@example.com"}
        )
        # Untaxed, so that the money tests keep round amounts; tests of taxes use their own.
        cls.paper = cls.env["product.product"].create(
            {
                "name": "Paper A4 80 g",
                "type": "service",
                "list_price": 0.5,
                "taxes_id": [Command.clear()],
            }
        )
        cls.operator = cls._create_user(
            "pcr_operator", "print_change_request.group_print_operator"
        )
        cls.manager = cls._create_user("pcr_manager", "print_change_request.group_print_manager")
        cls.accountant = cls._create_user("pcr_accountant", "account.group_account_invoice")
        cls.payment_method_unknown = cls.env.ref("payment.payment_method_unknown")
        cls.provider = cls.env["payment.provider"].create(
            {
                "name": "Test provider",
                "code": "none",
                "state": "test",
                "company_id": cls.env.company.id,
                "payment_method_ids": [Command.set(cls.payment_method_unknown.ids)],
            }
        )
        cls.payment_method_unknown.active = True

    # ------------------------------------------------------------
    # Factories
    # ------------------------------------------------------------

    @classmethod
    def _create_user(cls, login, groups, company=None):
        company = company or cls.env.company
        return new_test_user(
            cls.env,
            login=login,
            groups=f"base.group_user,{groups}",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )

    @classmethod
    def _file_vals(cls, name):
        # A real PDF the preflight finds nothing in (an A4 page of grey shapes).
        return {"name": name, "raw": CLEAN_PDF, "mimetype": "application/pdf"}

    @classmethod
    def _create_order(cls, jobs=1, files=1, job_states=None, price=10.0, **values):
        """An order of the test customer with ``jobs`` jobs of ``files`` files each.

        ``job_states`` gives each job's communication state (default: all new); each job
        costs ``price``.
        """
        job_states = job_states or ["new"] * jobs
        order = cls.env["print.order"].create({"partner_id": cls.customer.id, **values})
        # A fixture: jobs already in a state are written as Odoo itself would (sudo).
        cls.env["print.job"].sudo().create(
            [
                {
                    "order_id": order.id,
                    "name": f"Job {index + 1}",
                    "sequence": index,
                    "product_id": cls.paper.id,
                    "price_unit": price,
                    "communication_state": state,
                    "attachment_ids": [
                        Command.create(cls._file_vals(f"job{index + 1}-file{number + 1}.pdf"))
                        for number in range(files)
                    ],
                }
                for index, state in enumerate(job_states)
            ]
        )
        return order

    @classmethod
    def _create_transaction(cls, order, amount=None, provider=None, **values):
        provider = provider or cls.provider
        return cls.env["payment.transaction"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": (
                    provider.payment_method_ids[:1] or cls.payment_method_unknown
                ).id,
                "reference": cls.env["payment.transaction"]._compute_reference(
                    provider.code, prefix=order.name
                ),
                "amount": order.amount_total if amount is None else amount,
                "currency_id": order.currency_id.id,
                "partner_id": order.partner_id.id,
                "print_order_ids": [Command.link(order.id)],
                **values,
            }
        )

    @classmethod
    def _pay_by_transaction(cls, order, amount=None, **values):
        """A confirmed (done) payment transaction for the order."""
        tx = cls._create_transaction(order, amount=amount, **values)
        tx._set_done()
        return tx

    @classmethod
    def _create_invoice(cls, order, amount=None, post=True):
        invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": order.partner_id.id,
                "invoice_date": "2026-01-15",
                "print_order_id": order.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": order.name,
                            "quantity": 1,
                            "price_unit": order.amount_total if amount is None else amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        if post:
            invoice.action_post()
        return invoice

    @classmethod
    def _register_payment(cls, moves, amount=None):
        """Register a payment on invoices (inbound) or credit notes (outbound), as the
        accountant does with the "Register payment" button."""
        values = {"payment_date": "2026-01-16"}
        if amount is not None:
            values["amount"] = amount
        wizard = (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create(values)
        )
        return wizard._create_payments()

    def _request_change(self, order, refund="automatic", files=1, reason=None, user=None):
        """Send a request for change through the dialogs, as an operator clicks it: tick the
        first ``files`` files, OK, then OK (automatic) or Cancel (manual) on the refund
        question when the order is paid."""
        user = user or self.operator
        action = order.with_user(user).action_request_change()
        wizard_form = Form(
            self.env[action["res_model"]].with_user(user).with_context(**action["context"])
        )
        for index in range(files):
            with wizard_form.line_ids.edit(index) as line:
                line.to_change = True
                line.reason_id = reason or self.env.ref(
                    "print_change_request.reason_missing_fonts"
                )
                line.note = "Embed the fonts"
        wizard = wizard_form.save()
        result = wizard.action_confirm()
        if result.get("res_model") == "print.refund.confirm.wizard":
            confirm = Form(
                self.env[result["res_model"]].with_user(user).with_context(**result["context"])
            ).save()
            if refund == "automatic":
                return confirm.action_refund_automatically()
            return confirm.action_refund_manually()
        return result

    @classmethod
    def _pay_by_invoice(cls, order, amount=None):
        invoice = cls._create_invoice(order, amount=amount)
        cls._register_payment(invoice)
        return invoice


class CaptureMixin:
    def _request_change_authorized(self, order, release="automatic", user=None):
        """The operator's request for change on an order whose payment is authorized: the
        release question, answered OK ("automatic") or Cancel ("manual")."""
        user = user or self.operator
        action = order.with_user(user).action_request_change()
        wizard_form = Form(
            self.env[action["res_model"]].with_user(user).with_context(**action["context"])
        )
        with wizard_form.line_ids.edit(0) as line:
            line.to_change = True
            line.reason_id = self.env.ref("print_change_request.reason_missing_fonts")
            line.note = "Embed the fonts"
        result = wizard_form.save().action_confirm()
        self.assertEqual(result.get("res_model"), "print.release.confirm.wizard", result)
        confirm = Form(
            self.env[result["res_model"]].with_user(user).with_context(**result["context"])
        ).save()
        self.assertEqual(confirm.amount_to_release, order.amount_total)
        if release == "automatic":
            return confirm.action_release_automatically()
        return confirm.action_release_manually()

    def _assert_nothing_refunded(self, order):
        self.assertFalse(order.refund_ids)
        self.assertFalse(
            order.sudo().transaction_ids.filtered(lambda tx: tx.operation == "refund")
        )
        self.assertFalse(order.sudo().invoice_ids.filtered(lambda m: m.move_type == "out_refund"))

    def _todos(self, order, text):
        return order.sudo().activity_ids.filtered(lambda act: text in (act.summary or ""))


class CancelMixin:
    @classmethod
    def _setup_demo_providers(cls):
        # Odoo's demo provider refunds through its own refund request (payment_demo).
        demo_method = cls.env.ref("payment_demo.payment_method_demo")
        base = cls.env.ref("payment.payment_provider_demo").sudo()
        values = {
            "company_id": cls.env.company.id,
            "state": "test",
            "payment_method_ids": [Command.set(demo_method.ids)],
        }
        cls.demo = base.copy({**values, "name": "Demo (refunds)"})
        cls.demo_capture = base.copy(
            {**values, "name": "Demo (capture manually)", "capture_manually": True}
        )

    def _authorize(self, order):
        """The customer pays with the demo provider set to capture manually: authorized."""
        tx = self._create_transaction(order, provider=self.demo_capture)
        tx._handle_notification_data(
            "demo", {"reference": tx.reference, "simulated_state": "done"}
        )
        self.assertEqual(tx.state, "authorized")
        return tx

    def _ask_to_cancel(self, order, user=None):
        """The operator clicks Cancel order on a paid order: the refund question."""
        action = order.with_user(user or self.operator).action_cancel()
        self.assertIsInstance(action, dict, "a paid order asks first")
        self.assertEqual(action["res_model"], CANCEL_WIZARD)
        self.assertNotEqual(order.communication_state, "canceled", "nothing canceled yet")
        return self.env[CANCEL_WIZARD].with_user(user or self.operator).browse(action["res_id"])

    def _cancel(self, order, refund="automatic", user=None):
        """Cancel order, then OK ("automatic") or Cancel ("manual") on the refund question."""
        question = self._ask_to_cancel(order, user=user)
        if refund == "automatic":
            return question.action_refund_automatically()
        return question.action_refund_manually()

    def _cancel_mails(self, order):
        return order.message_ids.filtered(lambda m: "is canceled" in (m.subject or ""))

    def _assert_told_customer(self, order, *fragments):
        mail = self._cancel_mails(order)
        self.assertEqual(len(mail), 1, "one e-mail to the customer")
        self.assertEqual(mail.partner_ids, self.customer)
        self.assertEqual(mail.notification_ids.res_partner_id, self.customer)
        self.assertEqual(mail.message_type, "comment")
        text = " ".join(html.fromstring(mail.body).text_content().split())
        for fragment in fragments:
            self.assertIn(fragment, text)
        return text
