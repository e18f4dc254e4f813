"""The order page's stamped blocks (rendered once with stand-ins, filled in per job or file)
may only print their values: a template that tests or computes with one is refused, since
the stand-in would decide its branch for every job (``lib/qweb_stamp.py``)."""

from lxml import etree

from odoo.exceptions import ValidationError
from odoo.tests import BaseCase, TransactionCase, tagged

from ..lib.qweb_stamp import find_stamp_misuses

#: The templates the order page stamps, with the values each is stamped with
#: (controllers/portal_display.py).
STAMPED = {
    "print_change_request.portal_print_order_form_file": (
        "job_id",
        "attachment_id",
        "attachment_name",
        "notes",
    ),
    "print_change_request.portal_print_file_change_item": (
        "job_name",
        "file_name",
        "new_name",
        "reason_name",
        "description_html",
        "how_to_html",
        "note_html",
    ),
    "print_change_request.portal_print_job_file_link": ("attachment_id", "attachment_name"),
    "print_change_request.portal_print_order_form_ticket": (
        "job_id",
        "product_options",
        "color_options",
        "sides_options",
        "finishing_options",
        "copies",
        "ticket_note",
        "price_quote",
    ),
}


def _misuses(arch, names=("name",), called=None):
    called = {key: etree.fromstring(value) for key, value in (called or {}).items()}
    return find_stamp_misuses(etree.fromstring(arch), set(names), called.get)


@tagged("post_install", "-at_install")
class TestStampRules(BaseCase):
    def test_01_printing_whole_is_allowed(self):
        self.assertEqual(
            _misuses(
                '<div t-att-data-id="name" t-attf-href="/a/#{name}/b{{ name }}">'
                '<t t-out="name"/><span t-esc=" name "/><t t-if="other">x</t>'
                '<i t-attf-class="a #{other}"/></div>'
            ),
            [],
        )

    def test_02_testing_or_computing_is_refused(self):
        for arch in (
            '<div t-if="name">x</div>',
            '<div><t t-if="a"/><t t-elif="not name"/></div>',
            '<div t-foreach="name" t-as="x"/>',
            '<div><t t-set="x" t-value="name"/></div>',
            "<div t-att-class=\"'a' if name else 'b'\"/>",
            '<div t-attf-class="a #{name.upper()}"/>',
            '<div t-out="name + 1"/>',
            "<div t-att=\"{'id': name}\"/>",
            '<div><script t-out="name"/></div>',
            '<div><script><t t-out="name"/></script></div>',
            '<div><script t-attf-data-x="#{name}"/></div>',
        ):
            with self.subTest(arch):
                self.assertTrue(_misuses(arch))

    def test_03_called_templates_are_read(self):
        called = {"x.called": '<t><b t-if="name">shown for every job</b></t>'}
        self.assertEqual(
            _misuses('<div><t t-call="x.called"/></div>', called=called),
            [("t-if", "name")],
        )
        self.assertEqual(
            _misuses('<div><t t-call="x.called"/></div>', names=("other",), called=called), []
        )


@tagged("post_install", "-at_install")
class TestStampedTemplates(TransactionCase):
    def test_01_the_order_pages_stamped_blocks_only_print_their_values(self):
        qweb = self.env["ir.qweb"]
        for template, names in STAMPED.items():
            with self.subTest(template):
                self.assertEqual(qweb._print_stamp_misuses(template, tuple(sorted(names))), ())
                qweb._print_check_stamp(template, tuple(sorted(names)))

    def test_02_a_template_changed_to_test_a_value_is_refused(self):
        """A view inheriting a stamped block (a shop's customisation) that tests a stamped
        value is refused before it renders a wrong page."""
        template = "print_change_request.portal_print_job_file_link"
        names = tuple(sorted(STAMPED[template]))
        qweb = self.env["ir.qweb"]
        qweb._print_check_stamp(template, names)  # cached as allowed
        self.env["ir.ui.view"].create(
            {
                "name": "A shop's change: the file's name in bold when it is long",
                "type": "qweb",
                "inherit_id": self.env.ref(template).id,
                "arch": '<xpath expr="//a" position="after">'
                '<b t-if="len(attachment_name) &gt; 40">long name</b></xpath>',
            }
        )
        with self.assertRaisesRegex(ValidationError, "len\\(attachment_name\\)"):
            qweb._print_check_stamp(template, names)
