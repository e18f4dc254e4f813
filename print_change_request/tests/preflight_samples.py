"""Sample files for the preflight, made on the fly with reportlab and Pillow (both ship with
Odoo): one per finding, and a clean one.  Plain functions returning bytes, shared by the
tests and by ``tests/benchmark_preflight.py``."""

import io
import struct
import zlib

from PIL import Image
from reportlab.lib.pagesizes import A3, A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

MM = 72 / 25.4


def _canvas(pagesize=A4, **kwargs):
    buffer = io.BytesIO()
    return buffer, canvas.Canvas(buffer, pagesize=pagesize, pageCompression=1, **kwargs)


def _grey_box(pdf, pagesize):
    """A grey shape and no text: nothing to find."""
    pdf.setFillGray(0.5)
    pdf.rect(20 * MM, 20 * MM, pagesize[0] - 40 * MM, pagesize[1] - 40 * MM, fill=1, stroke=0)


def clean_pdf(pagesize=A4, pages=1):
    """Grey shapes only, on ``pages`` pages of ``pagesize``."""
    buffer, pdf = _canvas(pagesize)
    for _index in range(pages):
        _grey_box(pdf, pagesize)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def fonts_pdf(fonts=("Helvetica", "Times-Roman")):
    """Text in the standard fonts, which reportlab never embeds."""
    buffer, pdf = _canvas()
    for index, font in enumerate(fonts):
        pdf.setFont(font, 12)
        pdf.drawString(30 * MM, 250 * MM - index * 10 * MM, f"Set in {font}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def encrypted_pdf(user_password="secret", can_print=1):
    """Protected by a password, or (empty password) opened freely but not printable."""
    buffer, pdf = _canvas(
        encrypt=StandardEncryption(user_password, ownerPassword="owner", canPrint=can_print)
    )
    _grey_box(pdf, A4)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def a3_pdf(pages=2):
    return clean_pdf(A3, pages)


def a3_fonts_pdf():
    """An A3 page set in Helvetica (never embedded): two findings on A4 paper."""
    buffer, pdf = _canvas(A3)
    pdf.setFont("Helvetica", 12)
    pdf.drawString(30 * MM, 380 * MM, "Set in Helvetica")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def image(
    size=(595, 842), mode="L", dpi=72, fmt="PNG", color=(200, 40, 40), second=(30, 120, 220)
):
    """An image of ``size`` pixels: grey gradient (mode L), two colors (RGB) or CMYK."""
    if mode == "L":
        picture = Image.linear_gradient("L").resize(size)
    elif mode == "RGB":
        picture = Image.new("RGB", size, color)
        picture.paste(second, (0, 0, size[0] // 2, size[1]))
    else:
        picture = Image.new("CMYK", size, (0, 80, 200, 0))
    buffer = io.BytesIO()
    picture.save(buffer, fmt, dpi=(dpi, dpi))
    return buffer.getvalue()


def low_resolution_pdf():
    """A grey photo of 100 x 141 px placed over a whole A4 page: 12 dpi."""
    buffer, pdf = _canvas()
    picture = ImageReader(io.BytesIO(image((100, 141))))
    pdf.drawImage(picture, 0, 0, A4[0], A4[1])
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def rgb_pdf():
    """A red and blue (RGB) shape."""
    buffer, pdf = _canvas()
    pdf.setFillColorRGB(0.8, 0.1, 0.1)
    pdf.rect(20 * MM, 20 * MM, 100 * MM, 100 * MM, fill=1, stroke=0)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def raw_pdf(objects):
    """A PDF from the bodies of its objects (1, 2, ...): object 1 is the catalogue."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def bomb_pdf(expanded_mb=200):
    """One A4 page whose content stream is a few hundred kB that inflate to ``expanded_mb``
    MB of blanks: a decompression bomb."""
    compressor = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    stream = b"".join(compressor.compress(chunk) for _index in range(expanded_mb))
    stream += compressor.flush()
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Contents 4 0 R "
            b"/Resources << >> >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
            + stream
            + b"\nendstream",
        ]
    )


def damaged_pdf():
    """A PDF header, then noise."""
    return b"%PDF-1.4\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"


def truncated_pdf():
    """A clean PDF cut in the middle."""
    data = clean_pdf(pages=3)
    return data[: len(data) // 2]


def many_pages_pdf(pages=200):
    """``pages`` A4 pages of text (an embedded-free standard font) and a placed photo each,
    as a brochure would be: the benchmark's PDF."""
    buffer, pdf = _canvas()
    picture = ImageReader(io.BytesIO(image((1240, 877), mode="L", fmt="JPEG")))
    line = "The quick brown fox jumps over the lazy dog. " * 2
    for page in range(pages):
        pdf.setFont("Helvetica", 9)
        for index in range(60):
            pdf.drawString(15 * MM, 285 * MM - index * 3.5 * MM, f"{page + 1}.{index} {line}")
        pdf.drawImage(picture, 15 * MM, 15 * MM, 180 * MM, 60 * MM)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def mixed_sizes_pdf():
    """Page 1 in A4, pages 2 and 3 in A3."""
    buffer, pdf = _canvas(A4)
    for size in (A4, A3, A3):
        pdf.setPageSize(size)
        _grey_box(pdf, size)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def page_tree_loop_pdf():
    """A page tree whose only kid is itself."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>",
        ]
    )


def self_drawing_form_pdf(draws=3):
    """One page drawing a form that draws itself ``draws`` times, forever."""
    content = b"/X Do " * draws
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Contents 4 0 R "
            b"/Resources << /XObject << /X 4 0 R >> >> >>",
            b"<< /Type /XObject /Subtype /Form /BBox [0 0 1 1] "
            b"/Resources << /XObject << /X 4 0 R >> >> /Length %d >>\nstream\n"
            % len(content)
            + content
            + b"\nendstream",
        ]
    )


def png_bomb(side=50_000):
    """A PNG header announcing ``side`` x ``side`` grey pixels (2.5 Gpx), and a few bytes."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def indexed_color_chain_pdf(operators=6_000_000, chain=4):
    """One A4 page whose Flate-compressed content (about 64 KB) sets a color ``operators``
    times (``sc`` and ``scn`` in turn) in a color space that is a chain of ``chain``
    /Indexed spaces over /DeviceRGB: the scan must stay linear in the content."""
    spaces = [b"/DeviceRGB"]
    for _index in range(chain):
        spaces.append(b"[/Indexed %s 1 <000000FFFFFF>]" % spaces[-1])
    unit = b"0 sc 1 scn "
    compressor = zlib.compressobj(9)
    body = b"/CS0 cs\n"
    stream = compressor.compress(body)
    units = operators // 2
    block = unit * 100_000
    for _index in range(units // 100_000):
        stream += compressor.compress(block)
    stream += compressor.compress(unit * (units % 100_000))
    stream += compressor.flush()
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Contents 4 0 R "
            b"/Resources << /ColorSpace << /CS0 %s >> >> >>" % spaces[-1],
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
            + stream
            + b"\nendstream",
        ]
    )
