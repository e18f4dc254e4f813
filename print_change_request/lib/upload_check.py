"""Checks of a customer's upload, by content, before anything is stored.

Plain code (no ORM): :func:`check_upload` takes the file's name, its bytes, the shop's allowed
types and its size limit, and returns the problems found, each a :class:`Problem` with a code
and the values its message needs.  The models turn the codes into translated messages
(``print.job._describe_upload_problem``).  The file's content is not parsed here: the
preflight (``lib/preflight.py``) reads it in an isolated process, which a hostile file cannot
exhaust (``print.job._check_uploads``).
"""

import re
import unicodedata
from dataclasses import dataclass, field

from odoo.tools.mimetypes import guess_mimetype

from .preflight import sniff

#: The file types a shop may allow: key -> (label, MIME type found in the content).
FILE_TYPES = {
    "pdf": ("PDF", "application/pdf"),
    "png": ("PNG", "image/png"),
    "jpeg": ("JPEG", "image/jpeg"),
    "tiff": ("TIFF", "image/tiff"),
}
DEFAULT_TYPES = tuple(FILE_TYPES)

EMPTY = "empty"
TOO_LARGE = "too_large"
TYPE_NOT_ALLOWED = "type_not_allowed"

MAX_NAME_LENGTH = 200


@dataclass(frozen=True)
class Problem:
    """One reason to refuse a file: ``code`` names it, ``params`` fill its message."""

    code: str
    filename: str
    params: dict = field(default_factory=dict)


def parse_types(text):
    """The type keys of a setting such as ``"pdf, png"``; unknown words are ignored."""
    words = re.split(r"[\s,;]+", (text or "").lower())
    return tuple(key for key in FILE_TYPES if key in words)


def sniff_mimetype(data):
    """The MIME type of ``data`` by its content: the preflight's reading of the signature
    (:func:`.preflight.sniff`, the one rule of what a file is), else Odoo's guesser (to store
    a sensible type for what no shop prints)."""
    kind = sniff(data)
    if kind in FILE_TYPES:
        return FILE_TYPES[kind][1]
    return guess_mimetype(data, default="application/octet-stream")


def clean_filename(filename, default="file"):
    """A file name safe to store and to show: no path, no control characters, not too long."""
    name = unicodedata.normalize("NFC", str(filename or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip(" .")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        if dot and len(ext) <= 10:
            name = stem[: MAX_NAME_LENGTH - len(ext) - 1] + "." + ext
        else:
            name = name[:MAX_NAME_LENGTH]
    return name or default


def check_upload(filename, data, allowed_types=DEFAULT_TYPES, max_size=None):
    """Return the problems of the file ``filename`` with content ``data`` (empty: accept it).

    ``allowed_types``: keys of :data:`FILE_TYPES`; ``max_size``: bytes, ``None`` or 0 for no
    limit.  The type is judged by content (its signature), never by the name.  The file is not
    parsed here: the caller reads it in an isolated process (the preflight,
    ``lib/preflight.py``), which a hostile file cannot exhaust."""
    filename = clean_filename(filename)
    data = data or b""
    if not data:
        return [Problem(EMPTY, filename)]
    if max_size and len(data) > max_size:
        return [Problem(TOO_LARGE, filename, {"size": len(data), "max_size": max_size})]
    mimetype = sniff_mimetype(data)
    allowed = {FILE_TYPES[key][1]: key for key in allowed_types if key in FILE_TYPES}
    if mimetype not in allowed:
        return [
            Problem(
                TYPE_NOT_ALLOWED,
                filename,
                {"allowed": ", ".join(FILE_TYPES[key][0] for key in allowed.values())},
            )
        ]
    return []
