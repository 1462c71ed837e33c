"""Migrate the throwaway database of tests/test_multinode.py and seed it, in one process (one start-up):

    python -m tests.multinode_seed   (DJANGO_SETTINGS_MODULE=foerderportal.settings, DATABASE_URL=…)

Prints one JSON object as its last line: who logs in where, and the ids the test drives.
"""

import hashlib
import io
import json
from datetime import datetime, time, timedelta

import django


def _pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def seed() -> dict:
    from django.core.files.base import ContentFile
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.roles import ensure_roles
    from applications.models import Attachment
    from applications.services import submit_application
    from reviews.services import award_application, move_to_review
    from tests.factories import (
        BERLIN,
        COMPLETE_FIELDS,
        ApplicationFactory,
        FundingRoundFactory,
        MembershipFactory,
        make_academy_staff,
        while_open,
    )

    ensure_roles()
    # An open round whose 7-day deadline reminder is due now (the workers have no time machine).
    deadline = datetime.combine(timezone.localdate() + timedelta(days=7), time(23, 59, 59), tzinfo=BERLIN)
    open_round = FundingRoundFactory(deadline=deadline, reminder_offsets=[7])
    applicant = MembershipFactory()
    draft = ApplicationFactory(funding_round=open_round, organisation=applicant.organisation, **COMPLETE_FIELDS)
    # Three more municipalities with drafts: each must get the reminder exactly once.
    reminded = [MembershipFactory() for _ in range(3)]
    for membership in reminded:
        ApplicationFactory(funding_round=open_round, organisation=membership.organisation)

    # A closed four-eyes round with an application in review whose award one colleague proposed;
    # the other releases it over HTTP.
    closed_round = FundingRoundFactory(closed=True, four_eyes=True)
    addressee = MembershipFactory()
    proposer, releaser = make_academy_staff(), make_academy_staff()
    decided = ApplicationFactory(funding_round=closed_round, organisation=addressee.organisation, **COMPLETE_FIELDS)
    resolution = Attachment(
        application=decided,
        kind=Attachment.Kind.RESOLUTION,
        original_name="beschluss.pdf",
        content_type="application/pdf",
    )
    pdf = _pdf()
    resolution.size, resolution.sha256 = len(pdf), hashlib.sha256(pdf).hexdigest()
    resolution.file.save("upload", ContentFile(pdf))
    decided = submit_application(declared=True, application=decided, user=addressee.user, now=while_open(closed_round))
    decided = move_to_review(application=decided, by=proposer)
    decision = award_application(application=decided, by=proposer)
    # Staff pass a second factor after the password: the releaser's authenticator, its key for the test.
    authenticator = TOTPDevice.objects.create(user=releaser, name="Test-App", confirmed=True)
    return {
        "password": "Sicheres-Passwort-1",  # tests.factories.UserFactory's
        "applicant": applicant.user.email,
        "draft": draft.pk,
        "reminded": sorted(m.user.email for m in reminded),
        "addressee": addressee.user.email,
        "releaser": releaser.email,
        "releaser_totp_key": authenticator.key,
        "decision": decision.pk,
    }


if __name__ == "__main__":
    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    print(json.dumps(seed()))
