"""DOCX and ODT attachments (ZIP containers): zip-bomb limits, no macros or ActiveX parts, no
embedded OLE objects, nothing the word processor loads from elsewhere.

``inspect_zip`` both tells DOCX from ODT and inspects the archive completely.

Embedded objects (``embedded_objects``): any part that is an OLE compound file (an embedded
Excel sheet, package or program; ``word/embeddings/*.bin``, an ODT ``Object N`` written by an
OLE server), every ``oleObject`` relationship and ODT ``draw:object-ole``. Charts and formulas
are not OLE (DOCX: an ``.xlsx`` package; ODT: an ``Object N/`` folder of XML) and stay accepted.

External content (``external_content``), what a word processor fetches or opens by itself:

* DOCX: every relationship (``*.rels``) with ``TargetMode="External"`` except ``hyperlink``
  (e.g. ``attachedTemplate``, the template-injection trick; ``oleObject``, ``subDocument``,
  ``frame``, linked images); ``altChunk`` (imported HTML/RTF), ``subDocument``, ``frame`` and
  ``attachedTemplate`` even inside the package.
* ODT (``content.xml``, ``styles.xml``, ``meta.xml``, also those of embedded objects): an
  ``xlink:href`` that leaves the package on anything but a clicked link (linked sections,
  objects, images, the document template, auto-reload, script event bindings), floating
  frames, applets, plug-ins and DDE links.
* Links the reader clicks (DOCX ``hyperlink`` relationships, ODT ``text:a``/``draw:a``) are
  accepted with ``http:``, ``https:`` and ``mailto:`` addresses (and ODT in-document ``#``
  anchors), as in PDFs; links to local files, shares (``\\\\server``) or scripts are refused.
"""

import io
import logging
import re
import zipfile
from xml.parsers import expat

from django.utils.translation import gettext

from .base import DOCX, ODT, UploadRejected, is_web_link, reject

logger = logging.getLogger(__name__)

# Zip bomb limits (DOCX/ODT).
ZIP_MAX_ENTRIES = 2000
ZIP_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
_ZIP_MAX_METADATA_BYTES = 1024 * 1024  # [Content_Types].xml is tiny in practice


def _damaged_archive() -> UploadRejected:
    return reject(
        gettext("Das Dokument ist beschädigt und kann nicht geöffnet werden (fehlerhaftes DOCX/ODT-Archiv)."),
        "damaged_archive",
    )


def _macros() -> UploadRejected:
    return reject(
        gettext(
            "Dokumente mit Makros oder aktiven Inhalten sind nicht erlaubt. "
            "Bitte speichern Sie das Dokument ohne Makros (z. B. als DOCX statt DOCM)."
        ),
        "macros",
    )


def _archive_bomb() -> UploadRejected:
    return reject(
        gettext(
            "Das Dokument ist ungewöhnlich stark komprimiert oder besteht aus zu vielen Teilen "
            "und wird aus Sicherheitsgründen abgelehnt."
        ),
        "archive_bomb",
    )


def _embedded_objects() -> UploadRejected:
    return reject(
        gettext(
            "Das Dokument enthält eingebettete Objekte (OLE, z. B. eingebettete Tabellen oder Programme) "
            "und wird aus Sicherheitsgründen abgelehnt. Bitte fügen Sie die Inhalte direkt ein oder "
            "laden Sie das Dokument als PDF hoch."
        ),
        "embedded_objects",
    )


def _external_content() -> UploadRejected:
    return reject(
        gettext(
            "Das Dokument lädt Inhalte aus anderen Dateien oder von externen Adressen (z. B. eine "
            "verknüpfte Dokumentvorlage, verknüpfte Objekte, Bereiche oder Rahmen) oder enthält Links "
            "auf lokale Dateien und wird aus Sicherheitsgründen abgelehnt. Bitte speichern Sie es ohne "
            "diese Verknüpfungen oder laden Sie es als PDF hoch. Gewöhnliche Links auf Webseiten sind erlaubt."
        ),
        "external_content",
    )


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_URI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_XML_CHUNK = 64 * 1024

_DOCX_REQUIRED = ("[Content_Types].xml", "word/document.xml")
_ODT_MIMETYPE = ODT.encode("ascii")


def inspect_zip(data: bytes) -> str | None:
    """``DOCX`` or ``ODT`` for an acceptable document, ``None`` for any other ZIP; raises if unsafe."""
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
                    _check_no_ole_parts(archive, infos)
                    _check_odt_links(archive, names)
                    return ODT
            if all(required in names for required in _DOCX_REQUIRED):
                _check_docx_macros(archive, names)
                _check_no_ole_parts(archive, infos)
                _check_docx_relationships(archive, names)
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


