"""What every upload check shares: the allowed content types and the error they raise."""

import re

from django.core.exceptions import ValidationError

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"

#: detected content type -> canonical extension
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png", DOCX: "docx", ODT: "odt"}


class UploadRejected(ValidationError):
    """The uploaded attachment is not acceptable (German message, specific ``code``)."""


def reject(message: str, code: str) -> UploadRejected:
    return UploadRejected(message, code=code)


_WEB_LINK = re.compile(r"(?:https?|mailto):", re.I)
_LEADING_BLANKS = "".join(chr(c) for c in range(33))


def is_web_link(target: str) -> bool:
    """Whether a link the reader clicks goes to a web page or an e-mail address (http, https, mailto).

    Leading blanks and control characters are dropped first, as viewers and browsers do; local
    files, shares (UNC paths), ``javascript:`` and scheme-less targets are not web links.
    """
    return bool(_WEB_LINK.match(target.lstrip(_LEADING_BLANKS)))
