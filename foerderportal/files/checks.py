"""Validation of uploaded files (applicants' attachments, reports, posters).

Pure Python, no database access. ``check_upload`` inspects the *content* of an
uploaded file and either returns a :class:`CheckedUpload` or raises
:class:`UploadRejected` with a German, user-facing message.

Allowed are PDF, DOCX, ODT, JPEG and PNG. The type is detected from magic
bytes only; the browser's ``content_type`` is ignored and the file name's
extension merely has to agree with the detected content. The format checks
live in ``pdf``, ``office`` and ``images``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.conf import settings
from django.utils.translation import gettext

from .base import DOCX, EXTENSIONS, JPEG, ODT, PDF, PNG, UploadRejected, reject
from .images import inspect_image
from .office import inspect_zip
from .pdf import inspect_pdf


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    extension: str
    size: int
    sha256: str
    safe_name: str


#: detected content type -> file name extensions that agree with it
_ACCEPTED_NAME_EXTENSIONS = {
    PDF: {"pdf"},
    JPEG: {"jpg", "jpeg", "jpe", "jfif"},
    PNG: {"png"},
    DOCX: {"docx"},
    ODT: {"odt"},
}
_ALL_ALLOWED_NAME_EXTENSIONS = set().union(*_ACCEPTED_NAME_EXTENSIONS.values())

_PDF_MAGIC = b"%PDF-"
_PDF_MAGIC_WINDOW = 1024
_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_ZIP_MAGIC = b"PK\x03\x04"
# Executables / scripts are never accepted, even if a "%PDF-" follows (polyglots).
_EXECUTABLE_MAGICS = (
    b"MZ",  # Windows PE
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa",  # Mach-O (big endian)
    b"\xce\xfa\xed\xfe",  # Mach-O 32
    b"\xcf\xfa\xed\xfe",  # Mach-O 64
    b"\xca\xfe\xba\xbe",  # Mach-O universal / Java class
    b"#!",  # scripts
)

_MIB = 1024 * 1024


def _format_mb(num_bytes: int, *, round_up: bool) -> str:
    """German MB figure: one decimal (more for tiny values), decimal comma, no trailing ",0"."""
    value = Decimal(num_bytes) / Decimal(_MIB)
    rounding = ROUND_CEILING if round_up else ROUND_FLOOR
    places = 1
    while places < 6:
        quantum = Decimal(1).scaleb(-places)
        rounded = value.quantize(quantum, rounding=rounding)
        if rounded != 0 or value == 0:
            break
        places += 1
    text = f"{rounded:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _too_large(size: int, max_bytes: int) -> UploadRejected:
    return reject(
        gettext("Die Datei ist zu groß (%(size)s MB). Erlaubt sind höchstens %(limit)s MB.")
        % {"size": _format_mb(size, round_up=True), "limit": _format_mb(max_bytes, round_up=False)},
        "too_large",
    )


def _not_allowed() -> UploadRejected:
    return reject(gettext("Dateityp nicht erlaubt. Erlaubt sind PDF, DOCX, ODT, JPEG und PNG."), "type_not_allowed")


def _mismatch(extension: str) -> UploadRejected:
    return reject(
        gettext(
            "Der Inhalt der Datei passt nicht zur Dateiendung „.%(extension)s“. "
            "Bitte laden Sie die Originaldatei mit der richtigen Endung hoch."
        )
        % {"extension": extension},
        "extension_mismatch",
    )


# --------------------------------------------------------------------------- entry point


def check_upload(uploaded_file, *, max_bytes: int | None = None) -> CheckedUpload:
    """Validate an uploaded attachment by its content; raise :class:`UploadRejected` if unacceptable."""
    if max_bytes is None:
        max_bytes = settings.ATTACHMENT_MAX_BYTES
    try:
        data, digest = _read_limited(uploaded_file, max_bytes)
        content_type = _detect(data)
        _check_name_extension(getattr(uploaded_file, "name", None) or "", content_type)
        if content_type is None:
            raise _not_allowed()
        if content_type == PDF:
            inspect_pdf(data)
        elif content_type in (JPEG, PNG):
            inspect_image(data, content_type)
        # DOCX/ODT were fully inspected during detection.
    finally:
        try:
            uploaded_file.seek(0)
        except (AttributeError, OSError, ValueError):
            pass

    extension = EXTENSIONS[content_type]
    return CheckedUpload(
        content_type=content_type,
        extension=extension,
        size=len(data),
        sha256=digest,
        safe_name=safe_filename(getattr(uploaded_file, "name", None) or "", extension),
    )


def _read_limited(uploaded_file, max_bytes: int) -> tuple[bytes, str]:
    """Read in chunks; stop as soon as ``max_bytes`` is exceeded. Size and hash come from the real bytes."""
    declared = getattr(uploaded_file, "size", None)
    if isinstance(declared, int) and declared > max_bytes:
        raise _too_large(declared, max_bytes)

    hasher = hashlib.sha256()
    buffer = bytearray()
    for chunk in uploaded_file.chunks():
        if not chunk:
            continue
        if len(buffer) + len(chunk) > max_bytes:
            actual = len(buffer) + len(chunk)
            raise _too_large(max(actual, declared if isinstance(declared, int) else 0), max_bytes)
        hasher.update(chunk)
        buffer += chunk
    if not buffer:
        raise reject(gettext("Die Datei ist leer."), "empty")
    return bytes(buffer), hasher.hexdigest()


# --------------------------------------------------------------------------- detection


def _detect(data: bytes) -> str | None:
    """Content type from magic bytes, ``None`` if not allowed. DOCX/ODT are inspected here."""
    if data.startswith(_EXECUTABLE_MAGICS):
        return None
    head = data[:_PDF_MAGIC_WINDOW]
    has_pdf_magic = _PDF_MAGIC in head
    for magic, content_type in ((_PNG_MAGIC, PNG), (_JPEG_MAGIC, JPEG), (_ZIP_MAGIC, None)):
        if data.startswith(magic):
            if has_pdf_magic:
                return None  # polyglot (e.g. image that is also a PDF)
            return content_type if content_type else inspect_zip(data)
    if has_pdf_magic:
        return PDF
    return None


def _name_extension(name: str) -> str:
    """Lower-case extension of the user's file name ('' if none recognisable)."""
    base = re.split(r"[/\\]", unicodedata.normalize("NFKC", name))[-1].strip().rstrip(". ")
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem.strip(". "):
        return ""
    ext = ext.strip().lower()
    if re.fullmatch(r"[a-z0-9]{1,10}", ext) and not ext.isdigit():
        return ext
    return ""


