import logging

import psycopg2

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from ..lib import refund_planning

_logger = logging.getLogger(__name__)


class PrintRefundAccounting(models.Model):
    """A refund's accounting: the credit note, the outbound payment and their
    reconciliation with the refunded payment."""

    _inherit = "print.refund"

    # ------------------------------------------------------------
    # BUSINESS METHODS: accounting
    # ------------------------------------------------------------

    def _create_credit_note(self, invoice):
        """A draft credit note giving back this refund's amount of ``invoice``."""
        self.ensure_one()
        invoice = invoice.sudo()
        values = {
            "ref": self.env._(
                "%(refund)s: refund of %(order)s", refund=self.name, order=self.order_id.name
            ),
            "print_order_id": self.order_id.id,
            "invoice_date": fields.Date.context_today(self),
        }
        whole = (
            invoice.currency_id == self.currency_id
            and float_compare(
                self.amount, invoice.amount_total, precision_rounding=self.currency_id.rounding
            )
            == 0
        )
        if whole:
            return invoice._reverse_moves([values], cancel=False)
        credit_note = (
            self.env["account.move"]
            .sudo()
            .with_company(invoice.company_id)
            .create(
                {
                    **values,
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "currency_id": self.currency_id.id,
                    "journal_id": invoice.journal_id.id,
                    "fiscal_position_id": invoice.fiscal_position_id.id,
                    "reversed_entry_id": invoice.id,
                    "invoice_line_ids": [
                        Command.create(vals)
                        for vals in self._prepare_partial_credit_lines(invoice)
                    ],
                }
            )
        )
        # the credit note gives back exactly the refund's amount
        credit_note._round_to_total(self.amount, label=self.env._("Rounding of the refund"))
        return credit_note

    def _prepare_partial_credit_lines(self, invoice):
        """The lines of a credit note giving back part of ``invoice``: the refund's amount
        shared among the invoice's taxes as the invoice's total is, each share with its taxes
        (its base is the share less those taxes), so that the taxes go back in proportion."""
        self.ensure_one()
        lines = invoice.invoice_line_ids.filtered(lambda ln: ln.display_type == "product")
        if invoice.currency_id == self.currency_id:
            weighted = [(line.tax_ids, line.price_total) for line in lines]
        else:  # no proportion to keep across currencies: one untaxed line
            weighted = []
        order = self.order_id.sudo()
        return [
            {
                "name": self.env._("Refund for %s", self.order_id.name),
                "quantity": 1,
                "price_unit": excluded,
                "account_id": lines[index].account_id.id if lines else False,
                "tax_ids": [Command.set(taxes.ids)],
            }
            for taxes, excluded, index in order._split_by_taxes(weighted, self.amount)
        ]

    def _post_automatic_refund_accounting(self):
        """Outbound payment for the refund transaction, reconciled with the credit note, or
        with the customer's original payment when the order had no invoice.

        A failure here must not undo the refund itself: it is logged and left to the
        accountants (Odoo's post-processing cron also retries the payment)."""
        self.ensure_one()
        refund_tx = self.refund_transaction_id.sudo()
        if not refund_tx:
            return
        try:
            with self.env.cr.savepoint():
                if not refund_tx.is_post_processed:
                    refund_tx.with_company(refund_tx.company_id)._post_process()
                payment = refund_tx.payment_id
                self.sudo().payment_id = payment
                if payment and not self.credit_note_id:
                    self._reconcile_with_source_payment(payment)
        except psycopg2.OperationalError:
            # A concurrent update or a deadlock is no accounting problem: let Odoo play the
            # whole call again on fresh data instead of going on in a doomed transaction.
            raise
        except Exception as error:
            _logger.warning(
                "Refund %s: the accounting entries could not be created", self.name, exc_info=True
            )
            self._schedule_accountant_activity(
                self.env._("Record the refund payment of %s", self.name),
                self.env._(
                    "The refund went through, but Odoo could not record its payment: %s", error
                ),
            )

    def _get_default_refund_journal(self):
        """Where money given back by hand goes out by default, as Odoo's "Register payment"
        proposes it: the company's first bank journal that can pay out, else its first cash
        journal."""
        self.ensure_one()
        Journal = self.env["account.journal"]
        journals = Journal.search(
            [*Journal._check_company_domain(self.company_id), ("type", "in", ("bank", "cash"))]
        ).filtered("outbound_payment_method_line_ids")
        return journals.filtered(lambda journal: journal.type == "bank")[:1] or journals[:1]

    def _get_manual_payment_means(self, journal_id=None, payment_method_line_id=None):
        """The journal and outbound payment method the money of this refund went out with:
        ``journal_id`` and ``payment_method_line_id`` when given (a bank or cash journal of
        the refund's company), else the default ones.  Raises a UserError saying what to
        choose."""
        self.ensure_one()
        Journal = self.env["account.journal"]
        if journal_id:
            journal = (
                Journal.browse(int(journal_id))
                .exists()
                .filtered_domain(
                    [
                        *Journal._check_company_domain(self.company_id),
                        ("type", "in", ("bank", "cash")),
                    ]
                )
            )
        else:
            journal = self._get_default_refund_journal()
        if not journal:
            raise UserError(
                self.env._(
                    "Choose the bank or cash journal of %(company)s the money of refund "
                    "%(refund)s went out of.",
                    company=self.company_id.name,
                    refund=self.name,
                )
            )
        lines = journal._get_available_payment_method_lines("outbound")
        if payment_method_line_id:
            lines = lines.filtered(lambda line: line.id == int(payment_method_line_id))
        if not lines:
            raise UserError(
                self.env._(
                    "Journal %(journal)s has no such outbound payment method: choose one it "
                    "pays out with.",
                    journal=journal.display_name,
                )
            )
        return journal, lines[:1]

    def _parse_refund_date(self, value):
        if not value:
            return fields.Date.context_today(self)
        try:
            return fields.Date.to_date(value)
        except ValueError as error:
            raise UserError(
                self.env._("%s is not a date: enter the day the money went back.", value)
            ) from error

    def _book_manual_refund_payment(self, journal, method_line, date, reference):
        """Book the money this refund gave back by hand as Odoo books it when an accountant
        registers a payment on the credit note: an outbound payment of ``journal`` with the
        ``reference``, on ``date``, posted and reconciled with the (posted) credit note; or,
        when the order had no invoice, reconciled with the customer's payment it gives back.
        The customer's receivable is then balanced."""
        self.ensure_one()
        credit_note = self.credit_note_id.sudo()
        if credit_note.state == "draft":
            credit_note.action_post()
        company = self.company_id
        if credit_note.state == "posted":
            if credit_note.payment_state in ("paid", "in_payment", "reversed"):
                return  # paid already (Register payment): nothing went out twice
            residual = abs(credit_note.amount_residual)
            amount = min(residual, self.amount) if residual else self.amount
            payment = (
                self.env["account.payment.register"]
                .sudo()
                .with_company(company)
                .with_context(active_model="account.move", active_ids=credit_note.ids)
                .create(
                    {
                        "journal_id": journal.id,
                        "payment_method_line_id": method_line.id,
                        "payment_date": date,
                        "communication": reference,
                        "amount": amount,
                    }
                )
                ._create_payments()
            )
        else:
            payment = (
                self.env["account.payment"]
                .sudo()
                .with_company(company)
                .create(
                    {
                        "payment_type": "outbound",
                        "partner_type": "customer",
                        "partner_id": self.partner_id.commercial_partner_id.id,
                        "amount": self.amount,
                        "currency_id": self.currency_id.id,
                        "journal_id": journal.id,
                        "payment_method_line_id": method_line.id,
                        "date": date,
                        "memo": reference,
                        "company_id": company.id,
                    }
                )
            )
            payment.action_post()
            self._reconcile_with_source_payment(payment)
        self.sudo().payment_id = payment

    @api.model
    def _reconcile_refunds_of_payments(self, transactions):
        """The customer's payments of ``transactions`` were just booked (Odoo's
        post-processing, which may run after the refund was sent or made by hand): match the
        outbound payments of their done refunds without a credit note (an overpayment's, an
        uninvoiced order's) with them now, so that nothing is left unmatched beside them."""
        refunds = self.sudo().search(
            [
                ("source_transaction_id", "in", transactions.ids),
                ("state", "=", "done"),
                ("payment_id", "!=", False),
                ("credit_note_id", "=", False),
            ]
        )
        for refund in refunds:
            refund._reconcile_with_source_payment(refund.payment_id)

    def _reconcile_with_source_payment(self, payment):
        source_payment = self.source_transaction_id.sudo().payment_id
        if not source_payment:
            return
        account = payment.destination_account_id
        lines = (payment.move_id.line_ids | source_payment.move_id.line_ids).filtered(
            lambda line: line.account_id == account and not line.reconciled
        )
        if len(lines) > 1:
            lines.reconcile()

    def _undo_refund_payment(self):
        """A refund that failed after looking done: its payment never happened.

        Posted entries are undone the way Odoo does it, never deleted (a posted entry keeps
        its sequence number): the payment is canceled (its entry reset and canceled), or,
        where the entry can no longer be reset (lock date, hashed journal), reversed."""
        payment = self.payment_id.sudo()
        if not payment or payment.state in ("draft", "canceled"):
            return
        try:
            with self.env.cr.savepoint():
                payment.action_cancel()
        except UserError:
            move = payment.move_id
            if move.state == "posted" and not move.reversal_move_ids:
                move._reverse_moves(
                    [
                        {
                            "ref": self.env._(
                                "%(refund)s failed at the provider", refund=self.name
                            ),
                            "date": fields.Date.context_today(self),
                        }
                    ],
                    cancel=True,
                )
            payment.state = "canceled"

    def _check_credit_note_paid(self):
        """Manual refunds are done once the accountant paid their credit note."""
        for refund in self.filtered(
            lambda r: r.state == "pending" and r.method == refund_planning.MANUAL
        ):
            credit_note = refund.credit_note_id
            if credit_note.payment_state in ("paid", "in_payment"):
                refund.sudo().payment_id = (
                    credit_note.matched_payment_ids[-1:]
                    or (credit_note._get_reconciled_payments()[-1:])
                )
                refund._set_done()
