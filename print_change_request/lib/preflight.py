"""Preflight: what a print shop checks in a customer's file before it prints it.

Plain Python, no ORM: the file's bytes and the job ticket in, a :class:`Report` out.

- :func:`check_file` checks in this process, with bounded parsing (pypdf's own limits on
  decompression, ours on the content scanned).  Fine for tests and trusted files.
- :func:`scan_file_isolated` reads the file in a child Python process with a memory,
  CPU and wall-clock limit, so a hostile file (a decompression bomb, a parser loop) can
  neither crash nor hang the caller: it becomes a ``damaged`` finding; :func:`apply_ticket`
  then judges the scan against the job ticket.  Odoo calls these.

Each finding has a severity, a stable code, a message a customer understands (English; the
Odoo side translates it from ``key`` and ``params``) and the catalogue reason it matches
(the xml id suffix of a ``print.change.reason``, e.g. ``"missing_fonts"``).

Run as a script, this module is the child process: it reads a JSON header line and the
file's bytes on stdin and prints the report as JSON.
"""

import ctypes
import ctypes.util
import hashlib
import io
import json
import logging
import math
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections import OrderedDict
from dataclasses import asdict, dataclass, field

import pypdf
from PIL import Image, ImageChops
from pypdf.errors import LimitReachedError

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITY_RANK = {ERROR: 3, WARNING: 2, INFO: 1}
#: The preflight state of a job (its files') and of an order (its jobs'), for Odoo's
#: ``fields.Selection``.
STATES = [
    ("ok", "Preflight OK"),
    ("warning", "Preflight warnings"),
    ("error", "Preflight errors"),
    ("pending", "Preflight pending"),
]

ENCRYPTED = "encrypted"
DAMAGED = "damaged"
FONTS_NOT_EMBEDDED = "fonts_not_embedded"
PAGE_SIZE = "page_size"
LOW_RESOLUTION = "low_resolution"
COLOR_SPACE = "color_space"

SEVERITIES = {
    ENCRYPTED: ERROR,
    DAMAGED: ERROR,
    FONTS_NOT_EMBEDDED: WARNING,
    PAGE_SIZE: WARNING,
    LOW_RESOLUTION: WARNING,
    COLOR_SPACE: INFO,
}
# The reason of the catalogue each finding matches (``print_change_request.reason_<x>``).
REASONS = {
    ENCRYPTED: "protected_pdf",
    DAMAGED: "damaged",
    FONTS_NOT_EMBEDDED: "missing_fonts",
    PAGE_SIZE: "page_size",
    LOW_RESOLUTION: "low_resolution",
    COLOR_SPACE: "color_space",
}

# The messages, by key; ``params`` fill them.  The Odoo side has the same texts, translated.
MESSAGES = {
    "encrypted_password": "The PDF is protected by a password, so we cannot open it. "
    "Please export it again without a password.",
    "encrypted_no_print": "The PDF is encrypted and does not allow printing. "
    "Please export it again without protection.",
    "damaged_unreadable": "The file cannot be read: it is damaged or incomplete (%(detail)s). "
    "Please export it again and upload the new file.",
    "damaged_truncated": "The file is incomplete: it was cut off before its end. "
    "Please export it again and upload the new file.",
    "damaged_type": "The file is not what its name says: %(name)s is not a %(expected)s file. "
    "Please export it again and upload the new file.",
    "damaged_limits": "The file cannot be checked: it expands to more than we can process "
    "(%(detail)s). Please export it again, simplified, and upload the new file.",
    "fonts_not_embedded": "Fonts not embedded: %(fonts)s. Please embed all fonts (or convert "
    "the text to outlines) and export again.",
    "page_size": "The page size is %(found)s, the ordered format is %(expected)s "
    "(with up to %(bleed)s mm bleed on each side). Please set the ordered format.",
    "page_size_mixed": "The pages have different sizes: %(found)s. "
    "Please give all pages the ordered format.",
    "low_resolution_image": "The image has only %(dpi)s dpi at print size (%(size)s); "
    "at least %(min_dpi)s dpi are needed. Please use a higher-resolution image.",
    "low_resolution_pdf": "Images on page(s) %(pages)s have only %(dpi)s dpi at print size; "
    "at least %(min_dpi)s dpi are needed. Please use higher-resolution images.",
    "color_space_rgb": "The file uses RGB colors; printed in CMYK the colors may change. "
    "Please convert the file to CMYK.",
    "color_space_bw": "The file has colors but the job is printed in black & white: "
    "the colors will print as shades of grey.",
}

