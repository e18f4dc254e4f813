from markupsafe import Markup, escape

from odoo import api, fields, models

from ..lib import refund_planning


class PrintOrder(models.Model):
    """The customer and the shop talk on the order: the customer's own words are posted in
    their name, the shop's confirmations in the shop's (the order's responsible, or the
    company) and to the customer only, all on the order's chatter the portal shows.  And
    "I do not wait for the response of the customer." as the customer and the money see it."""

    _inherit = "print.order"  # pylint: disable=consider-merging-classes-inherited

    date_customer_wait_skipped = fields.Datetime(
        string="Went ahead without the customer on",
        readonly=True,
        copy=False,
        help='When the operator chose "I do not wait for the response of the customer.": '
        "the order went ahead as it was.",
    )

    mail_refund_id = fields.Many2one(
        comodel_name="print.refund",
        string="Refund to e-mail",
        compute="_compute_mail_refund_id",
        help="Technical: the refund the refund e-mail speaks of.",
    )
    mail_transaction_id = fields.Many2one(
        comodel_name="payment.transaction",
        string="Payment to e-mail",
        compute="_compute_mail_transaction_id",
        help="Technical: the payment the payment e-mail speaks of.",
    )

    @api.depends("refund_ids.state")
    @api.depends_context("print_refund_id")
    def _compute_mail_refund_id(self):
        refund_id = self.env.context.get("print_refund_id")
        for order in self:
            refunds = order.sudo().refund_ids
            order.mail_refund_id = (
                refunds.filtered(lambda refund: refund.id == refund_id)
                or (
                    refunds.filtered(lambda refund: refund.state == "done").sorted("date_done")[
                        -1:
                    ]
                )
            )

    @api.depends("transaction_ids.state")
    @api.depends_context("print_transaction_id")
    def _compute_mail_transaction_id(self):
        tx_id = self.env.context.get("print_transaction_id")
        for order in self:
            txs = order.sudo().transaction_ids
            order.mail_transaction_id = (
                txs.filtered(lambda tx: tx.id == tx_id)
                or (
                    txs.filtered(
                        lambda tx: tx.state == "done" and tx.operation != "refund"
                    ).sorted("id")[-1:]
                )
            )

    # ------------------------------------------------------------
    # Who speaks, to whom
    # ------------------------------------------------------------

    def _get_print_shop_author(self):
        """The shop as the author of what it tells the customer: the order's responsible,
        else the company."""
        self.ensure_one()
        return self.sudo().user_id.partner_id or self.sudo().company_id.partner_id

    def _get_print_system_author(self):
        """The author of the notes the addon writes by itself on the shop's side (summaries
        of what the customer did): the company, never the customer."""
        self.ensure_one()
        return self.sudo().company_id.partner_id

    def _get_print_mail_authorship(self, template, author):
        """``author_id`` and ``email_from`` of a message made from ``template``: the composer
        takes neither from the template once the author is given, so the sender the shop
        set on the template is rendered here."""
        self.ensure_one()
        email_from = template.sudo()._render_field("email_from", self.ids)[self.id]
        return {"author_id": author.id, "email_from": email_from or False}

    def _notify_get_recipients(self, message, msg_vals=False, **kwargs):
        """With ``print_notify_customer_only`` in the context, a message to the customer goes
        to the customer only, not to the order's followers (the shop)."""
        recipients = super()._notify_get_recipients(message, msg_vals, **kwargs)
        if self.env.context.get("print_notify_customer_only"):
            customers = set(self.partner_id.ids)
            return [recipient for recipient in recipients if recipient["id"] in customers]
        if len(self) == 1:
            recipients += self._get_responsible_recipient_data(message, msg_vals, recipients)
        return recipients

    def _get_responsible_recipient_data(self, message, msg_vals, recipients):
        """A customer's message (a comment by someone outside the shop: in the portal's
        chatter, by e-mail) reaches the order's responsible even when they do not follow
        the order."""
        responsible = self.sudo().user_id.partner_id
        values = msg_vals or {}
        message = message.sudo()
        subtype_id = values.get("subtype_id") or message.subtype_id.id
        author = (
            self.env["res.partner"].sudo().browse(values.get("author_id") or message.author_id.id)
        )
        if (
            not responsible
            or subtype_id != self.env.ref("mail.mt_comment").id
            or not author
            or not author.partner_share
            or responsible.id in {recipient["id"] for recipient in recipients}
        ):
            return []
        data = self.env["mail.followers"]._get_recipient_data(
            self, values.get("message_type") or message.message_type, subtype_id, responsible.ids
        )[self.id]
        return [
            recipient
            for partner_id, recipient in data.items()
            if partner_id == responsible.id and recipient["active"] is not False
        ]

    def _send_print_confirmation(self, template_xmlid, request=None, render_context=None):
        """Post the mail template ``template_xmlid`` on the order's chatter (a comment the
        customer sees in the portal), by the shop, e-mailed to the customer only; the order
        as the message's document, so that the customer's reply comes back to its chatter.
        ``render_context``: context keys the template reads (``ctx``), e.g. the refund."""
        template = self.env.ref(template_xmlid)
        messages = self.env["mail.message"]
        for order in self.sudo():
            # The customer is notified even when they caused the message (a portal submit:
            # the current user is theirs), and only them.
            context = {
                "print_notify_customer_only": True,
                "mail_notify_author": True,
                **(render_context or {}),
            }
            if request:
                context["print_change_request_id"] = request.id
            order = order.with_context(**context)
            order._portal_ensure_token()
            messages |= order.message_post_with_source(
                template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                **order._get_print_mail_authorship(template, order._get_print_shop_author()),
                partner_ids=order.partner_id.ids,
            )
        return messages

    def _post_customer_message(self, text, author=None):
        """Post ``text``, which the customer wrote, on the order's chatter in their name (a
        comment the portal shows), notifying the order's responsible."""
        self.ensure_one()
        text = (text or "").strip()
        if not text:
            return self.env["mail.message"]
        order = self.sudo()
        author = author or order.partner_id
        body = Markup("<p>%s</p>") % Markup("<br/>").join(escape(text).split("\n"))
        return order.message_post(
            body=body,
            author_id=author.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=order.user_id.partner_id.ids,
        )

    # ------------------------------------------------------------
    # "I do not wait for the response of the customer."
    # ------------------------------------------------------------

    @api.model
    def _split_refunds_going_ahead(self, refunds):
        """``(to cancel, staying)`` of ``refunds`` when an order goes ahead as it was: those
        not gone back to the customer that can still be called back (manual ones not paid
        out yet, failed ones) are canceled; those done or under way at the provider stay."""
        to_cancel = refunds.filtered(
            lambda refund: (
                refund_planning.allowed("cancel", refund.state, refund.method)
                and (refund.method == refund_planning.MANUAL or refund.state == "failed")
            )
        )
        staying = refunds.filtered(lambda refund: refund.state in ("draft", "pending", "done"))
        return to_cancel, staying - to_cancel

    def _get_not_waited_refunds(self):
        """The refunds to cancel of the requests not waited for."""
        refunds = self.change_request_ids.filtered(
            lambda request: request.state == "not_waited"
        ).refund_ids
        return self._split_refunds_going_ahead(refunds)[0]

    def _cancel_not_waited_refunds(self):
        """The order goes ahead as it was, so the customer keeps what they paid for it: the
        refunds not paid out yet are canceled (their accountant's to-do closed), under the
        money lock.  Call it after the requests are marked not waited for."""
        refunds = self.sudo().refund_ids
        if not refunds:
            return refunds
        refunds._lock_money(orders=self.sudo())
        refunds._check_credit_note_paid()  # a credit note paid meanwhile: that one is done
        to_cancel = self.sudo()._get_not_waited_refunds()
        posted = to_cancel.credit_note_id.filtered(
            lambda move: move.state == "posted" and move.payment_state == "not_paid"
        )
        if posted:
            posted.button_draft()
        to_cancel._set_canceled(
            self.env._(
                "%(user)s went ahead with the order as it was (I do not wait for the response "
                "of the customer.): the customer keeps their payment.",
                user=self.env.user.name,
            )
        )
        return to_cancel

    def _go_ahead_without_customer(self):
        """Record "I do not wait for the response of the customer." on orders waiting for
        the customer (the caller checked the operator and holds the orders' locks): the
        requests are not waited for any more, the portal no longer takes changes, the refunds
        not paid out are canceled, and the customer is told by the shop."""
        self.sudo().write(
            {"customer_wait_skipped": True, "date_customer_wait_skipped": fields.Datetime.now()}
        )
        requests = self.change_request_ids.filtered(lambda request: request.state == "waiting")
        requests._mark_not_waited()
        for order in self:
            canceled = order._cancel_not_waited_refunds()
            order.sudo().message_post(
                body=self.env._(
                    "I do not wait for the response of the customer. (%(user)s decided to go "
                    "on with the order as it was, without the customer's changes.)",
                    user=self.env.user.name,
                ),
                author_id=self.env.user.partner_id.id,
            )
            order._send_print_confirmation(
                "print_change_request.mail_template_went_ahead",
                request=(requests & order.change_request_ids)[:1] or None,
            )
            order.invalidate_recordset()
            if canceled:
                order.refund_ids.invalidate_recordset()
        return True

    def _get_went_ahead_values(self):
        """What the customer's page and e-mail say after the shop went ahead without their
        changes: the refunds canceled (the payment stays), those already sent or under way,
        and what is still to pay."""
        self.ensure_one()
        order = self.sudo()
        requests = order.change_request_ids.filtered(lambda r: r.state == "not_waited")
        refunds = requests.refund_ids
        return {
            "canceled_refunds": refunds.filtered(lambda refund: refund.state == "canceled"),
            "done_refunds": refunds.filtered(lambda refund: refund.state == "done"),
            "underway_refunds": refunds.filtered(
                lambda refund: refund.state in ("draft", "pending")
            ),
            "amount_due": order._get_amount_due(),
        }
