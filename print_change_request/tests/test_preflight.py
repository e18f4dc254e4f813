"""The preflight checks alone, without a database: each sample file gives exactly its
finding and nothing else."""

from odoo.tests import BaseCase, tagged

from ..lib import preflight
from ..lib.preflight import PrintSpec, apply_ticket, check_file, scan_file_isolated
from . import preflight_samples as samples


def check_file_isolated(name, data, ticket, **limits):
    """The check as Odoo runs it: the file read in a child process, judged by the ticket."""
    return apply_ticket(scan_file_isolated(name, data, **limits), ticket)


A4 = PrintSpec(width_mm=210, height_mm=297)
A4_BW = PrintSpec(width_mm=210, height_mm=297, color_mode="bw")
ANY_SIZE = PrintSpec()


@tagged("post_install", "-at_install")
class TestPreflight(BaseCase):
    def assertFinds(self, report, code, key=None):
        self.assertEqual(report.codes, [code], [f.message for f in report.findings])
        finding = report.findings[0]
        self.assertEqual(finding.severity, preflight.SEVERITIES[code])
        if key:
            self.assertEqual(finding.key, key)
        return finding

    def test_01_a_clean_pdf_gives_nothing_and_tells_its_pages(self):
        report = check_file("flyer.pdf", samples.clean_pdf(pages=3), A4)
        self.assertEqual(report.findings, [])
        self.assertEqual(report.state, "ok")
        self.assertEqual((report.kind, report.page_count), ("pdf", 3))
        self.assertEqual((report.page_width_mm, report.page_height_mm), (210.0, 297.0))
        self.assertFalse(report.is_color)

    def test_02_password_protected_pdf_is_an_error(self):
        finding = self.assertFinds(
            check_file("a.pdf", samples.encrypted_pdf("secret"), A4),
            "encrypted",
            "encrypted_password",
        )
        self.assertEqual(finding.reason, "protected_pdf")
        self.assertIn("password", finding.message)

    def test_03_pdf_that_forbids_printing_is_an_error(self):
        self.assertFinds(
            check_file("a.pdf", samples.encrypted_pdf("", can_print=0), A4),
            "encrypted",
            "encrypted_no_print",
        )

    def test_04_encrypted_pdf_that_opens_and_prints_is_checked_as_usual(self):
        report = check_file("a.pdf", samples.encrypted_pdf("", can_print=1), A4)
        self.assertEqual(report.findings, [])
        self.assertEqual(report.page_count, 1)

    def test_05_damaged_pdf(self):
        finding = self.assertFinds(
            check_file("a.pdf", samples.damaged_pdf(), A4), "damaged", "damaged_unreadable"
        )
        self.assertEqual(finding.reason, "damaged")

    def test_06_truncated_pdf_and_images(self):
        self.assertFinds(
            check_file("a.pdf", samples.truncated_pdf(), A4), "damaged", "damaged_truncated"
        )
        jpeg = samples.image((400, 400), "RGB", fmt="JPEG")
        self.assertFinds(
            check_file("a.jpg", jpeg[: len(jpeg) // 2], ANY_SIZE), "damaged", "damaged_truncated"
        )
        png = samples.image((400, 400), fmt="PNG")
        self.assertFinds(
            check_file("a.png", png[: len(png) // 2], ANY_SIZE), "damaged", "damaged_truncated"
        )

    def test_07_a_file_that_is_not_what_its_name_says(self):
        finding = self.assertFinds(
            check_file("poster.pdf", samples.image(), A4), "damaged", "damaged_type"
        )
        self.assertIn("poster.pdf is not a PDF file", finding.message)
        self.assertFinds(check_file("empty.pdf", b"", A4), "damaged", "damaged_type")

    def test_08_a_decompression_bomb_is_refused_not_inflated(self):
        self.assertFinds(
            check_file("bomb.pdf", samples.bomb_pdf(200), A4), "damaged", "damaged_limits"
        )

    def test_21_an_image_announcing_billions_of_pixels_is_refused_unread(self):
        self.assertFinds(
            check_file("bomb.png", samples.png_bomb(), ANY_SIZE), "damaged", "damaged_limits"
        )

    def test_09_fonts_not_embedded_are_named(self):
        finding = self.assertFinds(
            check_file("a.pdf", samples.fonts_pdf(("Helvetica", "Times-Roman")), A4),
            "fonts_not_embedded",
        )
        self.assertIn("Helvetica, Times-Roman", finding.message)
        self.assertEqual(finding.reason, "missing_fonts")

    def test_10_a3_pages_for_an_a4_ticket(self):
        finding = self.assertFinds(check_file("a.pdf", samples.a3_pdf(), A4), "page_size")
        self.assertIn("297 x 420 mm", finding.message)
        self.assertIn("210 x 297 mm", finding.message)
        self.assertEqual(finding.reason, "page_size")

    def test_11_page_size_accepts_bleed_and_landscape_but_not_mixed_sizes(self):
        bleed = samples.clean_pdf(((210 + 6) * samples.MM, (297 + 6) * samples.MM))
        self.assertEqual(check_file("a.pdf", bleed, A4).findings, [])
        landscape = samples.clean_pdf((297 * samples.MM, 210 * samples.MM))
        self.assertEqual(check_file("a.pdf", landscape, A4).findings, [])
        too_much = samples.clean_pdf(((210 + 20) * samples.MM, (297 + 20) * samples.MM))
        self.assertFinds(check_file("a.pdf", too_much, A4), "page_size", "page_size")
        self.assertEqual(check_file("a.pdf", samples.a3_pdf(), ANY_SIZE).findings, [])
        mixed = samples.mixed_sizes_pdf()
        finding = self.assertFinds(check_file("a.pdf", mixed, ANY_SIZE), "page_size")
        self.assertEqual(finding.key, "page_size_mixed")
        self.assertIn("1: 210 x 297 mm; 2-3: 297 x 420 mm", finding.message)

    def test_12_a_72_dpi_image_for_a4(self):
        for name, fmt in (("a.png", "PNG"), ("a.jpg", "JPEG"), ("a.tif", "TIFF")):
            finding = self.assertFinds(
                check_file(name, samples.image((595, 842), "L", fmt=fmt), A4),
                "low_resolution",
                "low_resolution_image",
            )
            self.assertEqual(finding.params["dpi"], 72, name)
        self.assertEqual(finding.reason, "low_resolution")
        sharp = samples.image((1252, 1772), "L")  # 151 dpi on A4
        self.assertEqual(check_file("a.png", sharp, A4).findings, [])
        shop_wants_300 = PrintSpec(width_mm=210, height_mm=297, min_dpi=300)
        self.assertFinds(check_file("a.png", sharp, shop_wants_300), "low_resolution")

    def test_13_a_low_resolution_image_placed_in_a_pdf(self):
        finding = self.assertFinds(
            check_file("a.pdf", samples.low_resolution_pdf(), A4),
            "low_resolution",
            "low_resolution_pdf",
        )
        self.assertEqual((finding.params["pages"], finding.params["dpi"]), ("1", 12))

    def test_14_rgb_image_in_a_color_job_cmyk_not(self):
        rgb = samples.image((300, 300), "RGB", fmt="JPEG")
        finding = self.assertFinds(check_file("a.jpg", rgb, ANY_SIZE), "color_space")
        self.assertEqual((finding.key, finding.severity), ("color_space_rgb", "info"))
        self.assertEqual(finding.reason, "color_space")
        cmyk = samples.image((300, 300), "CMYK", fmt="JPEG")
        report = check_file("a.jpg", cmyk, ANY_SIZE)
        self.assertEqual(report.findings, [])
        self.assertTrue(report.is_color)

    def test_15_color_content_in_a_black_and_white_job(self):
        bw = PrintSpec(color_mode="bw")
        for name, data in (
            ("a.jpg", samples.image((300, 300), "CMYK", fmt="JPEG")),
            ("a.png", samples.image((300, 300), "RGB")),
            ("a.pdf", samples.rgb_pdf()),
        ):
            self.assertFinds(check_file(name, data, bw), "color_space", "color_space_bw")
        grey_rgb = samples.image((300, 300), "RGB", color=(90, 90, 90), second=(160, 160, 160))
        self.assertEqual(check_file("a.png", grey_rgb, bw).findings, [], "RGB, but only greys")
        self.assertEqual(check_file("a.png", samples.image((300, 300), "L"), bw).findings, [])

    def test_16_rgb_colors_in_a_pdf(self):
        report = check_file("a.pdf", samples.rgb_pdf(), A4)
        self.assertFinds(report, "color_space", "color_space_rgb")
        self.assertTrue(report.is_color)

    def test_17_the_child_process_gives_the_same_report(self):
        data = samples.fonts_pdf()
        isolated = check_file_isolated("a.pdf", data, A4, cache=False)
        self.assertEqual(isolated.findings, check_file("a.pdf", data, A4).findings)
        self.assertFalse(isolated.timed_out)

    def test_18_a_hostile_file_neither_hangs_nor_eats_the_memory(self):
        slow = check_file_isolated("a.pdf", samples.clean_pdf(), A4, timeout=0.001, cache=False)
        self.assertTrue(slow.timed_out)
        self.assertEqual(slow.codes, ["damaged"])
        starved = check_file_isolated(
            "bomb.pdf", samples.bomb_pdf(60), A4, memory_mb=48, cache=False
        )
        self.assertEqual(starved.codes, ["damaged"])
        self.assertFalse(starved.timed_out)

    def test_20_loops_in_a_pdf_end(self):
        self.assertFinds(
            check_file("loop.pdf", samples.page_tree_loop_pdf(), A4),
            "damaged",
            "damaged_unreadable",
        )
        report = check_file("form.pdf", samples.self_drawing_form_pdf(), A4)
        self.assertEqual(report.findings, [], "drawn to a bounded depth, then given up")
        self.assertEqual(report.page_count, 1)
        self.assertFinds(
            check_file("forms.pdf", samples.self_drawing_form_pdf(draws=60), A4),
            "damaged",
            "damaged_limits",
        )

    def test_19_the_same_file_is_read_once_whatever_the_ticket(self):
        data = samples.clean_pdf(pages=2)
        before = len(preflight._CACHE)
        first = check_file_isolated("a.pdf", data, A4)
        second = check_file_isolated("b.pdf", data, A4)
        self.assertEqual(first, second)
        self.assertEqual(len(preflight._CACHE), before + 1)
        check_file_isolated("a.pdf", data, A4_BW)
        self.assertEqual(len(preflight._CACHE), before + 1, "another ticket judges the same scan")