def _check_name_extension(name: str, content_type: str | None) -> None:
    ext = _name_extension(name)
    if not ext:
        return
    if content_type is None:
        # Unknown content claiming to be an allowed type, e.g. an EXE renamed to .pdf.
        if ext in _ALL_ALLOWED_NAME_EXTENSIONS:
            raise _mismatch(ext)
        return
    if ext not in _ACCEPTED_NAME_EXTENSIONS[content_type]:
        raise _mismatch(ext)


# --------------------------------------------------------------------------- file names


_MAX_NAME_LENGTH = 100
_DEFAULT_STEM = "anlage"
_NAME_PUNCTUATION = set(" ._-()+,&")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}


def safe_filename(name: str, extension: str) -> str:
    """Reduce the user's file name to a safe download name with the detected extension forced.

    ``'../../etc/pa"ss;wd.exe'``, ``'pdf'`` -> ``'pa_ss_wd.pdf'``; empty -> ``'anlage.pdf'``.
    Umlauts and other letters are kept (NFC); control/format characters are dropped and
    anything but letters, digits and `` ._-()+,&`` becomes ``_``.
    """
    ext = re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKC", extension or "").lower())
    suffix = f".{ext}" if ext else ""

    text = unicodedata.normalize("NFKC", name or "")
    # Drop control, format (e.g. U+202E right-to-left override), surrogate, private and unassigned chars.
    text = "".join(" " if ch.isspace() else ch for ch in text if ch.isspace() or unicodedata.category(ch)[0] != "C")
    text = re.split(r"[/\\]", text)[-1]
    stem, dot, _old_ext = text.rpartition(".")
    if not dot:
        stem = text

    cleaned = []
    for ch in stem:
        category = unicodedata.category(ch)
        if category[0] in "LNM" or ch in _NAME_PUNCTUATION:
            cleaned.append(ch)
        elif category[0] == "Z":
            cleaned.append(" ")
        else:
            cleaned.append("_")
    stem = unicodedata.normalize("NFC", "".join(cleaned))
    stem = re.sub(r"_{2,}", "_", stem)
    stem = re.sub(r"\s{2,}", " ", stem)
    stem = re.sub(r"\.{2,}", ".", stem)
    stem = stem.strip(" ._-")

    if stem.split(".")[0].strip().upper() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    stem = stem[: max(1, _MAX_NAME_LENGTH - len(suffix))].rstrip(" ._-")
    return f"{stem or _DEFAULT_STEM}{suffix}"
