from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib import payment_attempts


class PrintOrderPortal(models.Model):
    """Orders from the portal: the drafts a customer fills, their submission, and the
    operator who takes them (round robin, live notification)."""

    _inherit = "print.order"

    # A draft is the customer's until submitted: operators' lists leave it out (the action's
    # domain), and it becomes New with its submission date when the customer submits it.
    portal_draft = fields.Boolean(
        string="Draft from the portal",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The customer is still filling this order in the portal: it is not submitted yet.",
    )
    portal_submitted = fields.Boolean(
        string="Submitted in the portal",
        readonly=True,
        copy=False,
        help="The customer placed this order in the portal.",
    )
    # What the customer typed on the order page and has not sent yet, and the files their last
    # post refused: the page shows them again after each of its buttons (a redirection), and
    # they are written with what the button did, in its transaction.  The customer's own
    # words before they send them: not the shop's to read.
    portal_form_draft = fields.Json(
        string="Typed in the portal, not sent yet",
        readonly=True,
        copy=False,
        groups="base.group_system",
        help="The order page's fields the customer typed and has not sent yet (their word for "
        "the print shop, the job they are adding), by the form's field names.",
    )
    portal_refused_files = fields.Json(
        string="Files refused at the customer's last post",
        readonly=True,
        copy=False,
        groups="base.group_system",
        help="The files the customer's last post of the order page refused, each with its job "
        "and why, while the other files of the post were stored.",
    )

    # ------------------------------------------------------------
    # ORDERS FROM THE PORTAL (drafts the customer fills, then submits)
    # ------------------------------------------------------------

    @api.model
    def _create_portal_draft(self, partner):
        """The customer's draft order (called in sudo by the portal for the logged-in user).
        Its access token is set now: two first views of the page at once (a double click,
        two tabs) would otherwise both write one, and one of them fail on the other."""
        draft = self.sudo().create(
            {
                "partner_id": partner.id,
                "portal_draft": True,
                "user_id": False,
                "company_id": partner.company_id.id or self.env.company.id,
            }
        )
        draft._portal_ensure_token()
        return draft

    def _check_portal_draft(self):
        self.ensure_one()
        if not self.portal_draft:
            raise UserError(
                self.env._(
                    "Order %(order)s was already sent to the print shop: jobs can no longer be "
                    "added. Start a new order for more jobs.",
                    order=self.name,
                )
            )

    def _add_portal_job(self, name, raw_ticket):
        """Add a job (its name and ticket, from the portal's form strings) to the draft."""
        self.ensure_one()
        self._check_portal_draft()
        name = (name or "").strip()
        if not name:
            raise UserError(self.env._('Give the job a name, e.g. "Flyer A5".'))
        if len(name) > 200:
            raise UserError(self.env._("The job's name is too long: at most 200 characters."))
        max_jobs = self.company_id.sudo().print_order_max_jobs or 100
        if len(self.job_ids) >= max_jobs:
            raise UserError(
                self.env._(
                    "This order already holds %(max)s jobs, the most one order may hold. "
                    "Send this order, then place another order for the other jobs.",
                    max=max_jobs,
                )
            )
        Job = self.env["print.job"].sudo()
        draft_job = Job.new({"order_id": self.id, "name": name})
        values = draft_job._parse_ticket_values(raw_ticket)
        return Job.create(
            {
                "order_id": self.id,
                "name": name,
                "sequence": len(self.job_ids) + 1,
                **values,
            }
        )

    def _keep_portal_form_draft(self, values, refused=()):
        """Keep what the customer typed on the order page and has not sent (``values``: the
        form's fields by name, see ``lib/portal_form_draft.py``) and the files their post
        refused (``refused``: ``[{"job": name, "file": name, "message": why}]``), for the
        page to show them again; empty ``values`` and ``refused`` forget them.  Return
        whether the typed values changed.  Call in sudo, under the order's row lock, in the
        transaction of what the post did (the portal's form route)."""
        self.ensure_one()
        values = dict(values) or False
        refused = list(refused) or False
        changed = (self.portal_form_draft or False) != values
        if changed or (self.portal_refused_files or False) != refused:
            self.write({"portal_form_draft": values, "portal_refused_files": refused})
        return changed

    def _get_portal_responsible(self):
        """The operator who gets a newly submitted portal order: the shop's setting, else the
        next operator after the one who got the last portal order (round robin)."""
        self.ensure_one()
        if self.company_id.print_portal_user_id:
            return self.company_id.print_portal_user_id
        operators = (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("share", "=", False),
                    ("company_ids", "in", self.company_id.id),
                    (
                        "groups_id",
                        "in",
                        self.env.ref("print_change_request.group_print_operator").id,
                    ),
                ],
                order="id",
            )
        )
        if not operators:
            return self.env["res.users"]
        last = self.sudo().search(
            [
                ("company_id", "=", self.company_id.id),
                ("portal_submitted", "=", True),
                ("id", "!=", self.id),
                ("user_id", "in", operators.ids),
            ],
            order="date_submitted desc, id desc",
            limit=1,
        )
        if not last:
            return operators[0]
        following = operators.filtered(lambda user: user.id > last.user_id.id)
        return following[:1] or operators[0]

    def _submit_portal_draft(self, author=None, message=None):
        """Submit the customer's draft: it becomes a New order submitted now, with its
        responsible, an activity for them, the customer's ``message`` on the chatter in their
        name and the shop's confirmation to the customer.
        A second submit (double click, replay) changes nothing and returns False.  Call under
        the order's row lock."""
        self.ensure_one()
        if not self.portal_draft:
            return False
        if not self.job_ids:
            raise UserError(
                self.env._("Order %(order)s has no job yet: add a job first.", order=self.name)
            )
        no_file = self.job_ids.filtered(lambda job: not job.attachment_ids)
        if no_file:
            raise UserError(
                self.env._(
                    "Add the files of %(jobs)s before you submit the order.",
                    jobs=", ".join(no_file.mapped("name")),
                )
            )
        order = self.sudo()
        responsible = order._get_portal_responsible()
        order.write(
            {
                "portal_draft": False,
                "portal_submitted": True,
                "date_submitted": fields.Datetime.now(),
                "user_id": responsible.id,
            }
        )
        # The customer's own words in their name; the confirmation in the shop's.
        order._post_customer_message(message, author=author or order.partner_id)
        order._send_print_confirmation("print_change_request.mail_template_order_submitted")
        if responsible:
            order.activity_schedule(
                "print_change_request.mail_activity_type_new_order",
                user_id=responsible.id,
                summary=self.env._("New order from the portal"),
                note=self.env._(
                    "%(customer)s submitted order %(order)s in the portal.",
                    customer=order.partner_id.display_name,
                    order=order.name,
                ),
            )
            order._notify_portal_responsible(responsible)
        return True

    def _is_paid_at_portal_submission(self):
        """Whether the customer is asked to pay the order right after submitting it in the
        portal: the shop's setting, and something to pay."""
        self.ensure_one()
        return (
            self.company_id.print_portal_pay_on_submit
            and self.currency_id.compare_amounts(self._get_amount_due(), 0.0) > 0
        )

    def _get_payments_under_way(self):
        """The customer's payments of the order under way (``payment_attempts.is_under_way``:
        pending at the provider, or started a moment ago in another tab), newest last: while
        there is one, the order's page offers no payment form and its transaction route
        refuses another payment."""
        self.ensure_one()
        now = fields.Datetime.now()
        return (
            self.sudo()
            .transaction_ids.filtered(
                lambda tx: (
                    tx.operation not in ("refund", "validation")
                    and tx.amount > 0
                    and payment_attempts.is_under_way(tx.state, tx.create_date, now)
                )
            )
            .sorted("id")
        )

    def _get_payment_under_way_message(self):
        """What a customer who starts a payment while one is under way reads."""
        self.ensure_one()
        return self.env._(
            "A payment of order %(order)s is already under way: its page shows it as paid once "
            "the payment is confirmed. Reload the page in a moment.",
            order=self.name,
        )

    def _notify_portal_responsible(self, responsible):
        """Tell the responsible at once, in their open Odoo (a notification through the bus),
        that a customer submitted this order; the activity stays as their to-do."""
        self.ensure_one()
        responsible.sudo()._bus_send(
            "simple_notification",
            {
                "type": "info",
                "sticky": False,
                "title": self.env._("New print order"),
                "message": self.env._(
                    "%(customer)s submitted order %(order)s in the portal.",
                    customer=self.partner_id.display_name,
                    order=self.name,
                ),
            },
        )
