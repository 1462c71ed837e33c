"""PDF attachments: no active content (JavaScript, launch and submit actions, embedded files,
XFA, RichMedia), no actions that run by themselves or reach other files, no encryption, and
pypdf must be able to read the pages.

Two independent passes: a byte scan for forbidden names outside stream bodies, then a walk
over every object pypdf parses (names already un-escaped, object streams, name trees and
objects missing from the xref included).

What counts as a remote or automatic action (``pdf_remote_action``):

* ``/GoToR`` and ``/GoToE`` anywhere: they open another file (local, on a share or a URL) or a
  file embedded elsewhere; an attachment never needs that. ``/Launch``, ``/SubmitForm`` and
  ``/ImportData`` are refused anywhere as active content (they run programs, send the form's
  data to an address or load data from another file, even when clicked).
* What runs without a click: ``/OpenAction`` (on opening) and every ``/AA`` (additional
  actions of the document, pages, annotations and fields: open, close, print, hover, focus …)
  may only be destinations or ``/GoTo`` actions within the document, along their whole
  ``/Next`` chain. So ``/URI`` reached from them is refused (the viewer would contact an
  address when the file is opened), as is any other action type there.
* Links the reader clicks (``/A`` of a link annotation or bookmark, ``/S /URI``) are accepted:
  council resolutions and reports link to web pages. Their address must be ``http:``,
  ``https:`` or ``mailto:``; ``file:``, ``javascript:``, UNC paths (``\\\\server\\share``, which make
  Windows send the reader's credentials) and scheme-less addresses are refused.
"""

import io
import logging
import re
from collections.abc import Iterator

from django.utils.translation import gettext

from .base import UploadRejected, is_web_link, reject

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
# Actions that open another file or a file embedded in another one: refused wherever they occur.
PDF_REMOTE_ACTION_NAMES = frozenset({"/GoToR", "/GoToE"})
# The only actions allowed to run without a click (/OpenAction, /AA): jumps within the document.
_PDF_AUTOMATIC_ACTIONS_ALLOWED = frozenset({"/GoTo"})
_PDF_MAX_WALKED_NODES = 2_000_000
_PDF_MAX_ACTION_CHAIN = 10_000


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


def _pdf_remote_action() -> UploadRejected:
    return reject(
        gettext(
            "Die PDF-Datei enthält Aktionen, die beim Öffnen von selbst ausgeführt werden oder andere "
            "Dateien bzw. Adressen aufrufen, und wird aus Sicherheitsgründen abgelehnt. Gewöhnliche Links "
            "auf Webseiten (http, https) und E-Mail-Adressen sind erlaubt."
        ),
        "pdf_remote_action",
    )


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


def _pdf_walk(reader, data: bytes) -> tuple[set[str], set[str]]:
    """Walk all objects parsed by pypdf (names already un-escaped): forbidden names and remote actions.

    The first set holds forbidden names (dictionary keys and name values), which covers
    ``/S /JavaScript`` style action types and ``/Subtype /FileAttachment`` annotations as well as
    ``/JS``, ``/EmbeddedFiles``, ``/XFA``. The second describes remote or automatic actions,
    e.g. ``"/GoToR"``, ``"/OpenAction /URI"``, ``"/AA /Launch"``, ``"/URI file"``.
    """
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    found: set[str] = set()
    remote: set[str] = set()
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
                remote |= _pdf_dictionary_actions(node)
                for dict_key, value in node.items():
                    if str(dict_key) in PDF_FORBIDDEN_NAMES:
                        found.add(str(dict_key))
                    stack.append(value)
            elif isinstance(node, ArrayObject):
                stack.extend(node)
            elif isinstance(node, NameObject):
                if str(node) in PDF_FORBIDDEN_NAMES:
                    found.add(str(node))
                elif str(node) in PDF_REMOTE_ACTION_NAMES:
                    remote.add(str(node))
    return found, remote


