import logging

from odoo import models
from odoo.exceptions import UserError

from ..lib import refund_planning

_logger = logging.getLogger(__name__)


class PrintRefundActions(models.Model):
    """The accountants' buttons on a refund: send or retry, refund by hand, mark done,
    register the payment, cancel, mark checked."""

    _inherit = "print.refund"

    # ------------------------------------------------------------
    # ACTIONS (accountants)
    # ------------------------------------------------------------

    def action_retry(self):
        """Send a failed automatic refund again, under the same idempotency key, for what is
        still to give back on its payment now."""
        self._check_action(
            "retry",
            lambda refund: self.env._(
                "Only a failed automatic refund can be retried (%(refund)s is %(state)s).",
                refund=refund.name,
                state=refund._state_label(),
            ),
        )
        self._lock_money()
        self._check_action("retry", lambda refund: self._already_moved_message(refund))
        self._refresh_from_provider()  # may settle some of them: they are left as they are
        self._cancel_if_covered()
        todo = self.filtered(lambda r: r.state == "failed").sudo()
        todo._set_draft()
        todo._send()
        return self._notification_action()

    def action_send(self):
        """Send an automatic refund Odoo holds back for the accountants (the excess of an
        overpaid order): through the payment's provider, for what is still due on it."""
        self._check_action(
            "send",
            lambda refund: self.env._(
                "Refund %(refund)s is %(state)s: only an automatic refund not sent yet can be "
                "sent.",
                refund=refund.name,
                state=refund._state_label(),
            ),
        )
        self._lock_money()
        self._check_action("send", lambda refund: self._already_moved_message(refund))
        self.filtered("to_check").action_mark_checked()
        self._refresh_from_provider()  # may settle some of them: they are left as they are
        self._cancel_if_covered()
        todo = self.filtered(lambda r: r.state == "draft").sudo()
        todo._send()
        return self._notification_action()

    def action_refund_manually(self):
        """The accountant will give the money back by hand."""
        self._check_action(
            "refund_manually",
            lambda refund: self.env._(
                "Refund %(refund)s is %(state)s: it cannot be turned into a manual one.",
                refund=refund.name,
                state=refund._state_label(),
            ),
        )
        self._lock_money()
        self._check_action("refund_manually", lambda refund: self._already_moved_message(refund))
        self._refresh_from_provider()  # may settle some of them: they are left as they are
        self._cancel_if_covered()
        todo = self.filtered(lambda r: r.state in ("draft", "failed")).sudo()
        todo.write({"method": refund_planning.MANUAL, "failure_reason": False})
        todo._set_pending()
        return self._notification_action() if len(todo) < len(self) else True

    def action_mark_done(self, reference=None):
        """The accountant gave the money back by hand and says how (``reference``, or the
        reference entered on the refund)."""
        self._check_action(
            "mark_done",
            lambda refund: self.env._(
                "Refund %(refund)s is %(state)s: only a refund waiting to be made by hand can "
                "be marked as done.",
                refund=refund.name,
                state=refund._state_label(),
            ),
        )
        reference = (reference or "").strip() if isinstance(reference, str) else ""
        for refund in self.filtered(lambda r: not (reference or r.manual_reference)):
            raise UserError(
                self.env._(
                    "Enter the refund reference (bank transfer, receipt...) of %(refund)s "
                    "before marking it as done.",
                    refund=refund.name,
                )
            )
        self._lock_money()
        self._check_action("mark_done", lambda refund: self._already_moved_message(refund))
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
        todo._set_done()
        return True

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
        """Nothing will be refunded (e.g. the order is printed after all)."""
        self._check_action(
            "cancel",
            lambda refund: self.env._(
                "Refund %(refund)s is %(state)s and cannot be canceled.",
                refund=refund.name,
                state=refund._state_label(),
            ),
        )
        self._lock_money()
        self._check_action("cancel", lambda refund: self._already_moved_message(refund))
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
