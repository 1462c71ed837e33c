"""Facilitations for tests: awarded applications without the review round trip (fast), moderators."""

import io
import zipfile
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.roles import MODERATOR_GROUP, ensure_roles
from applications.models import Application
from facilitation import services
from tests.conftest import complete, make_pdf
from tests.factories import ApplicationFactory, FundingRoundFactory, MembershipFactory, UserFactory, make_academy_staff

BERLIN = ZoneInfo("Europe/Berlin")
#: Awards in these tests are released on 15 June 2020: the facilitation runs 1 July 2020 – 1 July 2022.
RELEASED = datetime(2020, 6, 15, 11, 0, tzinfo=BERLIN)


def make_moderator(*, daily_rate=Decimal("1000.00"), staff_user=None, **user):
    ensure_roles()
    person = UserFactory(is_staff=True, **user)
    person.groups.add(Group.objects.get(name=MODERATOR_GROUP))
    return services.ensure_facilitator(
        user=person, by=staff_user or make_academy_staff(), daily_rate=daily_rate, region="1", phone="0711 123"
    )


def make_facilitation(funding_round=None, *, by, amount=Decimal("40000.00"), facilitators=(), now=RELEASED):
    """An awarded application (set directly) and its facilitation (through the service)."""
    membership = MembershipFactory()
    funding_round = funding_round or FundingRoundFactory()
    application = complete(
        ApplicationFactory(funding_round=funding_round, organisation=membership.organisation), with_resolution=False
    )
    Application.objects.filter(pk=application.pk).update(
        status=Application.Status.AWARDED,
        awarded_amount=amount,
        reference_number=f"{funding_round.code}-{application.pk:04d}",
        sequence=application.pk,
        submitted_at=timezone.now(),
    )
    facilitation = services.create_facilitation_for_award(application=application, by=by, now=now)
    if facilitators:
        services.assign_facilitators(facilitation=facilitation, facilitators=facilitators, by=by)
    facilitation.member = membership.user
    return facilitation


@pytest.fixture
def moderator(academy):
    return make_moderator(staff_user=academy, email="moderatorin@fa.example", first_name="Mona", last_name="Moderation")


@pytest.fixture
def facilitation(academy, moderator):
    return make_facilitation(by=academy, facilitators=[moderator])


def upload(content, name, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf_upload(name="poster.pdf"):
    return upload(make_pdf("Poster"), name, "application/pdf")


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()
