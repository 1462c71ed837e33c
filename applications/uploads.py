"""Validation of applicant attachments (Anlagen zum Förderantrag).

Pure Python, no database access. ``check_upload`` inspects the *content* of an
uploaded file and either returns a :class:`CheckedUpload` or raises
:class:`UploadRejected` with a German, user-facing message.

Allowed are PDF, DOCX, ODT, JPEG and PNG. The type is detected from magic
bytes only; the browser's ``content_type`` is ignored and the file name's
extension merely has to agree with the detected content.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

logger = logging.getLogger(__name__)

__all__ = ["CheckedUpload", "UploadRejected", "check_upload", "safe_filename"]


class UploadRejected(ValidationError):
    """The uploaded attachment is not acceptable (German message, specific ``code``)."""


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    extension: str
    size: int
    sha256: str
    safe_name: str


# --------------------------------------------------------------------------- types

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"

#: detected content type -> canonical extension
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png", DOCX: "docx", ODT: "odt"}
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

# Zip bomb limits (DOCX/ODT).
ZIP_MAX_ENTRIES = 2000
ZIP_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
_ZIP_MAX_METADATA_BYTES = 1024 * 1024  # [Content_Types].xml is tiny in practice

# Images are fully decoded to prove they are intact; cap the pixel count.
IMAGE_MAX_PIXELS = 50_000_000

# PDF names that indicate active content, embedded files or form submission.
PDF_FORBIDDEN_NAMES = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/Launch",
        "/EmbeddedFiles",
        "/EmbeddedFile",
        "/FileAttachment",
        "/RichMedia",
        "/XFA",
        "/SubmitForm",
        "/ImportData",
    }
)
_PDF_MAX_WALKED_NODES = 2_000_000

_MIB = 1024 * 1024


# --------------------------------------------------------------------------- messages


def _reject(message: str, code: str) -> UploadRejected:
    return UploadRejected(message, code=code)


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
    return _reject(
        gettext("Die Datei ist zu groß (%(size)s MB). Erlaubt sind höchstens %(limit)s MB.")
        % {"size": _format_mb(size, round_up=True), "limit": _format_mb(max_bytes, round_up=False)},
        "too_large",
    )


def _not_allowed() -> UploadRejected:
    return _reject(gettext("Dateityp nicht erlaubt. Erlaubt sind PDF, DOCX, ODT, JPEG und PNG."), "type_not_allowed")


def _mismatch(extension: str) -> UploadRejected:
    return _reject(
        gettext(
            "Der Inhalt der Datei passt nicht zur Dateiendung „.%(extension)s“. "
            "Bitte laden Sie die Originaldatei mit der richtigen Endung hoch."
        )
        % {"extension": extension},
        "extension_mismatch",
    )


def _damaged_archive() -> UploadRejected:
    return _reject(
        gettext("Das Dokument ist beschädigt und kann nicht geöffnet werden (fehlerhaftes DOCX/ODT-Archiv)."),
        "damaged_archive",
    )


def _macros() -> UploadRejected:
    return _reject(
        gettext(
            "Dokumente mit Makros oder aktiven Inhalten sind nicht erlaubt. "
            "Bitte speichern Sie das Dokument ohne Makros (z. B. als DOCX statt DOCM)."
        ),
        "macros",
    )


def _archive_bomb() -> UploadRejected:
    return _reject(
        gettext(
            "Das Dokument ist ungewöhnlich stark komprimiert oder besteht aus zu vielen Teilen "
            "und wird aus Sicherheitsgründen abgelehnt."
        ),
        "archive_bomb",
    )


def _damaged_image() -> UploadRejected:
    return _reject(gettext("Das Bild ist beschädigt oder kann nicht gelesen werden."), "damaged_image")


def _image_too_large() -> UploadRejected:
    return _reject(
        gettext("Das Bild hat eine zu hohe Auflösung. Erlaubt sind höchstens %(limit)s Megapixel.")
        % {"limit": IMAGE_MAX_PIXELS // 1_000_000},
        "image_too_large",
    )


def _pdf_damaged() -> UploadRejected:
    return _reject(gettext("Die PDF-Datei ist beschädigt oder kann nicht gelesen werden."), "pdf_damaged")


def _pdf_encrypted() -> UploadRejected:
    return _reject(
        gettext(
            "Verschlüsselte oder passwortgeschützte PDF-Dateien sind nicht erlaubt. "
            "Bitte laden Sie die Datei ohne Passwortschutz hoch."
        ),
        "pdf_encrypted",
    )


def _pdf_active_content() -> UploadRejected:
    return _reject(
        gettext(
            "Die PDF-Datei enthält aktive Inhalte (z. B. JavaScript, Aktionen, Formularübermittlung "
            "oder eingebettete Dateien) und wird aus Sicherheitsgründen abgelehnt."
        ),
        "pdf_active_content",
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
            _inspect_pdf(data)
        elif content_type in (JPEG, PNG):
            _inspect_image(data, content_type)
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
        raise _reject(gettext("Die Datei ist leer."), "empty")
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
            return content_type if content_type else _inspect_zip(data)
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


# --------------------------------------------------------------------------- ZIP (DOCX / ODT)


_DOCX_REQUIRED = ("[Content_Types].xml", "word/document.xml")
_ODT_MIMETYPE = ODT.encode("ascii")


def _inspect_zip(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > ZIP_MAX_ENTRIES:
                raise _archive_bomb()
            if sum(info.file_size for info in infos) > ZIP_MAX_UNCOMPRESSED_BYTES:
                raise _archive_bomb()
            names = [info.filename for info in infos]
            if len(set(names)) != len(names):
                raise _damaged_archive()  # ambiguous archive (duplicate entries)
            if any(info.flag_bits & 0x1 for info in infos):
                raise _damaged_archive()  # encrypted entries cannot be inspected

            if infos and infos[0].filename == "mimetype" and infos[0].file_size == len(_ODT_MIMETYPE):
                if archive.read(infos[0]) == _ODT_MIMETYPE:
                    _check_odt_macros(names)
                    return ODT
            if all(required in names for required in _DOCX_REQUIRED):
                _check_docx_macros(archive, names)
                return DOCX
            return None
    except UploadRejected:
        raise
    except Exception as exc:  # BadZipFile, zlib.error, EOFError, NotImplementedError (compression), ...
        logger.info("ZIP inspection failed: %r", exc)
        raise _damaged_archive() from None


def _check_docx_macros(archive: zipfile.ZipFile, names: list[str]) -> None:
    for name in names:
        lower = name.lower()
        base = lower.rsplit("/", 1)[-1]
        if base.startswith("vbaproject") or base == "vbadata.xml" or lower.startswith("word/activex/"):
            logger.info("DOCX rejected: macro part %s", name)
            raise _macros()
    with archive.open("[Content_Types].xml") as fh:
        content_types = fh.read(_ZIP_MAX_METADATA_BYTES + 1)
    if len(content_types) > _ZIP_MAX_METADATA_BYTES:
        raise _damaged_archive()
    lowered = content_types.lower()
    if b"macroenabled" in lowered or b"vbaproject" in lowered or b"ms-office.activex" in lowered:
        logger.info("DOCX rejected: macro content type declared")
        raise _macros()


_ODT_MACRO_SCRIPT = re.compile(r"^(?:Scripts/.+[^/]|Basic/[^/]+/(?!script-lb\.xml$|dialog-lb\.xml$)[^/]+\.xml)$")


def _check_odt_macros(names: list[str]) -> None:
    for name in names:
        if _ODT_MACRO_SCRIPT.match(name):
            logger.info("ODT rejected: macro part %s", name)
            raise _macros()


# --------------------------------------------------------------------------- images


def _inspect_image(data: bytes, content_type: str) -> None:
    from PIL import Image

    expected = "PNG" if content_type == PNG else "JPEG"
    try:
        with Image.open(io.BytesIO(data), formats=[expected]) as image:
            image.verify()
        with Image.open(io.BytesIO(data), formats=[expected]) as image:
            width, height = image.size
            if width <= 0 or height <= 0:
                raise _damaged_image()
            if width * height > IMAGE_MAX_PIXELS:
                raise _image_too_large()
            if expected == "JPEG":
                # Decode at 1/8 scale: still reads the whole entropy-coded data, far less memory.
                image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
            image.load()
    except UploadRejected:
        raise
    except Image.DecompressionBombError:
        raise _image_too_large() from None
    except Exception as exc:  # Pillow raises many types (OSError, SyntaxError, ValueError, ...)
        logger.info("Image rejected as damaged: %r", exc)
        raise _damaged_image() from None


# --------------------------------------------------------------------------- PDF


_PDF_STREAM_BODY = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r).*?endstream", re.S)
_PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_PDF_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_OBJ_HEADER = re.compile(rb"(?<![0-9])([0-9]{1,10})[\x00\t\n\x0c\r ]+([0-9]{1,5})[\x00\t\n\x0c\r ]+obj(?![A-Za-z])")


def _decode_pdf_name(raw: bytes) -> str:
    return "/" + _PDF_HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw).decode("latin-1")


def _strip_pdf_stream_bodies(data: bytes) -> bytes:
    # Stream bodies (images, fonts, compressed data) would produce random false positives;
    # their dictionaries stay visible. Objects inside object streams are covered by the pypdf walk.
    return _PDF_STREAM_BODY.sub(b"stream endstream", data)


def _pdf_raw_names(data: bytes) -> set[str]:
    """All PDF names outside stream bodies, with ``#xx`` escapes decoded."""
    return {_decode_pdf_name(m.group(1)) for m in _PDF_NAME.finditer(_strip_pdf_stream_bodies(data))}


