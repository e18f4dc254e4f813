from lxml import etree

from odoo import models, tools
from odoo.exceptions import ValidationError

from ..lib.qweb_stamp import find_stamp_misuses

#: Context key: compile the inline QWeb templates rendered under it once per source text.
CACHE_INLINE_TEMPLATES = "print_cache_inline_templates"


class IrQweb(models.AbstractModel):
    """Inline templates (a mail template's body) compiled once, not on every e-mail.

    Odoo compiles a view's QWeb once and caches it by the view, but compiles a mail
    template's body (an inline template, parsed from its text) again on each rendering:
    about a third of a request for change's e-mail.  Under the context key
    :data:`CACHE_INLINE_TEMPLATES` (the addon's customer e-mails) the compiled template is
    kept in Odoo's template cache, by its source text and the compile options (language,
    restricted mode...), as a view's is: an edited template is compiled anew."""

    _inherit = "ir.qweb"

    def _compile(self, template):
        if not (
            isinstance(template, etree._Element) and self.env.context.get(CACHE_INLINE_TEMPLATES)
        ):
            return super()._compile(template)
        # mail's restricted rendering checks the expressions while compiling: a template
        # compiled for an unrestricted rendering is not reused for a restricted one
        keys = [*self._get_template_cache_keys(), "raise_on_forbidden_code_for_model"]
        options = tuple(self.env.context.get(key) for key in keys)
        cache_key = ("print_inline_template", etree.tostring(template), options)
        return self._load_values(cache_key, lambda: super(IrQweb, self)._compile(template))

    @tools.ormcache("template", "names", cache="templates")
    def _print_stamp_misuses(self, template, names):
        """:func:`find_stamp_misuses` of the view ``template`` with its inheritance (kept
        until a view changes, as Odoo keeps the compiled templates)."""

        def get_template(name):
            return self._get_template(name)[0]

        return tuple(find_stamp_misuses(get_template(template), set(names), get_template))

    def _print_check_stamp(self, template, names):
        """Refuse to stamp ``template`` with ``names`` where it uses one of them otherwise
        than printing it whole (the stamp would show the stand-in's branch for every job)."""
        misuses = self._print_stamp_misuses(template, names)
        if misuses:
            raise ValidationError(
                self.env._(
                    "The template %(template)s cannot be rendered once for many jobs: it uses "
                    "%(uses)s. Print such values whole (t-out, t-att-*, #{...}) or pass the "
                    "value that shapes the block as a kind.",
                    template=template,
                    uses=", ".join(
                        f'{attribute}="{expression}"' for attribute, expression in misuses
                    ),
                )
            )
