"""Media through Django's STORAGES: the local folder by default, a private bucket of an S3-compatible
object storage when configured. The storage-relevant flows run against both, the S3 ones against a
real S3-protocol server (moto's server mode, started by the test session; tests/object_storage.py).

Checked on both: an upload is stored and streamed back only to its organisation, the receipt and a
decision letter are issued, downloaded and hash to their recorded SHA-256, a released letter's key is
never overwritten, a message attachment downloads. On S3 in addition: the objects are in the bucket,
private, without URL, and the local media folder stays untouched (the ``s3`` fixture checks that).
"""

import hashlib
import os
import subprocess
import sys

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse

from applications.models import Attachment
from correspondence import services as correspondence_services
from foerderportal.files import file_response, open_stored
from letters import services as letter_services
from letters.models import Letter
from reviews.services import award_application
from tests.conftest import complete, make_pdf
from tests.factories import ApplicationFactory, MembershipFactory

pytestmark = pytest.mark.django_db

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def media(request, settings):
    """Which storage the test runs against; for S3, the boto3 client and bucket (else ``None``)."""
    return request.getfixturevalue("s3") if request.param == "s3" else None


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _assert_private_object(media, name, content):
    """On S3: the object is in the bucket with exactly these bytes, and nobody but its owner is granted anything."""
    if media is None:
        return
    client, bucket = media
    assert client.get_object(Bucket=bucket, Key=name)["Body"].read() == content
    grants = client.get_object_acl(Bucket=bucket, Key=name)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert all(grant["Grantee"]["Type"] == "CanonicalUser" for grant in grants)


def test_an_uploaded_attachment_is_stored_and_streamed_only_to_its_organisation(client, member, media):
    draft = ApplicationFactory(organisation=member.organisation)
    pdf = make_pdf("Beschluss des Gemeinderats")
    client.force_login(member.user)
    response = client.post(
        reverse("applications:attachments", args=[draft.pk]),
        {"kind": "resolution", "file": SimpleUploadedFile("Beschluss.pdf", pdf, content_type="application/pdf")},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get(application=draft)
    assert attachment.sha256 == hashlib.sha256(pdf).hexdigest()
    _assert_private_object(media, attachment.file.name, pdf)

    url = reverse("applications:download_attachment", args=[draft.pk, attachment.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Length"] == str(len(pdf))
    assert response["Cache-Control"] == "private, no-store"
    assert _body(response) == pdf

    client.force_login(MembershipFactory().user)
    assert client.get(url).status_code == 404


def test_the_receipt_is_issued_downloaded_and_matches_its_hash(
    client, member, media, django_capture_on_commit_callbacks
):
    application = complete(ApplicationFactory(organisation=member.organisation))
    client.force_login(member.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applications:submit", args=[application.pk]), {"declaration": "on"})
    assert response.status_code == 302
    receipt = Letter.objects.get(application=application, kind=Letter.Kind.RECEIPT)

    response = client.get(reverse("letters:download", args=[receipt.pk]))
    assert response.status_code == 200
    body = _body(response)
    assert body.startswith(b"%PDF-")
    assert hashlib.sha256(body).hexdigest() == receipt.sha256
    assert len(body) == receipt.size
    _assert_private_object(media, receipt.file.name, body)


def test_a_decision_letter_downloads_with_its_hash_and_its_key_is_never_overwritten(
    client, application, academy, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decision = award_application(application=application, by=academy)
    letter = Letter.objects.get(decision=decision)
    client.force_login(application.member)
    response = client.get(reverse("letters:download", args=[letter.pk]))
    assert response.status_code == 200
    original = _body(response)
    assert hashlib.sha256(original).hexdigest() == letter.sha256

    # A second save under the same key gets another name; the released letter's bytes stay.
    other = default_storage.save(letter.file.name, ContentFile(b"%PDF- forged"))
    assert other != letter.file.name
    with open_stored(letter.file) as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == letter.sha256
    _assert_private_object(media, letter.file.name, original)

    with pytest.raises(letter_services.ReleasedLetterError):
        letter_services.rerender_draft(letter=letter, by=academy)


def test_a_message_attachment_downloads_for_the_member(client, application, media):
    pdf = make_pdf("Rückfrage")
    upload = SimpleUploadedFile("frage.pdf", pdf, content_type="application/pdf")
    message = correspondence_services.post_message(
        application=application, author=application.member, text="Frage", uploaded_file=upload
    )
    _assert_private_object(media, message.file.name, pdf)
    client.force_login(application.member)
    response = client.get(reverse("correspondence:download", args=[application.pk, message.pk]))
    assert _body(response) == pdf


def test_a_missing_object_answers_404(member, media):
    attachment = Attachment(application=ApplicationFactory(organisation=member.organisation))
    attachment.file.name = "attachments/gibt-es-nicht.pdf"
    with pytest.raises(Http404):
        file_response(attachment.file, filename="a.pdf", content_type="application/pdf")


@pytest.mark.s3
def test_stored_files_have_no_url_so_nothing_bypasses_the_permission_checks(s3):
    name = default_storage.save("attachments/probe.pdf", ContentFile(b"%PDF-"))
    with pytest.raises(NotImplementedError):
        default_storage.url(name)


def _storage_class(env):
    code = "from django.core.files.storage import storages; print(type(storages['default']).__name__)"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**clean, "DEBUG": "true", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_the_storage_is_the_local_folder_unless_a_bucket_is_configured():
    assert _storage_class({}) == "FileSystemStorage"
    bucket = {"AWS_STORAGE_BUCKET_NAME": "foerderportal", "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9"}
    assert _storage_class(bucket) == "PrivateObjectStorage"


@pytest.mark.s3
def test_an_unreachable_object_storage_loses_no_letter_the_task_retries(settings, s3, application, academy, mailoutbox):
    from letters import tasks
    from tests.object_storage import free_port

    award = award_application(application=application, by=academy)  # its letter task is enqueued on commit

    working = settings.STORAGES["default"]
    down = {**working, "OPTIONS": {**working["OPTIONS"], "endpoint_url": f"http://127.0.0.1:{free_port()}"}}
    settings.STORAGES = {**settings.STORAGES, "default": down}
    with pytest.raises(Exception) as outage:
        tasks.issue_decision_letter.run(award.pk)  # .run: no autoretry here, see what the retry finds
    assert isinstance(outage.value, tasks.issue_decision_letter.autoretry_for)
    assert not Letter.objects.filter(decision=award).exists() and not mailoutbox

    settings.STORAGES = {**settings.STORAGES, "default": working}
    assert tasks.issue_decision_letter.run(award.pk) == 1
    letter = Letter.objects.get(decision=award)
    with open_stored(letter.file) as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == letter.sha256
