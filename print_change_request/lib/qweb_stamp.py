"""Which QWeb templates may be stamped (rendered once with stand-ins, then filled in per
job or file: ``controllers/portal_display.py``): plain lxml, no ORM."""

import re

from lxml import etree

#: QWeb directives that print their expression whole: a stamp's value may be their whole
#: expression (``t-out="name"``), ``t-att-*`` too, and a ``#{name}`` of ``t-attf-*``.
_PRINTING = ("t-out", "t-esc", "t-raw")
_FORMAT_PART = re.compile(r"#\{(.*?)\}|\{\{(.*?)\}\}")


def find_stamp_misuses(element, names, get_template=None):
    """Where the QWeb template ``element`` (an lxml element) does anything with one of
    ``names`` but print it whole: a stamp renders such a value once as a stand-in, so that
    ``t-if="name"``, ``t-att-class="'a' if name else 'b'"``, ``name.upper()`` or a value in
    a ``<script>`` would silently show the stand-in's branch or text for every job.  Returns
    ``[(directive, expression)]``; empty when the template may be stamped.  The templates
    it calls (``t-call``) are read too, through ``get_template(name) -> element``."""
    words = {name: re.compile(rf"\b{re.escape(name)}\b") for name in names}

    def mentions(expression):
        return any(word.search(expression or "") for word in words.values())

    misuses = []
    for node in element.iter(etree.Element):
        in_script = any(
            parent.tag in ("script", "style") for parent in (node, *node.iterancestors())
        )
        for attribute, expression in node.attrib.items():
            if not attribute.startswith("t-") or not mentions(expression):
                continue
            bare = expression.strip() in names and not in_script
            if attribute in _PRINTING or attribute.startswith("t-att-"):
                if not bare:
                    misuses.append((attribute, expression))
            elif attribute.startswith("t-attf-"):
                parts = [a or b for a, b in _FORMAT_PART.findall(expression)]
                if in_script or any(
                    mentions(part) and part.strip() not in names for part in parts
                ):
                    misuses.append((attribute, expression))
            else:  # t-if, t-elif, t-foreach, t-set, t-value, t-att, t-call, t-options...
                misuses.append((attribute, expression))
        if node.get("t-call") and get_template and "{" not in node.get("t-call"):
            misuses += find_stamp_misuses(get_template(node.get("t-call")), names, get_template)
    return misuses
