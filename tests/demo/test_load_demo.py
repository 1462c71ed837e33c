import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from applications.models import Application, FundingRound, Organisation

pytestmark = pytest.mark.django_db

SECOND_ROUND = [
    "Achern",
    "Althengstett",
    "Esslingen am Neckar",
    "Freiburg im Breisgau",
    "Freudenberg",
    "Heidenheim an der Brenz",
    "Kraichtal",
    "Leinfelden-Echterdingen",
    "Neuenbürg",
    "Reutlingen",
    "Salach",
    "Schwäbisch Hall",
    "Weilheim an der Teck",
]


def test_load_demo_is_idempotent_and_complete(settings, capsys):
    settings.DEBUG = True
    call_command("load_demo")
    counts = (
        Organisation.objects.count(),
        FundingRound.objects.count(),
        Application.objects.count(),
        User.objects.count(),
    )
    call_command("load_demo")
    assert (
        Organisation.objects.count(),
        FundingRound.objects.count(),
        Application.objects.count(),
        User.objects.count(),
    ) == counts

    output = capsys.readouterr().out
    assert "antrag@demo.example" in output and "akademie@demo.example" in output

    second = FundingRound.objects.get(code="IBE-2020")
    assert timezone.localtime(second.deadline).strftime("%d.%m.%Y %H:%M:%S") == "06.03.2020 23:59:59"
    assert sorted(a.organisation.name for a in second.applications.all()) == sorted(SECOND_ROUND)
    assert all(a.reference_number for a in second.applications.all())
    assert Organisation.objects.get(name="Freiburg im Breisgau").key == "08311000"
    assert Organisation.objects.filter(kind="gvv").exists()
    assert Organisation.objects.filter(name="Alb-Donau-Kreis", kind="landkreis", key="08425000").exists()

    demo = FundingRound.objects.get(code="DEMO")
    assert demo.accepts_submissions_at(timezone.now())
    assert demo.days_left(timezone.now()) == 30


def test_load_demo_refuses_without_debug(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo")


def test_demo_second_round_is_reviewed_and_awarded(settings):
    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo")
    second = FundingRound.objects.get(code="IBE-2020")
    awarded = second.applications.filter(status="awarded")
    assert awarded.count() == 13
    assert sum(a.awarded_amount for a in awarded) == second.budget
    assert second.criteria.count() == 4
    assert all(a.reviews.get().status == "finished" for a in awarded)
