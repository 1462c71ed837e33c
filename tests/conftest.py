import html
import io
import os
import re

import pytest
from django.core.files.base import ContentFile
from pypdf import PdfWriter

from applications.models import Attachment
from applications.services import submit_application
from reviews.services import move_to_review

from .factories import (
    COMPLETE_FIELDS,
    ApplicationFactory,
    FundingRoundFactory,
    MembershipFactory,
    make_academy_staff,
    make_reviewer,
    while_open,
)
from .twofactor import TwoFactorClient


@pytest.fixture(autouse=True)
def _fast_hashing_and_private_media(settings, tmp_path):
    # Fast password hashing in tests; uploads go to a throwaway folder.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def client():
    """Django's test client; ``force_login`` of staff also passes the second factor (tests/twofactor.py)."""
    return TwoFactorClient()


def require_service(reason):
    """Skip locally, fail in CI: a CI run must never pass without the services its tests need."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI must run this test: {reason}", pytrace=False)
    pytest.skip(f"{reason} (skipped outside CI; set DATABASE_URL=postgres://postgres@127.0.0.1:5432/foerderportal)")


@pytest.fixture
def redis_url():
    """A running Redis (the worker test's broker, database 15 unless the environment names another)."""
    import redis

    url = os.environ.get("CELERY_WORKER_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        require_service(f"needs Redis at {url} ({error})")
    return url


@pytest.fixture(autouse=True)
def _empty_cache():
    # The mail limits (accounts.limits) count in the cache; each test starts with none counted.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _postgres_marker(request):
    # Tests marked ``postgres`` need real row locks (SKIP LOCKED, concurrent transactions).
    if request.node.get_closest_marker("postgres") is None:
        return
    from django.db import connection

    if connection.vendor != "postgresql":
        require_service("needs PostgreSQL for concurrent row locks")


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """A real S3-protocol server (moto's server mode in a subprocess) for the whole session."""
    from . import object_storage

    if not object_storage.moto_available():
        require_service("needs moto[server] (pip install -r requirements.txt) for the S3 storage tests")
    with object_storage.s3_server(tmp_path_factory.mktemp("s3") / "moto.log") as endpoint:
        yield endpoint


@pytest.fixture
def s3(settings, s3_endpoint):
    """Media go to a fresh, private bucket on the S3 server; yields a boto3 client and the bucket name."""
    from . import object_storage

    bucket = object_storage.new_bucket(s3_endpoint)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "foerderportal.files.object_storage.PrivateObjectStorage",
            "OPTIONS": object_storage.storage_options(s3_endpoint, bucket),
        },
    }
    # Nothing may reach the local folder: it must not even exist afterwards.
    settings.MEDIA_ROOT = settings.MEDIA_ROOT.parent / "media-must-stay-empty"
    yield object_storage.client(s3_endpoint), bucket
    assert not settings.MEDIA_ROOT.exists(), "a file was written to the local disk despite object storage"


@pytest.fixture(autouse=True)
def _s3_marker(request):
    # Tests marked ``s3`` run with media in a bucket of the real S3-protocol server.
    if request.node.get_closest_marker("s3") is not None:
        request.getfixturevalue("s3")


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


def submitted_application(funding_round, *, in_review=True, by=None, organisation_name=None):
    """A complete application of a new organisation, submitted, and moved to review unless ``in_review=False``.

    ``by`` moves it to review (a new academy staff user when not given); ``application.member`` is the
    organisation's confirmed member who submitted it.
    """
    membership = MembershipFactory(**({"organisation__name": organisation_name} if organisation_name else {}))
    application = complete(ApplicationFactory(funding_round=funding_round, organisation=membership.organisation))
    # Submitted while the round was open (a closed round's applications came in before its deadline).
    application = submit_application(
        declared=True, application=application, user=membership.user, now=while_open(funding_round)
    )
    if in_review:
        application = move_to_review(application=application, by=by or make_academy_staff())
    application.member = membership.user
    return application


# --- people, a round and an application shared by the review, letter and facilitation tests ---


@pytest.fixture
def academy(db):
    """A member of the academy's staff (the academy group): moves to review, decides, runs facilitations."""
    return make_academy_staff(email="akademie@fa.example", first_name="Anna", last_name="Akademie")


@pytest.fixture
def reviewer(db):
    """A member of the steering committee (the reviewer group)."""
    return make_reviewer(email="gutachterin@lenkungskreis.example", first_name="Gisela", last_name="Gutachter")


@pytest.fixture
def two_place_round(db):
    """A round whose deadline passed yesterday (so its applications may be decided), with two places
    and a budget for exactly two full packages."""
    funding_round = FundingRoundFactory(places=2, code="IDE-2026", closed=True)
    funding_round.budget = funding_round.max_per_package * 2
    funding_round.save()
    return funding_round


@pytest.fixture
def application(two_place_round, academy):
    """Esslingen am Neckar's application in the two-place round, submitted and in review."""
    return submitted_application(two_place_round, by=academy, organisation_name="Esslingen am Neckar")


# --- confirmation pages of the decision admin -----------------------------------------------

_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def confirmation_fields(response):
    """The hidden fields of a confirmation page's form (action, ids, input, the signed token)."""
    page = response.content.decode()
    assert 'name="confirmation"' in page, "expected the confirmation page"
    form = page[page.index('<form method="post">') :]
    fields = {}
    for name, value in _HIDDEN.findall(form[: form.index("</form>")]):
        fields.setdefault(name, []).append(html.unescape(value))
    return fields


def post_confirmed(client, url, data=None, **kwargs):
    """POST ``data`` to ``url``, expect the confirmation page, and confirm it (a second POST with its token)."""
    page = client.post(url, data or {})
    assert page.status_code == 200, page.status_code
    return client.post(url, confirmation_fields(page), **kwargs)


@pytest.fixture(autouse=True)
def _nothing_read_ahead_after_a_test():
    """A test that leaves a streamed response unread never sends request_finished: what its request
    read ahead from the cache must not reach the next test (foerderportal.caching)."""
    yield
    from foerderportal import caching

    caching.request_finished()


@pytest.fixture
def shared_cache(settings):
    """Production with Redis: a cache every worker shares, so the user and the memberships come from
    it (``CACHE_IS_SHARED``, ``AUTH_USER_CACHE``); the test process's memory cache stands in for it."""
    settings.CACHE_IS_SHARED = True
    settings.AUTH_USER_CACHE = True
