from odoo import models
from odoo.tools.mail import is_html_empty

#: Context key: a composer posting one record's template renders the body into the message
#: only, not into its own (stored) body first.
RENDER_BODY_AT_SEND = "print_render_body_at_send"


class MailComposeMessage(models.TransientModel):
    """The body of a template posted on one record, rendered once, straight into the message.

    Posting a mail template on a record (``message_post_with_source``) makes a composer,
    which renders the template's body into its own HTML field, then posts that body.  The
    composer's field sanitizes the rendered body when it is set and again when the composer
    is saved at the end of the request, then the message sanitizes it twice more (its
    column and its cache), and the e-mail of a request for change lists every job.  Under
    the context key
    :data:`RENDER_BODY_AT_SEND` (the addon's customer e-mails) the composer leaves its body
    empty and the body is rendered, as the composer renders it, into the values it posts:
    the message sanitizes its body as always, the composer no longer does."""

    _inherit = "mail.compose.message"

    def _render_body_at_send(self):
        """The composers of ``self`` whose template body is rendered at send time."""
        if not self.env.context.get(RENDER_BODY_AT_SEND):
            return self.browse()
        return self.filtered(
            lambda composer: (
                composer.template_id
                and composer.composition_mode == "comment"
                and not composer.composition_batch
            )
        )

    def _compute_body(self):
        deferred = self._render_body_at_send()
        for composer in deferred:
            composer.body = False
        return super(MailComposeMessage, self - deferred)._compute_body()

    def _prepare_mail_values_rendered(self, res_ids):
        values = super()._prepare_mail_values_rendered(res_ids)
        if not self._render_body_at_send() or self.body:
            return values
        # As the composer's body is computed from its template (sudo, as stored fields
        # compute): _set_value_from_template in monorecord comment mode.
        template = self.sudo().template_id
        if is_html_empty(template.body_html):
            return values
        bodies = template._generate_template(res_ids, {"body_html"})
        for res_id in res_ids:
            values[res_id]["body"] = bodies[res_id]["body_html"] or ""
        return values
