from markupsafe import Markup, escape

from odoo import api, fields, models

from ..lib import communication_state as cs
from ..lib import preflight

#: The customer's status e-mail of each state an order reaches (the shop edits them in
#: Settings > Technical > Email Templates, "Print Shop: order ...").
STATUS_TEMPLATES = {
    cs.ACCEPTED: "print_change_request.mail_template_order_accepted",
    cs.DISPATCHED: "print_change_request.mail_template_order_dispatched",
    cs.FINALIZED: "print_change_request.mail_template_order_finalized",
}
#: Once the order is in one of these states, its "New order from the portal" to-do is done.
NEW_ORDER_DONE_STATES = (cs.ACCEPTED, cs.DISPATCHED, cs.FINALIZED, cs.CANCELED)
NEW_ORDER_ACTIVITY = "print_change_request.mail_activity_type_new_order"
#: Written by the addon's methods only (the file-errors dialog's OK).
STATUS_PROTECTED_FIELDS = frozenset({"error_file_confirmed_ids"})


class PrintOrder(models.Model):
    """How the order goes, as the customer hears of it (status e-mails, the page's status
    line, the hold on their card released) and as the operator is warned of it (files with
    errors before Accept and before going on without the customer); the "New order from
    the portal" to-do done once the order goes on."""

    _inherit = "print.order"  # pylint: disable=consider-merging-classes-inherited

    error_file_confirmed_ids = fields.Many2many(
        comodel_name="ir.attachment",
        relation="print_order_error_file_confirmed_rel",
        column1="order_id",
        column2="attachment_id",
        string="Files with errors gone ahead with",
        readonly=True,
        copy=False,
        help="Files in which the preflight found errors, that an operator confirmed going "
        "ahead with (the dialog before Accept or before going on without the customer).",
    )

    @property
    def _protected_fields(self):
        return super()._protected_fields | STATUS_PROTECTED_FIELDS

    # ------------------------------------------------------------
    # The order reached a state (print.job._move_to)
    # ------------------------------------------------------------

    def _print_jobs_moved(self, target, previous):
        """Jobs of these orders moved to ``target``; ``previous`` maps the orders' ids to
        their states before.  Orders that reached ``target`` now: the new-order to-do is
        done, the customer is told."""
        reached = self.filtered(
            lambda order: order.communication_state == target and previous.get(order.id) != target
        )
        if target in NEW_ORDER_DONE_STATES:
            reached._close_new_order_activities()
        if target in STATUS_TEMPLATES:
            reached._send_status_mail(target)

    def _close_new_order_activities(self):
        """Mark done the "New order from the portal" to-dos of the orders."""
        if not self:
            return
        self.sudo().activity_feedback(
            [NEW_ORDER_ACTIVITY],
            feedback=self.env._("Done: %s went on with the order.", self.env.user.name),
        )

    def _send_status_mail(self, state):
        """E-mail the customers that their orders are now ``state`` (accepted, dispatched,
        finalized), from the shop, through the state's template; unless their company turned
        status e-mails off or the template is archived."""
        xmlid = STATUS_TEMPLATES[state]
        template = self.env.ref(xmlid, raise_if_not_found=False)
        if not template or not template.sudo().active:
            return self.env["mail.message"]
        orders = self.filtered(
            lambda order: order.sudo().company_id.print_status_mail and order.partner_id
        )
        return orders._send_print_confirmation(xmlid)

    # ------------------------------------------------------------
    # The hold on the customer's card
    # ------------------------------------------------------------

    def _get_released_holds(self):
        """What the last request for change did to the customer's authorized payments:
        ``{"released": payments voided, "releasing": payments being released}``."""
        self.ensure_one()
        return self.sudo().last_change_request_id._get_released_holds()

    # ------------------------------------------------------------
    # Files with errors: warn before going ahead
    # ------------------------------------------------------------

    def _get_error_findings(self):
        """The preflight's errors in files of the orders' live jobs that no operator has
        confirmed going ahead with yet."""
        findings = self.sudo()._get_live_jobs().preflight_finding_ids
        return findings.filtered(
            lambda finding: (
                finding.severity == preflight.ERROR
                and finding.attachment_id
                and finding.attachment_id not in finding.job_id.order_id.error_file_confirmed_ids
            )
        )

    def _get_error_files_action(self, step, continue_wizard=None):
        """The dialog naming the files with errors, to confirm before ``step`` ("accept" or
        "continue": going on without the customer); False when there is none.
        ``continue_wizard``: the "do not wait" dialog to go on with once confirmed."""
        findings = self._get_error_findings()
        if not findings:
            return False
        return self.env["print.order.file.error.wizard"]._open_for(
            self, findings, step, continue_wizard
        )

    def _confirm_error_files(self, attachments):
        """The operator goes ahead with ``attachments`` although the preflight found errors
        in them: remembered on each order (not asked again) and written in its chatter."""
        for order in self:
            findings = order._get_error_findings().filtered(
                lambda finding: finding.attachment_id in attachments
            )
            if not findings:
                continue
            order.sudo().error_file_confirmed_ids = [
                fields.Command.link(attachment.id) for attachment in findings.attachment_id
            ]
            order.message_post(
                body=Markup("<p>%s</p><ul>%s</ul>")
                % (
                    self.env._(
                        "%(user)s went ahead although the preflight found errors in these files:",
                        user=self.env.user.name,
                    ),
                    Markup().join(
                        Markup("<li>%s</li>") % escape(line)
                        for line in self._get_error_file_lines(findings)
                    ),
                ),
                author_id=self.env.user.partner_id.id,
            )

    @api.model
    def _get_error_file_lines(self, findings):
        """One line per file of ``findings``: "Job / file.pdf: what the preflight found"."""
        lines = {}
        for finding in findings:
            key = (finding.job_id, finding.attachment_id)
            lines.setdefault(key, []).append(finding.message)
        return [
            self.env._(
                "%(job)s / %(file)s: %(errors)s",
                job=job.name,
                file=attachment.name,
                errors=" ".join(messages),
            )
            for (job, attachment), messages in lines.items()
        ]