PDF = "pdf"
PNG = "png"
JPEG = "jpeg"
TIFF = "tiff"
EXTENSIONS = {
    ".pdf": PDF,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".jpe": JPEG,
    ".tif": TIFF,
    ".tiff": TIFF,
}
TYPE_LABELS = {PDF: "PDF", PNG: "PNG", JPEG: "JPEG", TIFF: "TIFF"}

MM_PER_POINT = 25.4 / 72
# Bounds of the in-process parsing (the child process has hard limits on top).
MAX_CONTENT_BYTES = 64 * 1024 * 1024  # content streams scanned per file, decoded
MAX_FORM_DEPTH = 6
MAX_FORM_DRAWS = 50_000  # forms drawn per file, nested ones included
MAX_PAGES = 5000
# An RGB image up to this many pixels is sampled to tell color from grey.
MAX_SAMPLED_PIXELS = 30_000_000
# Images drawn smaller than this (mm, both sides) are decoration: no resolution check.
MIN_IMAGE_MM = 5.0

PR_SET_PDEATHSIG = 1  # prctl(2)

_logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrintSpec:
    """What a file is judged against (the job ticket's print, as the preflight reads it):
    the finished size of the media in mm (0: unknown, no size check), color or black &
    white, the shop's minimum resolution.  Not the priced ticket (``lib/pricing.Ticket``)."""

    width_mm: float = 0.0
    height_mm: float = 0.0
    color_mode: str = "color"  # "color" or "bw"
    min_dpi: int = 150
    bleed_mm: float = 5.0  # bleed accepted on each side of the finished size
    tolerance_mm: float = 1.0


@dataclass(frozen=True)
class Finding:
    code: str
    key: str
    params: dict = field(default_factory=dict)

    @property
    def severity(self):
        return SEVERITIES[self.code]

    @property
    def reason(self):
        return REASONS[self.code]

    @property
    def message(self):
        return MESSAGES[self.key] % self.params


@dataclass
class Report:
    """What the check found, and what it learned on the way (the shop needs it anyway)."""

    kind: str = ""  # pdf, png, jpeg, tiff, or "" when not a type we check
    findings: list = field(default_factory=list)
    page_count: int = 0
    page_width_mm: float = 0.0
    page_height_mm: float = 0.0
    is_color: bool = False
    timed_out: bool = False
    seconds: float = 0.0
    # What the scan learned that the ticket judges (:func:`apply_ticket`): a file is scanned
    # once, whatever the ticket, and judged again when the ticket changes.
    scanned: bool = False  # the scan went through: the ticket's findings apply
    rgb: bool = False  # RGB content (RGB colors drawn, RGB images)
    pixels: list = field(default_factory=list)  # an image's [width, height] in pixels
    page_sizes: list = field(default_factory=list)  # a PDF's pages: [width, height, trimmed]
    page_dpi: list = field(default_factory=list)  # [page, lowest dpi of its images]

    @property
    def state(self):
        """ok, info, warning or error: the worst finding."""
        if not self.findings:
            return "ok"
        return max((f.severity for f in self.findings), key=SEVERITY_RANK.get)

    @property
    def verdict(self):
        """ok, warning or error: what the job's badge says of this file (:func:`verdict`)."""
        return verdict(f.severity for f in self.findings)

    @property
    def codes(self):
        return [f.code for f in self.findings]

    def add(self, code, key, **params):
        if code not in self.codes:
            self.findings.append(Finding(code, key, params))

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, values):
        values = dict(values)
        values["findings"] = [Finding(**f) for f in values.get("findings", [])]
        return cls(**values)


class _LimitReached(Exception):
    """Our own parsing bound was reached."""


# ------------------------------------------------------------
# Entry points
# ------------------------------------------------------------


def check_file(name, data, ticket):
    """Check one file (``name`` for its extension, ``data`` its bytes) against ``ticket``.

    Never raises for a bad file: what cannot be read becomes a finding."""
    return apply_ticket(scan_file(name, data), ticket)


