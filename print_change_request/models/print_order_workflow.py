from odoo import Command, models
from odoo.exceptions import UserError

from ..lib import communication_state as cs
from .print_row_lock_mixin import lock_rows


class PrintOrderWorkflow(models.Model):
    """The operator's workflow on an order: accept, request changes, go on without the
    customer, dispatch, finalize, cancel; the customer's changes and the order's locks."""

    _inherit = "print.order"

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_accept(self):
        """Accept the orders: every live job must be ready, and paid when the shop says so.

        Asks first when an order waits for the customer ("I do not wait for the response of
        the customer."); when the shop requires payment and one order is not paid, opens the
        dialog that says why and offers the ways forward (payment link, invoice, or a
        manager's acceptance without payment)."""
        self._check_operator()
        self._lock_for_update()
        ask = self._check_acceptable()
        if ask:
            return ask
        unpaid = self.filtered(lambda order: order._is_payment_missing())
        if unpaid:
            if len(self) == 1:
                return self.env["print.order.unpaid.wizard"]._open_for(self)
            raise UserError(unpaid[0]._get_unpaid_message())
        self._get_live_jobs()._mark_accepted()
        return True

    def action_cancel(self):
        """Cancel the orders and all their jobs that are not canceled yet."""
        self._check_operator()
        self._lock_for_update()
        for order in self:
            order._check_not_locked()
        self._get_live_jobs()._mark_canceled()
        return True

    def action_dispatch(self):
        """Dispatch accepted orders."""
        self._check_operator()
        self._lock_for_update()
        for order in self:
            order._check_not_locked()
        ask = self._get_continue_without_customer_action("dispatch")
        if ask:
            return ask
        for order in self:
            if order.communication_state != cs.ACCEPTED:
                raise UserError(
                    self.env._(
                        "Order %(order)s cannot be dispatched: accept it first.",
                        order=order.name,
                    )
                )
        self._get_live_jobs()._mark_dispatched()
        return True

    def action_finalize(self):
        """Finalize dispatched orders.  After this nothing changes any more."""
        self._check_operator()
        self._lock_for_update()
        for order in self:
            if order.communication_state != cs.DISPATCHED:
                raise UserError(
                    self.env._(
                        "Order %(order)s cannot be finalized: only dispatched orders can.",
                        order=order.name,
                    )
                )
        self._get_live_jobs()._mark_finalized()
        return True

    def action_request_change(self):
        """Open "Send a change request for <orders>" for these orders."""
        self._check_operator()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "print_change_request.print_change_request_wizard_action"
        )
        names = self.mapped("name")
        action["name"] = (
            self.env._("Send a change request for %s", ", ".join(names))
            if len(names) <= 3
            else self.env._("Send a change request for %s orders", len(names))
        )
        action["context"] = {
            "active_model": "print.order",
            "active_ids": self.ids,
            "dialog_size": "extra-large",
        }
        action["res_id"] = self.env["print.change.request.wizard"]._create_for_orders(self).id
        return action

    def action_continue_without_customer(self):
        """ "I do not wait for the response of the customer.": go on with the order as it
        was (:meth:`_go_ahead_without_customer`, print_order_talk.py).

        The decision is recorded in the chatter; the customer can no longer send changes in
        the portal, the refunds not paid out yet are canceled and the customer is told."""
        self._check_operator()
        self._lock_for_update()
        waiting = self.filtered(lambda order: order._is_waiting_on_customer())
        if not waiting:
            raise UserError(self.env._("These orders are not waiting for the customer."))
        ask = waiting._get_error_files_action("continue")  # print_order_status.py
        if ask:
            return ask
        return waiting._go_ahead_without_customer()

    def action_customer_changed(self):
        """The customer changed the order (new files or ticket sent by other means than the
        portal): the jobs waiting for it become "Job is changed"."""
        self._check_operator()
        self._lock_for_update()
        for order in self:
            if not order.job_ids.filtered(
                lambda job: job.communication_state == cs.CHANGE_REQUESTED
            ):
                raise UserError(
                    self.env._(
                        "Order %(order)s has no job waiting for the customer.", order=order.name
                    )
                )
        self._apply_customer_change()
        return True

    def action_resend_change_request(self):
        """Send the last request's e-mail again, and say what happened."""
        self._check_operator()
        self.ensure_one()
        if not self.last_change_request_id:
            raise UserError(self.env._("No request for change was sent for this order."))
        if not self.partner_id.email:
            raise UserError(
                self.env._(
                    "The customer %(customer)s has no e-mail address: add one, then resend.",
                    customer=self.partner_id.display_name,
                )
            )
        request = self.last_change_request_id
        request.action_resend()
        self._send_change_request_mails_now(request)
        customer = self.partner_id.display_name
        if request.mail_state == "failed":
            kind, sticky = "danger", True
            message = self.env._(
                "The email was not sent to %(customer)s again: %(problem)s Check the address "
                "or the mail server, then resend.",
                customer=customer,
                problem=request.mail_failure or "",
            )
            self.message_post(
                body=self.env._(
                    "%(user)s resent request %(request)s to %(customer)s: the e-mail was not "
                    "sent again (%(problem)s).",
                    user=self.env.user.name,
                    request=request.name,
                    customer=customer,
                    problem=request.mail_failure or "",
                ),
                subtype_xmlid="mail.mt_note",
            )
        elif request.mail_state == "sent":
            kind, sticky = "success", False
            message = self.env._(
                "The request for change was e-mailed to %(customer)s.", customer=customer
            )
        else:
            kind, sticky = "info", False
            message = self.env._(
                "The request for change to %(customer)s is queued and will be sent shortly.",
                customer=customer,
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": kind,
                "sticky": sticky,
                "title": self.env._("Resend the request for change"),
                "message": message,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _send_change_request_mails_now(self, requests):
        """Send the e-mails of ``requests`` to their customers now, in this transaction,
        instead of after the commit: the operator then learns at once whether the customer
        was told (an e-mail failing after the commit came after a green "sent").  Mails
        sent here are no longer outgoing, so the after-commit sending skips them."""
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("mail_message_id", "in", requests.mail_message_id.ids),
                    ("state", "=", "outgoing"),
                ]
            )
        )
        if mails:
            mails.send(raise_exception=False)
        requests.invalidate_recordset(["mail_state", "mail_failure"])
        self.invalidate_recordset(
            ["customer_not_told", "customer_not_told_reason", "mail_warning"]
        )

    def _close_check_changes_activities(self):
        """The operator went on with the orders (accepted, dispatched, finalized, canceled
        or asked again): the "Check the customer's changes" to-dos are done."""
        self.sudo().activity_feedback(
            ["print_change_request.mail_activity_type_check_changes"],
            feedback=self.env._("Done: %s went on with the order.", self.env.user.name),
        )

    def action_preview(self):
        """Customer Preview: the order's portal page, as the customer sees it."""
        self.ensure_one()
        self._portal_ensure_token()
        return {"type": "ir.actions.act_url", "target": "self", "url": self.get_portal_url()}

    def action_view_change_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "print_change_request.print_change_request_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        return action

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    def _get_acceptable_job_states(self):
        """Job states from which this order can be accepted.  Hook: extend to allow more."""
        self.ensure_one()
        if self.customer_wait_skipped:
            return (*cs.ACCEPTABLE, cs.CHANGE_REQUESTED)
        return cs.ACCEPTABLE

    def _is_waiting_on_customer(self):
        self.ensure_one()
        return (
            self.communication_state in cs.WAITING_ON_CUSTOMER and not self.customer_wait_skipped
        )

    def _get_continue_without_customer_action(self, step):
        """The dialog asking whether to go on without the customer's response, when one of
        the orders waits for the customer; False when none does.  ``step`` is the workflow
        step the operator asked for ("accept" or "dispatch"); OK in the dialog does it."""
        if not self.filtered(lambda order: order._is_waiting_on_customer()):
            return False
        wizard = self.env["print.order.continue.wizard"].create(
            {"order_ids": [Command.set(self.ids)], "next_step": step}
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("The customer has not changed the order yet"),
            "res_model": wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def _apply_customer_change(self, jobs=None):
        """The customer answered: ``jobs`` (default: every job waiting for the customer)
        become "Job is changed".  The portal calls this when the customer resubmits."""
        waiting = self.job_ids.filtered(lambda job: job.communication_state == cs.CHANGE_REQUESTED)
        jobs = waiting if jobs is None else jobs & waiting
        jobs._mark_changed()
        for order in jobs.order_id:
            if not order.job_ids.filtered(
                lambda job: job.communication_state == cs.CHANGE_REQUESTED
            ):
                order.change_request_ids._mark_answered()
                order.sudo().customer_wait_skipped = False
            order.sudo().message_post(
                body=self.env._(
                    "The customer changed the order: %(jobs)s.",
                    jobs=", ".join((jobs & order.job_ids).mapped("name")),
                ),
                author_id=(
                    self.env.user.partner_id
                    if not self.env.user.share
                    else order._get_print_system_author()
                ).id,
            )
        return jobs

    def _lock_for_update(self):
        """Take the orders' row locks so that two operators cannot act on them at once."""
        if not self._try_lock_rows():
            raise UserError(
                self.env._(
                    "Another user is working on %(orders)s right now. Try again in a moment.",
                    orders=", ".join(self.mapped("name")),
                )
            )
        self.job_ids.invalidate_recordset()
        self.refund_ids.invalidate_recordset()

    def _wait_to_lock_for_update(self):
        """Take the orders' row locks as ``_lock_for_update``, but wait for a transaction that
        holds one of them instead of refusing: for a customer's click repeated while the first
        is under way (a double click on submit).  The rows are touched, so the waiting request
        is played again by Odoo on what the first one committed (see ``lock_rows``)."""
        lock_rows(self.env.cr, self._table, self.ids, touch=True, nowait=False)
        self.invalidate_recordset()
        self.job_ids.invalidate_recordset()
        self.refund_ids.invalidate_recordset()

    def _get_not_ready_message(self, jobs):
        """The error shown when ``jobs`` keep the order from being accepted."""
        self.ensure_one()
        labels = dict(self._fields["communication_state"]._description_selection(self.env))
        return self.env._(
            "Order %(order)s cannot be accepted yet: %(jobs)s.",
            order=self.name,
            jobs=", ".join(f"{job.name} ({labels[job.communication_state]})" for job in jobs),
        )

    def _check_not_locked(self):
        """Refuse any change of state on a dispatched or finalized order."""
        for order in self:
            if cs.is_locked(order.communication_state):
                raise UserError(
                    self.env._(
                        "Order %(order)s is %(state)s: its state can no longer change.",
                        order=order.name,
                        state=dict(
                            order._fields["communication_state"]._description_selection(order.env)
                        )[order.communication_state],
                    )
                )

    def _accepts_job_changes(self):
        """Jobs may be added or removed only while the order is not accepted and not paid."""
        self.ensure_one()
        return self.communication_state in cs.CHANGE_REQUESTABLE and not self.is_paid

    def _check_jobs_can_change(self):
        """Raise a clear error when jobs may not be added to or removed from these orders."""
        for order in self:
            if not order._accepts_job_changes():
                raise UserError(
                    self.env._(
                        "Jobs of order %(order)s can no longer be added or removed: the order "
                        "is accepted or paid. Request a change from the customer, or create a "
                        "new order.",
                        order=order.name,
                    )
                )