def _pdf_raw_forbidden_names(data: bytes) -> set[str]:
    """Fallback byte scan: forbidden names anywhere outside stream bodies."""
    return _pdf_raw_names(data) & PDF_FORBIDDEN_NAMES


def _iter_pdf_objects(reader, data: bytes) -> Iterator[object]:
    """The trailer plus every indirect object: xref table, object streams, and raw ``N G obj`` headers."""
    from pypdf.generic import IndirectObject

    yield reader.trailer
    seen: set[tuple[int, int]] = set()
    listed: list[tuple[int, int]] = []
    for generation, entries in list(reader.xref.items()):
        listed.extend((idnum, generation) for idnum in list(entries))
    listed.extend((idnum, 0) for idnum in list(reader.xref_objStm))
    for idnum, generation in listed:
        if (idnum, generation) not in seen:
            seen.add((idnum, generation))
            yield reader.get_object(IndirectObject(idnum, generation, reader))
    # Objects present in the bytes but missing from the xref (viewers may "repair" and use them).
    for match in _PDF_OBJ_HEADER.finditer(_strip_pdf_stream_bodies(data)):
        key = (int(match.group(1)), int(match.group(2)))
        if key in seen:
            continue
        seen.add(key)
        try:
            obj = reader.get_object(IndirectObject(key[0], key[1], reader))
        except Exception:  # noqa: S112 - unparsable stray object; the raw scan still covers its bytes
            continue
        yield obj


