"""A download while the storage does not answer: a German page with 503 and Retry-After, never a 500,
and nothing is lost (the file answers again once the storage is back). A missing file stays 404."""

import errno

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

from foerderportal.files.storage import is_transient
from letters import services as letter_services
from letters.models import LetterDownload
from tests.factories import MembershipFactory
from tests.object_storage import free_port

pytestmark = pytest.mark.django_db


def _assert_german_503(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert response["Cache-Control"] == "no-store"
    assert "Content-Disposition" not in response
    page = response.content.decode()
    assert "<h1>Datei vorübergehend nicht abrufbar</h1>" in page
    assert "Die Datei ist nicht verloren" in page
    assert "Traceback" not in page and "OSError" not in page and "Errno" not in page


def test_a_disk_error_during_a_download_answers_a_german_503_and_the_file_answers_again_later(
    client, application, monkeypatch
):
    receipt = letter_services.issue_receipt(application_id=application.pk)
    url = reverse("letters:download", args=[receipt.pk])
    client.force_login(application.member)

    def broken(self, name, mode="rb"):
        raise OSError(errno.EIO, "Input/output error", name)

    with monkeypatch.context() as patched:
        patched.setattr(FileSystemStorage, "open", broken)
        _assert_german_503(client.get(url))
    # Not downloaded, so not recorded: the failed attempt is no notifying download of the letter.
    assert not LetterDownload.objects.filter(letter=receipt).exists()
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    assert LetterDownload.objects.filter(letter=receipt, user=application.member).count() == 1


def test_a_configuration_fault_is_no_503_it_is_an_error_for_the_operators(client, application, monkeypatch):
    receipt = letter_services.issue_receipt(application_id=application.pk)
    client.force_login(application.member)
    client.raise_request_exception = False

    def refused(self, name, mode="rb"):
        raise PermissionError(errno.EACCES, "Permission denied", name)

    monkeypatch.setattr(FileSystemStorage, "open", refused)
    response = client.get(reverse("letters:download", args=[receipt.pk]))
    assert response.status_code == 500
    assert not LetterDownload.objects.filter(letter=receipt).exists()


def _client_error(status, code):
    return ClientError({"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "GetObject")


def test_which_storage_errors_pass():
    assert is_transient(OSError(errno.EIO, "Input/output error"))
    assert is_transient(OSError(errno.ESTALE, "Stale file handle"))
    assert is_transient(TimeoutError())
    assert is_transient(EndpointConnectionError(endpoint_url="http://127.0.0.1:9"))
    assert is_transient(_client_error(503, "ServiceUnavailable"))
    assert is_transient(_client_error(503, "SlowDown"))
    assert is_transient(_client_error(500, "InternalError"))
    assert not is_transient(PermissionError(errno.EACCES, "Permission denied"))
    assert not is_transient(IsADirectoryError(errno.EISDIR, "Is a directory"))
    assert not is_transient(_client_error(403, "AccessDenied"))
    assert not is_transient(_client_error(403, "InvalidAccessKeyId"))


def test_a_storage_outage_is_not_a_way_around_the_permission_check(client, application, monkeypatch):
    receipt = letter_services.issue_receipt(application_id=application.pk)
    monkeypatch.setattr(FileSystemStorage, "open", lambda *args, **kwargs: (_ for _ in ()).throw(OSError(errno.EIO)))
    client.force_login(MembershipFactory().user)  # another organisation: still 404, not 503
    assert client.get(reverse("letters:download", args=[receipt.pk])).status_code == 404


@pytest.mark.s3
def test_an_unreachable_object_storage_answers_a_german_503_for_an_attachment_and_a_letter(
    client, settings, s3, application
):
    receipt = letter_services.issue_receipt(application_id=application.pk)
    attachment = application.attachments.first()
    client.force_login(application.member)
    working = settings.STORAGES["default"]
    down = {**working, "OPTIONS": {**working["OPTIONS"], "endpoint_url": f"http://127.0.0.1:{free_port()}"}}
    settings.STORAGES = {**settings.STORAGES, "default": down}
    _assert_german_503(client.get(reverse("letters:download", args=[receipt.pk])))
    url = reverse("applications:download_attachment", args=[application.pk, attachment.pk])
    _assert_german_503(client.get(url))
    settings.STORAGES = {**settings.STORAGES, "default": working}
    response = client.get(reverse("letters:download", args=[receipt.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
