import logging

from odoo import models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from ..lib import communication_state as cs
from ..lib import refund_planning

_logger = logging.getLogger(__name__)


class PrintRefundActions(models.Model):
    """The accountants' buttons on a refund: send or retry, refund by hand, mark done,
    register the payment, cancel, mark checked."""

    _inherit = "print.refund"

    # ------------------------------------------------------------
    # ACTIONS (accountants)
    # ------------------------------------------------------------

    def _lock_for_action(self, action, refused):
        """Where the accountants' buttons on money begin: only accountants act on refunds,
        and only where lib/refund_planning.py allows ``action`` (``refused(refund)`` says
        why not); then the money lock, and the same check again on what was committed last
        (another accountant may have moved a refund a moment ago)."""
        self._check_action(action, refused)
        self._lock_money()
        self._check_action(action, self._already_moved_message)

    def _replan_under_lock(self):
        """Bring the refunds up to date with the provider (refunds made outside Odoo) and
        cancel those whose money already went back another way; the ones that settled
        meanwhile are left as they are.  Under the money lock."""
        self._refresh_from_provider()
        self._cancel_if_covered()

    def action_retry(self):
        """Send a failed automatic refund again, under the same idempotency key, for what is
        still to give back on its payment now."""
        self._lock_for_action(
            "retry",
            lambda refund: self.env._(
                "Only a failed automatic refund can be retried (%(refund)s is %(state)s).",
                refund=refund.name,
                state=refund._state_label(),
            ),
        )
        for refund in self.filtered(lambda r: r._is_under_way_at_provider()):
            raise UserError(refund._sent_once_message())
        self._replan_under_lock()
        todo = self.filtered(lambda r: r.state == "failed").sudo()
        todo._set_draft()
        todo._send()
        return self._notification_action()

    def _sent_once_message(self):
        self.ensure_one()
        refund_tx = self.refund_transaction_id.sudo()
        return self.env._(
            "Refund %(refund)s was sent to %(provider)s already (its refund transaction "
            "%(transaction)s is %(state)s): Odoo does not send it a second time, the provider "
            "could refund the customer twice. Check the refund at the provider; if it was not "
            "made, give the money back by hand (Refund by hand).",
            refund=self.name,
            provider=refund_tx.provider_id.display_name,
            transaction=refund_tx.reference,
            state=dict(refund_tx._fields["state"]._description_selection(self.env))[
                refund_tx.state
            ],
        )

    def action_send(self):
        """Send an automatic refund Odoo holds back for the accountants (the excess of an
        overpaid order): through the payment's provider, for what is still due on it."""
        self._lock_for_action(
            "send",
            lambda refund: self.env._(
                "Refund %(refund)s is %(state)s: only an automatic refund not sent yet can be "
                "sent.",
                refund=refund.name,
                state=refund._state_label(),
            ),
        )
        self.filtered("to_check").action_mark_checked()
        self._replan_under_lock()
        todo = self.filtered(lambda r: r.state == "draft").sudo()
        todo._send()
        return self._notification_action()

    def action_refund_manually(self):
        """The accountant will give the money back by hand."""
        self._lock_for_action(
            "refund_manually",
            lambda refund: self.env._(
                "Refund %(refund)s is %(state)s: it cannot be turned into a manual one.",
                refund=refund.name,
                state=refund._state_label(),
            ),
        )
        self._replan_under_lock()
        todo = self.filtered(lambda r: r.state in ("draft", "failed")).sudo()
        todo.write({"method": refund_planning.MANUAL, "failure_reason": False})
        todo._set_pending()
        return self._notification_action() if len(todo) < len(self) else True

    def _mark_done_refused(self, refund):
        return self.env._(
            "Refund %(refund)s is %(state)s: only a refund waiting to be made by hand can "
            "be marked as done.",
            refund=refund.name,
            state=refund._state_label(),
        )

    def action_open_mark_done(self):
        """ "Mark as refunded": ask how the money went back (reference, journal, date) in a
        dialog, as Odoo's "Register payment" does."""
        self.ensure_one()
        self._check_action("mark_done", self._mark_done_refused)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Mark as refunded"),
            "res_model": "print.refund.done.wizard",
            "view_mode": "form",
            "views": [[False, "form"]],
            "target": "new",
            "context": {"default_refund_id": self.id},
        }

    def action_mark_done(
        self, reference=None, journal_id=None, payment_method_line_id=None, payment_date=None
    ):
        """The accountant gave the money back by hand and says how (``reference``, or the
        reference entered on the refund), out of which bank or cash journal (``journal_id``,
        ``payment_method_line_id``: by default the company's first bank journal) and when
        (``payment_date``, by default today).  The money that went out is booked as Odoo
        books a payment registered on the credit note (:meth:`_book_manual_refund_payment`)."""
        self._lock_for_action("mark_done", self._mark_done_refused)
        reference = (reference or "").strip() if isinstance(reference, str) else ""
        for refund in self.filtered(lambda r: not (reference or r.manual_reference)):
            raise UserError(
                self.env._(
                    "Enter the refund reference (bank transfer, receipt...) of %(refund)s "
                    "before marking it as done.",
                    refund=refund.name,
                )
            )
        means = {
            refund.id: refund._get_manual_payment_means(journal_id, payment_method_line_id)
            for refund in self
        }
        date = self._parse_refund_date(payment_date)
        amounts = {refund.id: refund.amount for refund in self}
        self._refresh_from_provider()  # may settle some of them: they are left as they are
        todo = self.filtered(
            lambda r: refund_planning.allowed("mark_done", r.state, r.method)
        ).sudo()
        for refund in todo.filtered(lambda r: r.state == "failed"):
            if not refund._get_still_due():
                raise UserError(
                    self.env._(
                        "The money of refund %(refund)s already went back to the customer "
                        "through %(others)s. If you refunded by hand as well, the customer was "
                        "refunded twice: ask the customer to pay the difference back, then "
                        "cancel this refund.",
                        refund=refund.name,
                        others=", ".join(refund._get_other_committed_refunds().mapped("name")),
                    )
                )
        values = {"method": refund_planning.MANUAL}
        if reference:
            values["manual_reference"] = reference
        todo.write(values)
        # Stripe may have given (part of) the money back meanwhile (a refund made in its
        # dashboard, or sent for a request whose record was lost with its worker), found by
        # the refresh above or known already: that money is not given back twice.  A refund
        # lowered or canceled for it is not marked done: the accountant was asked for more.
        todo._fit_to_still_due()
        canceled = self.filtered(lambda r: r.state == "canceled")
        lowered = (self - canceled).filtered(
            lambda r: (
                float_compare(r.amount, amounts[r.id], precision_rounding=r.currency_id.rounding)
                < 0
            )
        )
        done = todo - lowered - canceled
        done._set_done()
        for refund in done:
            refund._book_manual_refund_payment(*means[refund.id], date, refund.manual_reference)
        if lowered or canceled:
            return self._not_done_notification(lowered, canceled)
        return True

    def _not_done_notification(self, lowered, canceled):
        """What the accountant reads when Mark as done found the money gone back (partly)
        another way: what became of each refund, and what to do."""
        lines = [
            self.env._(
                "%(refund)s is canceled, not done: its money already went back to the customer "
                "through %(others)s. If you refunded by hand as well, the customer was refunded "
                "twice: ask the customer to pay it back.",
                refund=refund.name,
                others=", ".join(refund._get_other_committed_refunds().mapped("name"))
                or self.env._("another refund"),
            )
            for refund in canceled
        ]
        lines += [
            self.env._(
                "%(refund)s is lowered to %(amount)s and not done yet: the rest already went "
                "back to the customer through %(others)s. Give back only %(amount)s, then mark "
                "it as done again; if you gave back more by hand, ask the customer to pay the "
                "difference back.",
                refund=refund.name,
                amount=refund._amount_label(),
                others=", ".join(refund._get_other_committed_refunds().mapped("name"))
                or self.env._("another refund"),
            )
            for refund in lowered
        ]
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning",
                "sticky": True,
                "title": self.env._("Not marked as done"),
                "message": "\n".join(lines),
            },
        }

    def action_register_payment(self):
        """Open Odoo's "Register payment" on the refund's credit note."""
        self.ensure_one()
        self._check_accountant()
        if not self.credit_note_id:
            raise UserError(
                self.env._(
                    "Refund %(refund)s has no credit note: the order had no invoice. Refund "
                    "the customer, then enter the reference and mark it as done.",
                    refund=self.name,
                )
            )
        if self.credit_note_id.state == "draft":
            self.credit_note_id.action_post()
        return self.credit_note_id.action_register_payment()

    def action_cancel(self):
        """Nothing will be refunded (e.g. the order is printed after all).  Never for a
        canceled order: the shop keeps nothing of it (a refund made another way is marked
        as refunded, with its reference)."""
        self._lock_for_action(
            "cancel",
            lambda refund: self.env._(
                "Refund %(refund)s is %(state)s and cannot be canceled.",
                refund=refund.name,
                state=refund._state_label(),
            ),
        )
        for refund in self:
            if refund.order_id.communication_state == cs.CANCELED:
                raise UserError(
                    self.env._(
                        "Refund %(refund)s gives back the money of %(order)s, which is "
                        "canceled: it cannot be canceled. Send it, or refund by hand and mark "
                        "it as refunded with the reference of the money that went out.",
                        refund=refund.name,
                        order=refund.order_id.name,
                    )
                )
        self.sudo()._set_canceled(self.env._("Canceled by %s.", self.env.user.name))
        return True

    def action_mark_checked(self):
        """The accountant checked a refund Odoo flagged (found on Stripe, or not matching)."""
        self._check_accountant()
        for refund in self.filtered("to_check"):
            refund.sudo().write({"to_check": False})
            refund.sudo().activity_feedback(
                ["mail.mail_activity_data_todo"],
                feedback=self.env._("Checked by %s.", self.env.user.name),
            )
        return True

    def action_view_credit_note(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.credit_note_id.id,
            "view_mode": "form",
        }