def _pdf_parsed_forbidden_names(reader, data: bytes) -> set[str]:
    """Walk all objects parsed by pypdf (names already un-escaped) and collect forbidden names.

    Checks dictionary keys and name values, which covers ``/S /JavaScript`` style action types
    and ``/Subtype /FileAttachment`` annotations as well as ``/JS``, ``/EmbeddedFiles``, ``/XFA``.
    """
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    found: set[str] = set()
    visited_refs: set[tuple[int, int]] = set()
    nodes = 0
    for root in _iter_pdf_objects(reader, data):
        stack = [root]
        while stack:
            node = stack.pop()
            nodes += 1
            if nodes > _PDF_MAX_WALKED_NODES:
                raise _pdf_damaged()  # absurdly complex; refuse rather than skip checks
            if isinstance(node, IndirectObject):
                key = (node.idnum, node.generation)
                if key in visited_refs:
                    continue
                visited_refs.add(key)
                stack.append(node.get_object())
            elif isinstance(node, DictionaryObject):  # includes StreamObject
                for dict_key, value in node.items():
                    if str(dict_key) in PDF_FORBIDDEN_NAMES:
                        found.add(str(dict_key))
                    stack.append(value)
            elif isinstance(node, ArrayObject):
                stack.extend(node)
            elif isinstance(node, NameObject) and str(node) in PDF_FORBIDDEN_NAMES:
                found.add(str(node))
    return found


def _inspect_pdf(data: bytes) -> None:
    from pypdf import PdfReader

    raw_names = _pdf_raw_names(data)
    raw_forbidden = raw_names & PDF_FORBIDDEN_NAMES
    if raw_forbidden:
        logger.info("PDF rejected (byte scan): %s", sorted(raw_forbidden))
        raise _pdf_active_content()

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    except Exception as exc:
        logger.info("PDF could not be parsed: %r", exc)
        if "/Encrypt" in raw_names:
            raise _pdf_encrypted() from None
        raise _pdf_damaged() from None
    if encrypted:
        raise _pdf_encrypted()

    try:
        if len(reader.pages) == 0:
            raise _pdf_damaged()
        parsed_forbidden = _pdf_parsed_forbidden_names(reader, data)
    except UploadRejected:
        raise
    except Exception as exc:
        logger.info("PDF could not be walked: %r", exc)
        raise _pdf_damaged() from None
    if parsed_forbidden:
        logger.info("PDF rejected (object walk): %s", sorted(parsed_forbidden))
        raise _pdf_active_content()


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
