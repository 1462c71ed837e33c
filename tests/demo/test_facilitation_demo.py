"""Demo data: round 2's thirteen facilitations with moderators, sessions, reports and a network meeting; idempotent."""

import pytest
from django.core.management import call_command

from facilitation.models import Facilitation, Facilitator, NetworkMeeting, NetworkMeetingRegistration, Report, Session

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Facilitation.objects.count(),
        Facilitator.objects.count(),
        Session.objects.count(),
        NetworkMeetingRegistration.objects.count(),
        Report.objects.exclude(status="open").count(),
    )


def test_load_demo_creates_running_facilitations_idempotently(settings, capsys):
    settings.DEBUG = True
    call_command("load_demo")
    first = _counts()
    call_command("load_demo")
    assert _counts() == first

    facilitations = Facilitation.objects.filter(application__funding_round__code="IBE-2020")
    assert facilitations.count() == 13
    assert all(1 <= f.facilitators.count() <= 2 for f in facilitations)
    assert all(f.sessions.exists() and f.milestones.filter(done_on__isnull=False).exists() for f in facilitations)
    assert Facilitator.objects.count() == 3
    assert NetworkMeeting.objects.filter(funding_round__code="IBE-2020").count() == 1
    assert NetworkMeetingRegistration.objects.exclude(poster="").count() == 3
    statuses = set(Report.objects.filter(kind="interim").values_list("status", flat=True))
    assert {"open", "submitted", "accepted"} <= statuses

    output = capsys.readouterr().out
    assert "moderation@demo.example / Demo-Moderation-2020" in output
    assert "kommune@demo.example / Demo-Kommune-2020" in output