def scan_file(name, data):
    """Read one file, whatever the ticket: its type, the findings no ticket changes (damaged,
    encrypted, fonts) and the facts the ticket judges (:func:`apply_ticket`).

    Never raises for a bad file: what cannot be read becomes a finding."""
    started = time.perf_counter()
    report = Report()
    try:
        _check(name or "", data or b"", report)
    except (MemoryError, RecursionError, _LimitReached) as error:
        report.scanned = False
        report.add(DAMAGED, "damaged_limits", detail=_short(error) or type(error).__name__)
    except Exception as error:  # whatever a hostile file raises is a finding
        report.scanned = False
        report.add(DAMAGED, "damaged_unreadable", detail=_short(error))
    report.seconds = round(time.perf_counter() - started, 4)
    return report


def apply_ticket(scanned, ticket):
    """The report of a file scanned by :func:`scan_file` for ``ticket``: the scan's own
    findings and those of the ticket (page size, resolution, color).  Cheap: no file read."""
    report = Report.from_dict(scanned.to_dict())
    if not report.scanned:
        return report
    ticket = ticket or PrintSpec()
    own, report.findings = report.findings, []
    if report.kind == PDF:
        _size_findings(report, ticket)
    for finding in own:
        if finding.code not in report.codes:
            report.findings.append(finding)
    if report.kind == PDF:
        _pdf_resolution_findings(report, ticket)
    else:
        _image_resolution_findings(report, ticket)
    _color_findings(report, ticket, rgb=report.rgb)
    return report


def scan_file_isolated(name, data, timeout=10.0, memory_mb=1536, cache=True):
    """:func:`scan_file` in a child Python process limited to ``memory_mb`` of address space
    and ``timeout`` seconds (wall clock and CPU).  A child that runs out of time gives a report
    with ``timed_out`` set (and a ``damaged`` finding); one killed for memory a ``damaged``
    finding.

    The child dies with its parent: it is killed (its whole process group) when its time is
    up, and the kernel kills it when the process that started it dies (``PR_SET_PDEATHSIG``,
    e.g. an Odoo worker killed for its own time limit), so it never runs on under PID 1.

    Reports are cached by content (in this process), so the same bytes scanned twice cost one
    child process; a time-out is not cached here (the caller keeps it with its limit)."""
    key = (hashlib.sha256(data or b"").hexdigest(), _ext(name))
    if cache:
        with _CACHE_LOCK:
            cached = _CACHE.get(key)
            if cached is not None:
                _CACHE.move_to_end(key)
        if cached is not None:
            return Report.from_dict(cached)
    started = time.perf_counter()
    header = json.dumps(
        {
            "name": name or "",
            "memory_mb": memory_mb,
            "cpu_seconds": max(1, math.ceil(timeout)),
            "parent": os.getpid(),
        }
    ).encode()
    stdout, stderr, returncode = _run_child(header + b"\n" + (data or b""), timeout)
    if returncode is None:
        report = Report(timed_out=True)
        report.add(DAMAGED, "damaged_limits", detail=f"not checked within {timeout:g} s")
        report.seconds = round(time.perf_counter() - started, 4)
        return report
    try:
        report = Report.from_dict(json.loads(stdout))
    except (ValueError, TypeError, KeyError):
        report = Report()
        if returncode < 0 or b"MemoryError" in stderr:
            report.add(DAMAGED, "damaged_limits", detail=f"more than {memory_mb} MB")
        else:
            _logger.warning(
                "Preflight of %s: the check stopped (exit %s): %s",
                name,
                returncode,
                stderr[-500:].decode(errors="replace"),
            )
            report.add(DAMAGED, "damaged_unreadable", detail="the check stopped")
        report.seconds = round(time.perf_counter() - started, 4)
        return report
    report.seconds = round(time.perf_counter() - started, 4)
    if cache:
        with _CACHE_LOCK:
            _CACHE[key] = report.to_dict()
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    return report


