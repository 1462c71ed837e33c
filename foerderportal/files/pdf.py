"""PDF attachments: no active content (JavaScript, launch and submit actions, embedded files,
XFA, RichMedia), no encryption, and pypdf must be able to read the pages.

Two independent passes: a byte scan for forbidden names outside stream bodies, then a walk
over every object pypdf parses (names already un-escaped, object streams included).
"""

import io
import logging
import re
from collections.abc import Iterator

from django.utils.translation import gettext

from .base import UploadRejected, reject

logger = logging.getLogger(__name__)

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


def _pdf_damaged() -> UploadRejected:
    return reject(gettext("Die PDF-Datei ist beschädigt oder kann nicht gelesen werden."), "pdf_damaged")


def _pdf_encrypted() -> UploadRejected:
    return reject(
        gettext(
            "Verschlüsselte oder passwortgeschützte PDF-Dateien sind nicht erlaubt. "
            "Bitte laden Sie die Datei ohne Passwortschutz hoch."
        ),
        "pdf_encrypted",
    )


def _pdf_active_content() -> UploadRejected:
    return reject(
        gettext(
            "Die PDF-Datei enthält aktive Inhalte (z. B. JavaScript, Aktionen, Formularübermittlung "
            "oder eingebettete Dateien) und wird aus Sicherheitsgründen abgelehnt."
        ),
        "pdf_active_content",
    )


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


def inspect_pdf(data: bytes) -> None:
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
