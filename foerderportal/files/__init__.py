"""Uploaded and downloaded files: the shared kernel's public API.

* ``check_upload`` sniffs the type from magic bytes, enforces ``settings.ATTACHMENT_MAX_BYTES``
  and runs the format checks (``pdf``, ``office``, ``images``); it returns a ``CheckedUpload``
  or raises ``UploadRejected`` with a German message;
* ``store_upload`` checks an upload and stores it with its name, type, size and SHA-256;
* ``file_response`` / ``bytes_response`` answer a download with the protective headers (an
  unreachable storage raises ``StorageUnavailable``: a German 503 page, see the middleware);
  ``open_stored`` reads a stored file through its storage (never a local path).
"""

from .base import DOCX, EXTENSIONS, JPEG, ODT, PDF, PNG, UploadRejected
from .checks import CheckedUpload, check_upload, safe_filename
from .responses import StorageUnavailable, bytes_response, file_response, open_stored, protect_download
from .storage import STORAGE_ERRORS, UPLOAD_FIELDS, store_upload

__all__ = [
    "DOCX",
    "EXTENSIONS",
    "JPEG",
    "ODT",
    "PDF",
    "PNG",
    "STORAGE_ERRORS",
    "StorageUnavailable",
    "UPLOAD_FIELDS",
    "CheckedUpload",
    "UploadRejected",
    "bytes_response",
    "check_upload",
    "file_response",
    "open_stored",
    "protect_download",
    "safe_filename",
    "store_upload",
]
