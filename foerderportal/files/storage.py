"""Storing a checked upload in a model's file field: one way for attachments, reports and posters."""

import errno

from botocore.exceptions import BotoCoreError, ClientError
from django.db import transaction

from .checks import CheckedUpload, check_upload

#: What a storage raises when it is down, slow or refusing for a while: the local disk (OSError) or an
#: S3-compatible service (botocore's connection and response errors, after its own quick retries).
#: Tasks that store files retry these with backoff.
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)

# Local errors that pass (a disk or network file system that hangs or drops out for a while); a
# refused permission, a folder where a file should be and the like are configuration faults.
_TRANSIENT_ERRNOS = {
    errno.EIO,
    errno.EAGAIN,
    errno.EBUSY,
    errno.EINTR,
    errno.ETIMEDOUT,
    errno.ESTALE,
    errno.ENETDOWN,
    errno.ENETUNREACH,
    errno.EHOSTUNREACH,
    errno.ECONNREFUSED,
    errno.ECONNRESET,
}


def is_transient(error) -> bool:
    """Will the same read work later? A storage that is down, slow or overloaded: yes (503, retry);
    refused credentials, a missing permission, a wrong path: no (a fault for the operators, 500)."""
    if isinstance(error, BotoCoreError):  # no answer: connection refused or reset, timeout, endpoint down
        return True
    if isinstance(error, ClientError):  # an answer: only the service's own trouble passes
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        code = error.response.get("Error", {}).get("Code", "")
        return status >= 500 or status in (408, 429) or code in ("SlowDown", "RequestTimeout", "Throttling")
    if isinstance(error, OSError):
        return error.errno in _TRANSIENT_ERRNOS or isinstance(error, TimeoutError | ConnectionError)
    return False


#: the model fields ``store_upload`` fills, in this order: file, original name, content type, size, SHA-256
UPLOAD_FIELDS = ("file", "original_name", "content_type", "size", "sha256")


def store_upload(instance, uploaded_file, *, fields=UPLOAD_FIELDS, check=check_upload) -> CheckedUpload:
    """Check ``uploaded_file`` and put it into ``instance``, which the caller saves.

    ``check`` inspects the content (and raises ``UploadRejected``) and hashes it (SHA-256); the
    safe original name, detected content type, size and hash go into the ``fields``; the file is
    saved under the random name the field's ``upload_to`` gives. A file it replaces is deleted
    once the transaction commits.
    """
    checked = check(uploaded_file)
    file_field, name_field, type_field, size_field, hash_field = fields
    fieldfile = getattr(instance, file_field)
    old = (fieldfile.storage, fieldfile.name) if fieldfile else None
    setattr(instance, name_field, checked.safe_name)
    setattr(instance, type_field, checked.content_type)
    setattr(instance, size_field, checked.size)
    setattr(instance, hash_field, checked.sha256)
    uploaded_file.seek(0)
    fieldfile.save("upload", uploaded_file, save=False)
    if old:
        storage, path = old
        transaction.on_commit(lambda: storage.delete(path))
    return checked
