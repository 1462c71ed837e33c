"""Private S3-compatible object storage for everything uploaded or generated (attachments, letters,
reports, posters, message attachments, a call's documents).

Every node reads and writes the same bucket, so nothing a request needs lives on one machine's
disk. The bucket is never exposed: objects are written ``private``, ``url()`` refuses (downloads
go through the permission-checked views, which stream the object), and an existing key is never
overwritten (``file_overwrite`` off: a released letter's bytes and hash stay what they were).
"""

from botocore.config import Config
from django.core.files import File
from storages.backends.s3 import S3Storage


class PrivateObjectStorage(S3Storage):
    def get_default_settings(self):
        defaults = super().get_default_settings()
        defaults.update(
            default_acl="private",
            file_overwrite=False,
            # url() refuses anyway; should it ever be allowed, its URLs would be signed and expire.
            querystring_auth=True,
            # A slow or unreachable storage fails a request or task in seconds, not minutes: botocore
            # retries briefly, the letter tasks then retry with backoff (files.STORAGE_ERRORS).
            client_config=Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"}),
            # Reads larger than this spill to a temporary file instead of memory.
            max_memory_size=2 * 1024 * 1024,
        )
        return defaults

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise NotImplementedError("Stored files have no URL: downloads go through the permission-checked views.")

    def open_stream(self, name) -> File:
        """The object as a read-once stream (no temporary copy), with its ``size``; a missing key raises
        ``FileNotFoundError`` like every storage."""
        key = self._normalize_name(name)
        client = self.connection.meta.client
        try:
            response = client.get_object(Bucket=self.bucket_name, Key=key)
        except client.exceptions.NoSuchKey as error:
            raise FileNotFoundError(name) from error
        stream = File(response["Body"], name=name)
        stream.size = response["ContentLength"]
        return stream

    def check_reachable(self):
        """Raise unless the bucket answers with these credentials (one HEAD request; /readyz)."""
        self.connection.meta.client.head_bucket(Bucket=self.bucket_name)
