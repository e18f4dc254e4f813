"""Checks of uploads by content (type by signature, size, name), alone, without a database;
the file itself is read by the preflight (test_preflight*.py)."""

import io

from PIL import Image

from odoo.tests import BaseCase, tagged

from ..lib import preflight
from ..lib import upload_check as uc
from .portal_common import make_pdf


def _image(kind):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, kind)
    return buffer.getvalue()


@tagged("post_install", "-at_install")
class TestUploadCheck(BaseCase):
    def test_01_readable_pdf_and_images_pass(self):
        for name, data in (
            ("a.pdf", make_pdf()),
            ("a.png", _image("PNG")),
            ("a.jpg", _image("JPEG")),
            ("a.tif", _image("TIFF")),
        ):
            with self.subTest(name=name):
                self.assertEqual(uc.check_upload(name, data), [])

    def test_02_type_is_judged_by_content_not_name(self):
        problems = uc.check_upload("poster.pdf", b"hello, I am text")
        self.assertEqual([p.code for p in problems], [uc.TYPE_NOT_ALLOWED])
        self.assertEqual(problems[0].params["allowed"], "PDF, PNG, JPEG, TIFF")
        self.assertEqual(uc.check_upload("poster.txt", make_pdf()), [])
        problems = uc.check_upload("logo.png", _image("PNG"), allowed_types=("pdf",))
        self.assertEqual([p.code for p in problems], [uc.TYPE_NOT_ALLOWED])

    def test_04_empty_and_too_large(self):
        self.assertEqual(uc.check_upload("e.pdf", b""), [uc.Problem(uc.EMPTY, "e.pdf")])
        pdf = make_pdf()
        self.assertEqual(
            uc.check_upload("big.pdf", pdf, max_size=10),
            [uc.Problem(uc.TOO_LARGE, "big.pdf", {"size": len(pdf), "max_size": 10})],
        )
        self.assertEqual(uc.check_upload("ok.pdf", pdf, max_size=len(pdf)), [])

    def test_05_names_are_cleaned(self):
        self.assertEqual(uc.clean_filename("../../etc/pa\x00ss\x07wd"), "passwd")
        self.assertEqual(uc.clean_filename("C:\\Users\\me\\flyer.pdf"), "flyer.pdf")
        self.assertEqual(uc.clean_filename("  ..  "), "file")
        long_name = uc.clean_filename("a" * 500 + ".pdf")
        self.assertEqual(len(long_name), uc.MAX_NAME_LENGTH)
        self.assertTrue(long_name.endswith(".pdf"))

    def test_06_shop_setting_parsing(self):
        self.assertEqual(uc.parse_types("PDF; tiff, exe"), ("pdf", "tiff"))
        self.assertEqual(uc.parse_types(""), ())

    def test_07_upload_and_preflight_read_a_file_alike(self):
        """One rule of what a file is: the upload's type is the preflight's (a PDF whose header
        follows a few bytes, as Acrobat reads it, and a BigTIFF were refused at upload while
        the preflight read them)."""
        samples = {
            "pdf": make_pdf(),
            "pdf after junk": b"\r\n\r\n" + make_pdf(),
            "png": _image("PNG"),
            "jpeg": _image("JPEG"),
            "tiff": _image("TIFF"),
            "bigtiff": b"II+\x00" + b"\x00" * 64,
            "zip": b"PK\x03\x04" + b"\x00" * 64,
            "text": b"hello, print shop",
        }
        for label, data in samples.items():
            with self.subTest(label):
                kind = preflight.sniff(data)
                if kind:
                    self.assertEqual(uc.sniff_mimetype(data), uc.FILE_TYPES[kind][1])
                    self.assertEqual(uc.check_upload("file", data), [])
                else:
                    self.assertEqual(uc.check_upload("file", data)[0].code, uc.TYPE_NOT_ALLOWED)
        self.assertEqual(preflight.sniff(samples["bigtiff"]), preflight.TIFF)
        self.assertEqual(preflight.sniff(samples["pdf after junk"]), preflight.PDF)
