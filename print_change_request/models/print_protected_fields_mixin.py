from odoo import api, models
from odoo.exceptions import AccessError


class PrintProtectedFieldsMixin(models.AbstractModel):
    """Fields users never write themselves, not even over RPC: money, states, links that
    decide what is paid.  Only the model's own methods write them, in sudo, after checking
    the user's rights.  Each model declares its fields; this one guard refuses them on
    ``create`` and ``write`` outside sudo.

    Two ways to declare them:

    - ``_protected_fields``: the fields users never give, at creation or later;
    - ``_user_writable_fields``: for records that only the addon creates, the few fields
      users may write (every other field is protected, and users create none).

    A file that adds fields to a model extends the set with a property calling ``super()``,
    as ``res.users`` does with ``SELF_WRITEABLE_FIELDS``."""

    _name = "print.protected.fields.mixin"
    _description = "Print Shop: fields written only by the addon's methods"

    #: The fields users never write, at creation or later.
    _protected_fields = frozenset()
    #: When set, the only fields users may write; users then create no record.
    _user_writable_fields = None

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                self._check_protected_fields(vals, create=True)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._check_protected_fields(vals)
        return super().write(vals)

    def _check_protected_fields(self, vals, create=False):
        """Refuse (:class:`AccessError`) a user's ``vals`` that write protected fields, or a
        user's creation of a record only the addon creates."""
        names = self._get_protected_fields_written(vals, create=create)
        if names or (create and self._user_writable_fields is not None):
            raise AccessError(self._get_protected_fields_message(names, create=create))

    def _get_protected_fields_written(self, vals, create=False):
        """The fields of ``vals`` the user may not write (give, when ``create``)."""
        if self._user_writable_fields is not None:
            return set(vals) - self._user_writable_fields
        return set(self._protected_fields.intersection(vals))

    def _get_protected_fields_message(self, names, create=False):
        """What the user reads when refused ``names`` (field names)."""
        return self.env._(
            "%(fields)s of %(model)s cannot be written: they change only through its buttons.",
            fields=self._get_field_labels(names),
            model=self._description,
        )

    def _get_field_labels(self, names):
        return ", ".join(
            sorted(self._fields[name]._description_string(self.env) for name in names)
        )
