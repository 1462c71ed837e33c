"""What every upload check shares: the allowed content types and the error they raise."""

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