def _check_no_ole_parts(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    for info in infos:
        if info.is_dir() or info.file_size < len(_OLE_MAGIC):
            continue
        lower = info.filename.lower()
        if lower.startswith("word/embeddings/") and lower.endswith(".bin"):
            logger.info("Document rejected: OLE part %s", info.filename)
            raise _embedded_objects()
        with archive.open(info) as fh:
            if fh.read(len(_OLE_MAGIC)) == _OLE_MAGIC:
                logger.info("Document rejected: OLE compound file %s", info.filename)
                raise _embedded_objects()


def _scan_xml(archive: zipfile.ZipFile, name: str, on_element) -> None:
    """Stream one XML part through expat (namespaces as ``"uri local"``); a DTD is refused."""

    def no_dtd(*args):
        raise _damaged_archive()  # OOXML and ODF never declare one (entity expansion, XXE)

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    parser.StartElementHandler = on_element
    with archive.open(name) as fh:
        while chunk := fh.read(_XML_CHUNK):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


# DOCX relationship types (last segment of the Type URI, lower-case), whatever their target mode.
_DOCX_EXTERNAL_TYPES = frozenset({"afchunk", "subdocument", "frame", "attachedtemplate"})


def _check_docx_relationships(archive: zipfile.ZipFile, names: list[str]) -> None:
    def on_element(tag: str, attrs: dict) -> None:
        if tag.rsplit(" ", 1)[-1] != "Relationship":
            return
        kind = attrs.get("Type", "").rstrip("/").rsplit("/", 1)[-1].lower()
        external = attrs.get("TargetMode", "").strip().lower() == "external"
        if kind == "oleobject" and not external:
            logger.info("DOCX rejected: embedded OLE relationship in %s", name)
            raise _embedded_objects()
        if kind in _DOCX_EXTERNAL_TYPES or (external and kind != "hyperlink"):
            logger.info("DOCX rejected: %s relationship in %s", kind, name)
            raise _external_content()
        if external and not is_web_link(attrs.get("Target", "")):
            logger.info("DOCX rejected: hyperlink to a local target in %s", name)
            raise _external_content()

    for name in names:
        if name.lower().endswith(".rels"):
            _scan_xml(archive, name, on_element)


_XLINK_HREF = "http://www.w3.org/1999/xlink href"
_ODF_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0 "
_ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0 "
_ODF_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0 "
_ODF_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0 "
#: links the reader clicks
_ODT_CLICKED_LINKS = frozenset({_ODF_TEXT + "a", _ODF_DRAW + "a"})
#: elements that load or run something from elsewhere, whatever their attributes
_ODT_EXTERNAL_ELEMENTS = frozenset(
    {
        _ODF_DRAW + "floating-frame",
        _ODF_DRAW + "applet",
        _ODF_DRAW + "plugin",
        _ODF_OFFICE + "dde-source",
        _ODF_TEXT + "dde-connection-decl",
        _ODF_TEXT + "dde-connection",
        _ODF_TABLE + "dde-link",
    }
)
_ODT_SCANNED_PARTS = ("content.xml", "styles.xml", "meta.xml")


def _check_odt_links(archive: zipfile.ZipFile, names: list[str]) -> None:
    def on_element(tag: str, attrs: dict) -> None:
        if tag == _ODF_DRAW + "object-ole":
            logger.info("ODT rejected: OLE object in %s", name)
            raise _embedded_objects()
        if tag in _ODT_EXTERNAL_ELEMENTS:
            logger.info("ODT rejected: %s in %s", tag, name)
            raise _external_content()
        href = attrs.get(_XLINK_HREF)
        if href is None:
            return
        if tag in _ODT_CLICKED_LINKS:
            acceptable = href.startswith("#") or is_web_link(href)
        else:
            acceptable = _inside_package(href.strip())
        if not acceptable:
            logger.info("ODT rejected: %s links outside the document in %s", tag, name)
            raise _external_content()

    for name in names:
        if name.rsplit("/", 1)[-1] in _ODT_SCANNED_PARTS:
            _scan_xml(archive, name, on_element)


def _inside_package(href: str) -> bool:
    """A reference to a part of the same document (``Pictures/1.png``, ``./Object 1``)."""
    if not href or _URI_SCHEME.match(href) or href.startswith(("/", "\\")):
        return False
    return ".." not in re.split(r"[/\\]", href)
