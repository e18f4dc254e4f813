"""One fixture class for the addon's tests, with factories for orders, files and payments."""

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests.common import new_test_user


class PrintCommon(AccountTestInvoicingCommon):
    """An independent company with a chart of accounts, a customer, paper, print users and a
    payment provider.  The environment's user is an accountant and a print manager."""

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
        cls.paper = cls.env["product.product"].create(
            {"name": "Paper A4 80 g", "type": "service", "list_price": 0.5}
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
        return {"name": name, "raw": b"%PDF-1.4\n% test file\n", "mimetype": "application/pdf"}

    @classmethod
    def _create_order(cls, jobs=1, files=1, job_states=None, price=10.0, **values):
        """An order of the test customer with ``jobs`` jobs of ``files`` files each.

        ``job_states`` gives each job's communication state (default: all new); each job
        costs ``price``.
        """
        job_states = job_states or ["new"] * jobs
        order = cls.env["print.order"].create({"partner_id": cls.customer.id, **values})
        cls.env["print.job"].create(
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

    @classmethod
    def _pay_by_invoice(cls, order, amount=None):
        invoice = cls._create_invoice(order, amount=amount)
        cls._register_payment(invoice)
        return invoice