def _pdf_parsed_forbidden_names(reader, data: bytes) -> set[str]:
    """Forbidden names found by the object walk (see ``_pdf_walk``)."""
    return _pdf_walk(reader, data)[0]


def _pdf_parsed_remote_actions(reader, data: bytes) -> set[str]:
    """Remote or automatic actions found by the object walk (see ``_pdf_walk``)."""
    return _pdf_walk(reader, data)[1]


def _pdf_dictionary_actions(node) -> set[str]:
    """Remote or automatic actions a dictionary starts: its /OpenAction, its /AA, its own /URI."""
    from pypdf.generic import DictionaryObject

    remote: set[str] = set()
    if "/OpenAction" in node:
        remote |= _pdf_automatic_action("/OpenAction", node["/OpenAction"])
    additional = _resolve(node.get("/AA"))
    if isinstance(additional, DictionaryObject):
        for action in additional.values():
            remote |= _pdf_automatic_action("/AA", action)
    if _resolve(node.get("/S")) == "/URI":
        address = _pdf_string(_resolve(node.get("/URI")))
        if not is_web_link(address):
            remote.add(f"/URI {address.strip()[:20]}")
    return remote


def _pdf_automatic_action(trigger: str, value) -> set[str]:
    """What an action run without a click does beyond jumping within the document (empty if nothing)."""
    from pypdf.generic import ArrayObject, DictionaryObject

    value = _resolve(value)
    if isinstance(value, ArrayObject):  # /OpenAction [page /Fit]: a destination, not an action
        return set()
    remote: set[str] = set()
    seen: set[int] = set()
    stack = [value]
    while stack:
        action = _resolve(stack.pop())
        if id(action) in seen:
            continue
        seen.add(id(action))
        if len(seen) > _PDF_MAX_ACTION_CHAIN:
            raise _pdf_damaged()  # an absurd /Next chain; refuse rather than skip checks
        if isinstance(action, ArrayObject):  # /Next may be an array of actions
            stack.extend(action)
            continue
        if not isinstance(action, DictionaryObject):
            remote.add(f"{trigger} ?")
            continue
        kind = str(_resolve(action.get("/S")))
        if kind not in _PDF_AUTOMATIC_ACTIONS_ALLOWED:
            remote.add(f"{trigger} {kind}")
        if "/Next" in action:
            stack.append(action["/Next"])
    return remote


def _resolve(value):
    from pypdf.generic import IndirectObject

    return value.get_object() if isinstance(value, IndirectObject) else value


def _pdf_string(value) -> str:
    """A PDF string as text (byte strings as Latin-1)."""
    from pypdf.generic import ByteStringObject

    if isinstance(value, ByteStringObject | bytes):
        return bytes(value).decode("latin-1")
    return str(value) if value is not None else ""


def inspect_pdf(data: bytes) -> None:
    from pypdf import PdfReader

    raw_names = _pdf_raw_names(data)
    raw_forbidden = raw_names & PDF_FORBIDDEN_NAMES
    if raw_forbidden:
        logger.info("PDF rejected (byte scan): %s", sorted(raw_forbidden))
        raise _pdf_active_content()
    raw_remote = raw_names & PDF_REMOTE_ACTION_NAMES
    if raw_remote:
        logger.info("PDF rejected (byte scan): %s", sorted(raw_remote))
        raise _pdf_remote_action()

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
        parsed_forbidden, parsed_remote = _pdf_walk(reader, data)
    except UploadRejected:
        raise
    except Exception as exc:
        logger.info("PDF could not be walked: %r", exc)
        raise _pdf_damaged() from None
    if parsed_forbidden:
        logger.info("PDF rejected (object walk): %s", sorted(parsed_forbidden))
        raise _pdf_active_content()
    if parsed_remote:
        logger.info("PDF rejected (object walk): %s", sorted(parsed_remote))
        raise _pdf_remote_action()
