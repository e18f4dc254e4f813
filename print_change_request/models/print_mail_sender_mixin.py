from odoo import models
from odoo.exceptions import UserError


class PrintMailSenderMixin(models.AbstractModel):
    """Messages posted on print records by a user without an e-mail address go out with the
    company's address, so that an operator without one can still send a request for change."""

    _name = "print.mail.sender.mixin"
    _description = "The company's address as sender of print messages"

    def _message_compute_author(self, author_id=None, email_from=None, raise_on_email=True):
        author_id, email_from = super()._message_compute_author(
            author_id, email_from, raise_on_email=False
        )
        if not email_from:
            email_from = (self[:1].company_id or self.env.company).email_formatted
        if not email_from and raise_on_email and not self.env.su:
            self._check_print_sender()
        return author_id, email_from

    def _check_print_sender(self):
        """Refuse, before anything changes, to write to customers when neither the user nor
        the records' company has an e-mail address."""
        if self.env.user.email:
            return
        for company in self.company_id or self.env.company:
            if not company.email:
                raise UserError(
                    self.env._(
                        "Neither you nor the company %(company)s has an e-mail address, so "
                        "the customer cannot be written to. Add one in your preferences or "
                        "in the company's settings, then try again.",
                        company=company.name,
                    )
                )