def _run_child(stdin, timeout):
    """Run this module as the child process; ``(stdout, stderr, exit code)``, or an exit code
    of None when it ran out of time (it is killed then, with its process group)."""
    process = subprocess.Popen(  # our own script, no shell
        [sys.executable, os.path.abspath(__file__)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: killed as a whole
    )
    try:
        stdout, stderr = process.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        process.communicate()
        return b"", b"", None
    except BaseException:  # the caller interrupted (a worker shutting down): no orphan
        _kill_group(process)
        process.wait()
        raise
    return stdout, stderr, process.returncode


def _kill_group(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()


_CACHE = OrderedDict()  # shared by the server's threads
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 256


# ------------------------------------------------------------
# Dispatch by content
# ------------------------------------------------------------


def _ext(name):
    return os.path.splitext(name or "")[1].lower()


def file_type_key(name):
    """What a scan depends on besides the bytes: the extension (the type the name claims)."""
    return _ext(name)


def sniff(data):
    """The file type its first bytes show: pdf, png, jpeg, tiff, or ""."""
    head = data[:1024]
    if b"%PDF-" in head:
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return TIFF
    return ""


def _check(name, data, report):
    claimed = EXTENSIONS.get(_ext(name), "")
    found = sniff(data)
    report.kind = found
    if claimed and found != claimed:
        report.add(
            DAMAGED,
            "damaged_type",
            name=os.path.basename(name),
            expected=TYPE_LABELS[claimed],
        )
        return
    if found == PDF:
        _check_pdf(data, report)
    elif found:
        _check_image(data, report)
    else:
        report.scanned = True


def _short(error):
    return str(error).strip().splitlines()[0][:120] if str(error).strip() else ""


# ------------------------------------------------------------
# Sizes
# ------------------------------------------------------------


def _size_label(width_mm, height_mm):
    return f"{width_mm:g} x {height_mm:g} mm"


def _fits(width_mm, height_mm, ticket, trimmed):
    """Whether a page of this size prints on the ticket's media, either way round.  A trim
    box must match the finished size; a media box may add the bleed on each side."""
    page = sorted((width_mm, height_mm))
    media = sorted((ticket.width_mm, ticket.height_mm))
    tol = ticket.tolerance_mm
    extra = 0.0 if trimmed else 2 * ticket.bleed_mm
    return all(m - tol <= p <= m + extra + tol for p, m in zip(page, media, strict=True))


def _has_media(ticket):
    return ticket.width_mm > 0 and ticket.height_mm > 0


# ------------------------------------------------------------
# Images (PNG, JPEG, TIFF)
# ------------------------------------------------------------


def _check_image(data, report):
    if report.kind == JPEG and b"\xff\xd9" not in data[-4096:]:
        report.add(DAMAGED, "damaged_truncated")
        return
    if report.kind == PNG and b"IEND" not in data[-64:]:
        report.add(DAMAGED, "damaged_truncated")
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as error:
        raise _LimitReached(f"more than {2 * Image.MAX_IMAGE_PIXELS} pixels") from error
    width, height = image.size
    report.page_count = getattr(image, "n_frames", 1) or 1
    dpi = image.info.get("dpi")
    if dpi and dpi[0] and dpi[1] and float(dpi[0]) > 1:
        report.page_width_mm = round(width / float(dpi[0]) * 25.4, 1)
        report.page_height_mm = round(height / float(dpi[1]) * 25.4, 1)
    report.is_color = _image_is_color(image, report.kind)
    report.rgb = image.mode in ("RGB", "RGBA", "RGBX", "P")
    report.pixels = [width, height]
    report.scanned = True


def _image_resolution_findings(report, ticket):
    if not _has_media(ticket) or len(report.pixels) != 2:
        return
    # Printed filling the finished format (either way round): the lower of the two.
    pixels = sorted(report.pixels)
    media = sorted((ticket.width_mm, ticket.height_mm))
    effective = min(p / (m / 25.4) for p, m in zip(pixels, media, strict=True))
    if effective < ticket.min_dpi:
        report.add(
            LOW_RESOLUTION,
            "low_resolution_image",
            dpi=round(effective),
            size=_size_label(ticket.width_mm, ticket.height_mm),
            min_dpi=ticket.min_dpi,
        )


def _image_is_color(image, kind):
    """Color or grey: by mode, and for RGB images by a look at a reduced copy."""
    mode = image.mode
    if mode in ("1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F"):
        return False
    if mode == "CMYK":
        return True
    if mode not in ("RGB", "RGBA", "RGBX", "P"):
        return True
    width, height = image.size
    if kind == JPEG:
        image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
    elif width * height > MAX_SAMPLED_PIXELS:
        return True  # too big to look at quickly: its mode says color
    image.load()
    sample = image.convert("RGB")
    sample.thumbnail((256, 256))
    red, green, blue = sample.split()
    spread = max(
        ImageChops.difference(red, green).getextrema()[1],
        ImageChops.difference(green, blue).getextrema()[1],
    )
    return spread > 8


def verdict(severities):
    """The one verdict on findings of these ``severities``, the same in the backend's badge
    and on the customer's page: ``error`` when one is an error, else ``warning`` when there
    is any finding at all (the customer reads every finding, an ``info`` one too, as something
    to look at: "The file uses RGB colors..."), else ``ok``."""
    severities = set(severities)
    if ERROR in severities:
        return ERROR
    return WARNING if severities else "ok"


def _color_findings(report, ticket, rgb):
    if ticket.color_mode == "bw":
        if report.is_color:
            report.add(COLOR_SPACE, "color_space_bw")
    elif rgb and report.is_color:
        report.add(COLOR_SPACE, "color_space_rgb")


# ------------------------------------------------------------
# PDF
# ------------------------------------------------------------


def _check_pdf(data, report):
    if b"%%EOF" not in data[-2048:]:
        report.add(DAMAGED, "damaged_truncated")
        return
    pypdf_logger = logging.getLogger("pypdf")
    level = pypdf_logger.level
    pypdf_logger.setLevel(logging.CRITICAL)  # broken files are findings, not log lines
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception:  # a cipher we lack: we cannot open it either
                opened = 0
            if not opened:
                report.add(ENCRYPTED, "encrypted_password")
                return
            permissions = int(reader.trailer["/Encrypt"].get_object().get("/P", -1))
            if not permissions & 4:
                report.add(ENCRYPTED, "encrypted_no_print")
                return
        _PdfScan(reader, report).run()
    except LimitReachedError as error:
        raise _LimitReached("its content unpacks to more than 75 MB") from error
    finally:
        pypdf_logger.setLevel(level)


# One token of a content stream: strings, arrays and dictionaries are skipped, numbers and
# names are operands, anything else an operator.
_TOKEN = re.compile(
    rb"""\((?:[^()\\]|\\.)*\)
    |<<|>>|<[0-9A-Fa-f\s]*>
    |/[^\s/\[\]()<>{}%]*
    |[-+]?(?:\d+\.?\d*|\.\d+)
    |[A-Za-z'"*][A-Za-z0-9'"*]*
    |%[^\r\n]*
    |[\[\]{}()<>]""",
    re.X | re.S,
)
_INLINE_IMAGE_END = re.compile(rb"\sEI(?=[\s]|$)")
_RGB_SPACES = {"/DeviceRGB", "/CalRGB", "/RGB"}
_CMYK_SPACES = {"/DeviceCMYK", "/CMYK"}
_GRAY_SPACES = {"/DeviceGray", "/CalGray", "/G"}


def _multiply(m, n):
    """The product m x n of two PDF matrices [a b c d e f]."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


class _PdfScan:
    """One pass over the pages: sizes, fonts, placed images, colors."""

    def __init__(self, reader, report):
        self.reader = reader
        self.report = report
        self.fonts_missing = set()
        self.rgb = False
        self.color = False
        self.page_dpi = {}  # page number -> lowest effective dpi of its images
        self.space_kinds = {}  # (id of a /ColorSpace resource, name) -> its kind
        self.budget = MAX_CONTENT_BYTES
        self.form_draws = 0
        self.seen_fonts = set()

    def run(self):
        pages = self.reader.pages
        count = len(pages)
        if count > MAX_PAGES:
            raise _LimitReached(f"more than {MAX_PAGES} pages")
        report = self.report
        report.page_count = count
        sizes = []
        for number, page in enumerate(pages, start=1):
            sizes.append(self._page_size(page))
            resources = _resolve(page.get("/Resources")) or {}
            self._scan_content(page.get_contents(), resources, number, (1, 0, 0, 1, 0, 0), 0)
        report.page_sizes = [list(size) for size in sizes]
        if sizes:
            report.page_width_mm, report.page_height_mm = sizes[0][:2]
        if self.fonts_missing:
            report.add(
                FONTS_NOT_EMBEDDED,
                "fonts_not_embedded",
                fonts=", ".join(sorted(self.fonts_missing)),
            )
        report.page_dpi = [[page, dpi] for page, dpi in sorted(self.page_dpi.items())]
        report.is_color = self.color
        report.rgb = self.rgb
        report.scanned = True

    # Sizes --------------------------------------------------------------

    def _page_size(self, page):
        trim = page.get("/TrimBox")
        box = page.trimbox if trim is not None else page.mediabox
        width = round(abs(float(box.width)) * MM_PER_POINT, 1)
        height = round(abs(float(box.height)) * MM_PER_POINT, 1)
        return width, height, trim is not None

    # Fonts --------------------------------------------------------------

    def _font(self, ref):
        """Note the font (selected with ``Tf``) when it is not embedded."""
        if ref is None:
            return
        key = getattr(ref, "idnum", None) or id(ref)
        if key not in self.seen_fonts:
            self.seen_fonts.add(key)
            font = _resolve(ref) or {}
            if font.get("/Subtype") != "/Type3" and not _font_embedded(font):
                name = str(font.get("/BaseFont") or "?").lstrip("/")
                if len(name) > 7 and name[6] == "+":
                    name = name[7:]  # a subset's tag
                self.fonts_missing.add(name)

    # Content streams ----------------------------------------------------

    def _scan_content(self, contents, resources, number, ctm, depth):
        if contents is None or depth > MAX_FORM_DEPTH:
            return
        data = contents.get_data()
        self.budget -= len(data)
        if self.budget < 0:
            raise _LimitReached(f"more than {MAX_CONTENT_BYTES // 1048576} MB of page content")
        xobjects = _resolve(resources.get("/XObject")) or {}
        fonts = _resolve(resources.get("/Font")) or {}
        spaces = _resolve(resources.get("/ColorSpace")) or {}
        stack = []
        operands = []
        # The kinds of the current color spaces, resolved once per name and resource
        # (``cs``/``CS``), not at each color set: the cost stays linear in the content.
        fill_kind = stroke_kind = ("gray", 1)
        font = None  # the font text is shown in (``Tf``); only used fonts count
        position = 0
        match = _TOKEN.search(data, position)
        while match:
            token = match.group()
            position = match.end()
            first = token[:1]
            if first in b"0123456789.-+":
                try:
                    operands.append(float(token))
                except ValueError:
                    operands.clear()
            elif first == b"/":
                operands.append(token.decode("latin-1"))
            elif first.isalpha() or first in b"'\"*":
                op = token
                if op == b"q":
                    stack.append(ctm)
                elif op == b"Q":
                    ctm = stack.pop() if stack else ctm
                elif op == b"cm" and len(operands) >= 6:
                    ctm = _multiply(tuple(operands[-6:]), ctm)
                elif op == b"Do" and operands and isinstance(operands[-1], str):
                    self._draw(xobjects.get(operands[-1]), resources, number, ctm, depth)
                elif op == b"Tf" and len(operands) >= 2 and isinstance(operands[-2], str):
                    font = fonts.get(operands[-2])
                elif op in (b"Tj", b"TJ", b"'", b'"'):
                    self._font(font)
                elif op in (b"rg", b"RG") and len(operands) >= 3:
                    self._rgb_color(operands[-3:])
                elif op in (b"k", b"K") and len(operands) >= 4:
                    self._cmyk_color(operands[-4:])
                elif op in (b"cs", b"CS") and operands and isinstance(operands[-1], str):
                    if op == b"cs":
                        fill_kind = self._space_kind(operands[-1], spaces)
                    else:
                        stroke_kind = self._space_kind(operands[-1], spaces)
                elif op in (b"sc", b"scn", b"SC", b"SCN"):
                    kind = fill_kind if op in (b"sc", b"scn") else stroke_kind
                    if kind[0] and operands:
                        self._kind_color(kind[0], operands)
                elif op == b"ID":
                    end = _INLINE_IMAGE_END.search(data, position)
                    position = end.end() if end else len(data)
                operands.clear()
            match = _TOKEN.search(data, position)

    def _rgb_color(self, values):
        if max(values) - min(values) > 0.01:
            self.rgb = self.color = True

    def _cmyk_color(self, values):
        if max(values[:3]) > 0.005:
            self.color = True

    def _space_kind(self, name, spaces):
        """The kind of the color space ``name`` (of the resource ``spaces``), resolved once."""
        key = (id(spaces), name)
        kind = self.space_kinds.get(key)
        if kind is None:
            kind = self.space_kinds[key] = _color_space_kind(name, spaces)
        return kind

    def _kind_color(self, kind, operands):
        if kind == "spot":
            self.color = True
            return
        if kind not in ("rgb", "cmyk") or (self.rgb and self.color):
            return  # grey, or nothing more to learn
        values = [o for o in operands if isinstance(o, float)]
        if kind == "rgb" and len(values) >= 3:
            self._rgb_color(values[:3])
        elif kind == "cmyk" and len(values) >= 4:
            self._cmyk_color(values[:4])

    def _draw(self, ref, resources, number, ctm, depth):
        xobject = _resolve(ref)
        if xobject is None:
            return
        subtype = xobject.get("/Subtype")
        if subtype == "/Form":
            self.form_draws += 1
            if self.form_draws > MAX_FORM_DRAWS:
                raise _LimitReached(f"more than {MAX_FORM_DRAWS} drawings of forms")
            matrix = xobject.get("/Matrix")
            form_ctm = ctm
            if matrix is not None and len(matrix) == 6:
                form_ctm = _multiply(tuple(float(v) for v in matrix), ctm)
            form_resources = _resolve(xobject.get("/Resources")) or resources
            self._scan_content(xobject, form_resources, number, form_ctm, depth + 1)
            return
        if subtype != "/Image" or xobject.get("/ImageMask"):
            return
        spaces = _resolve(resources.get("/ColorSpace")) or {}
        kind, _components = _color_space_kind(xobject.get("/ColorSpace"), spaces)
        if kind == "rgb":
            self.rgb = self.color = True
        elif kind in ("cmyk", "spot"):
            self.color = True
        width_px = float(xobject.get("/Width") or 0)
        height_px = float(xobject.get("/Height") or 0)
        a, b, c, d = ctm[:4]
        width_mm = math.hypot(a, b) * MM_PER_POINT
        height_mm = math.hypot(c, d) * MM_PER_POINT
        if width_mm < MIN_IMAGE_MM or height_mm < MIN_IMAGE_MM or not width_px or not height_px:
            return
        effective = min(width_px / (width_mm / 25.4), height_px / (height_mm / 25.4))
        self.page_dpi[number] = min(effective, self.page_dpi.get(number, effective))


def _size_findings(report, ticket):
    sizes = [tuple(size) for size in report.page_sizes]
    if not sizes:
        return
    distinct = []
    for width, height, _trimmed in sizes:
        key = tuple(sorted((width, height)))
        if not any(
            abs(key[0] - d[0]) <= ticket.tolerance_mm and abs(key[1] - d[1]) <= ticket.tolerance_mm
            for d in distinct
        ):
            distinct.append(key)
    if len(distinct) > 1:
        found = "; ".join(
            f"{_page_ranges(_pages_of(sizes, d, ticket))}: {_size_label(*d)}" for d in distinct
        )
        found = found if len(found) < 300 else found[:297] + "..."
        report.add(PAGE_SIZE, "page_size_mixed", found=found)
        return
    if _has_media(ticket) and not all(_fits(w, h, ticket, t) for w, h, t in sizes):
        report.add(
            PAGE_SIZE,
            "page_size",
            found=_size_label(*sizes[0][:2]),
            expected=_size_label(ticket.width_mm, ticket.height_mm),
            bleed=f"{ticket.bleed_mm:g}",
        )


def _pages_of(sizes, size, ticket):
    tol = ticket.tolerance_mm
    return [
        number
        for number, (w, h, _t) in enumerate(sizes, start=1)
        if abs(min(w, h) - size[0]) <= tol and abs(max(w, h) - size[1]) <= tol
    ]


def _pdf_resolution_findings(report, ticket):
    low = {page: dpi for page, dpi in report.page_dpi if dpi < ticket.min_dpi}
    if low:
        report.add(
            LOW_RESOLUTION,
            "low_resolution_pdf",
            pages=_page_ranges(sorted(low)),
            dpi=round(min(low.values())),
            min_dpi=ticket.min_dpi,
        )


def _font_embedded(font):
    described = font
    if font.get("/Subtype") == "/Type0":
        descendants = _resolve(font.get("/DescendantFonts")) or []
        described = (_resolve(descendants[0]) if descendants else None) or {}
    descriptor = _resolve(described.get("/FontDescriptor")) or {}
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def _resolve(value):
    """The object behind an indirect reference (or the value itself)."""
    seen = 0
    while hasattr(value, "get_object") and seen < 8:
        resolved = value.get_object()
        if resolved is value:
            break
        value = resolved
        seen += 1
    return value


def _color_space_kind(space, spaces, depth=0):
    """("rgb" | "cmyk" | "gray" | "spot" | "", components) of a color space (a name, a
    resource name or an array)."""
    space = _resolve(space)
    if space is None or depth > 4:
        return "", 0
    if isinstance(space, str):
        if space in _RGB_SPACES:
            return "rgb", 3
        if space in _CMYK_SPACES:
            return "cmyk", 4
        if space in _GRAY_SPACES:
            return "gray", 1
        if space in spaces:
            return _color_space_kind(spaces[space], spaces, depth + 1)
        return "", 0
    if isinstance(space, list) and space:
        family = str(_resolve(space[0]))
        if family == "/ICCBased" and len(space) > 1:
            components = int((_resolve(space[1]) or {}).get("/N", 0))
            return {1: ("gray", 1), 3: ("rgb", 3), 4: ("cmyk", 4)}.get(components, ("", 0))
        if family in ("/Indexed", "/I") and len(space) > 1:
            return _color_space_kind(space[1], spaces, depth + 1)
        if family in ("/CalRGB", "/Lab"):
            return "rgb", 3
        if family == "/CalGray":
            return "gray", 1
        if family == "/Separation" and len(space) > 1:
            return ("gray", 1) if str(space[1]) in ("/Black", "/All", "/None") else ("spot", 1)
        if family == "/DeviceN":
            return "spot", 1
        if family == "/Pattern" and len(space) > 1:
            return _color_space_kind(space[1], spaces, depth + 1)
    return "", 0


def _page_ranges(numbers):
    """[1, 2, 3, 7] -> "1-3, 7"."""
    ranges = []
    for number in numbers:
        if ranges and number == ranges[-1][1] + 1:
            ranges[-1][1] = number
        else:
            ranges.append([number, number])
    text = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in ranges)
    return text if len(text) < 120 else text[:117] + "..."


# ------------------------------------------------------------
# The child process
# ------------------------------------------------------------


def _limit_resources(memory_mb, cpu_seconds):
    """Lower this process's limits; never above what it inherited (an Odoo worker runs
    under ``limit_memory_hard``)."""

    def lower(kind, value):
        _soft, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(kind, (value, value))

    lower(resource.RLIMIT_AS, memory_mb * 1024 * 1024)
    lower(resource.RLIMIT_CPU, cpu_seconds)
    lower(resource.RLIMIT_CORE, 0)
    lower(resource.RLIMIT_FSIZE, 0)


def _die_with_parent(parent):
    """Ask the kernel to kill this process when the one that started it dies (Linux), and
    end at once when that happened already."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError) as error:  # not Linux: the kill on time-out remains
        _logger.debug("No PR_SET_PDEATHSIG: %s", error)
    if parent and os.getppid() != parent:
        os._exit(3)


def _main():
    stdin = sys.stdin.buffer
    header = json.loads(stdin.readline())
    _die_with_parent(int(header.get("parent") or 0))
    _limit_resources(int(header["memory_mb"]), int(header["cpu_seconds"]))
    data = stdin.read()
    report = scan_file(header["name"], data)
    sys.stdout.write(json.dumps(report.to_dict()))
    sys.stdout.flush()


if __name__ == "__main__":
    _main()
