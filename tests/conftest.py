import io
import os

import pytest
from django.core.files.base import ContentFile
from pypdf import PdfWriter

from applications.models import Attachment

from .factories import COMPLETE_FIELDS, ApplicationFactory, MembershipFactory


@pytest.fixture(autouse=True)
def _fast_hashing_and_private_media(settings, tmp_path):
    # Fast password hashing in tests; uploads go to a throwaway folder.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


def require_service(reason):
    """Skip locally, fail in CI: a CI run must never pass without the services its tests need."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI must run this test: {reason}", pytrace=False)
    pytest.skip(f"{reason} (skipped outside CI; set DATABASE_URL=postgres://postgres@127.0.0.1:5432/foerderportal)")


@pytest.fixture(autouse=True)
def _postgres_marker(request):
    # Tests marked ``postgres`` need real row locks (SKIP LOCKED, concurrent transactions).
    if request.node.get_closest_marker("postgres") is None:
        return
    from django.db import connection

    if connection.vendor != "postgresql":
        require_service("needs PostgreSQL for concurrent row locks")


@pytest.fixture(autouse=True)
def _reset_celery_join_flag():
    # Eager tasks run in threads can leave Celery's process-wide "join would block" flag set,
    # which breaks every later result.get() in the process.
    yield
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)


def make_pdf(title="Beschluss"):
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def pdf_bytes():
    return make_pdf()


@pytest.fixture
def member(db):
    """A confirmed member of an organisation."""
    return MembershipFactory()


@pytest.fixture
def draft(member):
    return ApplicationFactory(organisation=member.organisation)


def complete(application, *, with_resolution=True):
    for name, value in COMPLETE_FIELDS.items():
        setattr(application, name, value)
    application.save()
    if with_resolution:
        attachment = Attachment(
            application=application,
            kind=Attachment.Kind.RESOLUTION,
            original_name="beschluss.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
        )
        attachment.file.save("upload", ContentFile(make_pdf()), save=False)
        attachment.size = attachment.file.size
        attachment.save()
    return application


@pytest.fixture
def complete_draft(draft):
    return complete(draft)
