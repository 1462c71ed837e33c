"""DOCX and ODT attachments (ZIP containers): zip-bomb limits, no macros or ActiveX parts.

``inspect_zip`` both tells DOCX from ODT and inspects the archive completely.
"""

import io
import logging
import re
import zipfile

from django.utils.translation import gettext

from .base import DOCX, ODT, UploadRejected, reject

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
