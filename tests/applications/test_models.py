from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from applications.models import FundingRound, Organisation, OrganisationKind
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("key", ["08116019", "081165007000", None])
def test_valid_official_keys(key):
    organisation = OrganisationFactory.build(key=key)
    organisation.full_clean()


@pytest.mark.parametrize("key", ["09162000", "0811601", "081160190", "0811601X", "08116500700"])
def test_invalid_official_keys_are_refused_in_german(key):
    organisation = OrganisationFactory.build(key=key)
    with pytest.raises(ValidationError) as error:
        organisation.full_clean()
    assert "beginnend mit 08 für Baden-Württemberg" in str(error.value)


def test_database_refuses_a_non_bw_key():
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="München", kind=OrganisationKind.STADTKREIS, key="09162000", region="1")


def test_all_applicant_kinds_exist():
    assert {label for _, label in OrganisationKind.choices} == {
        "Gemeinde",
        "Stadt",
        "Große Kreisstadt",
        "Stadtkreis",
        "Landkreis",
        "Gemeindeverwaltungsverband",
        "Vereinbarte Verwaltungsgemeinschaft",
    }


def test_admin_is_served_in_german(client):
    response = client.get("/admin/login/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/konto/anmelden/")
    assert "Anmelden" in response.content.decode()


def test_staff_cannot_add_applications_in_the_admin(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/applications/application/add/").status_code == 403
    assert client.get("/admin/applications/application/").status_code == 200
    assert client.get("/admin/applications/membership/").status_code == 200


def test_staff_confirm_membership_through_the_admin_action(client):
    from applications.models import Membership
    from tests.factories import MembershipFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    request = MembershipFactory(status=Membership.Status.REQUESTED)
    client.force_login(staff)
    response = client.post(
        "/admin/applications/membership/",
        {"action": "confirm", "_selected_action": [request.pk]},
        follow=True,
    )
    assert response.status_code == 200
    request.refresh_from_db()
    assert request.status == Membership.Status.CONFIRMED
    assert request.decided_by == staff


# --- how letters name an organisation (Organisation.designation) ---------------------------

DESIGNATION_CASES = [
    # kind, name as stored, nominative, genitive, dative, accusative
    (
        OrganisationKind.GEMEINDE,
        "Aichwald",
        "die Gemeinde Aichwald",
        "der Gemeinde Aichwald",
        "der Gemeinde Aichwald",
        "die Gemeinde Aichwald",
    ),
    (
        OrganisationKind.STADT,
        "Tübingen",
        "die Stadt Tübingen",
        "der Stadt Tübingen",
        "der Stadt Tübingen",
        "die Stadt Tübingen",
    ),
    (
        OrganisationKind.GROSSE_KREISSTADT,
        "Esslingen am Neckar",
        "die Große Kreisstadt Esslingen am Neckar",
        "der Großen Kreisstadt Esslingen am Neckar",
        "der Großen Kreisstadt Esslingen am Neckar",
        "die Große Kreisstadt Esslingen am Neckar",
    ),
    (
        OrganisationKind.STADTKREIS,
        "Freiburg im Breisgau",
        "die Stadt Freiburg im Breisgau",
        "der Stadt Freiburg im Breisgau",
        "der Stadt Freiburg im Breisgau",
        "die Stadt Freiburg im Breisgau",
    ),
    (
        OrganisationKind.LANDKREIS,
        "Landkreis Böblingen",
        "der Landkreis Böblingen",
        "des Landkreises Böblingen",
        "dem Landkreis Böblingen",
        "den Landkreis Böblingen",
    ),
    (
        OrganisationKind.GVV,
        "Gemeindeverwaltungsverband Plochingen",
        "der Gemeindeverwaltungsverband Plochingen",
        "des Gemeindeverwaltungsverbands Plochingen",
        "dem Gemeindeverwaltungsverband Plochingen",
        "den Gemeindeverwaltungsverband Plochingen",
    ),
    (
        OrganisationKind.VVG,
        "Vereinbarte Verwaltungsgemeinschaft der Stadt Ehingen (Donau)",
        "die Vereinbarte Verwaltungsgemeinschaft der Stadt Ehingen (Donau)",
        "der Vereinbarten Verwaltungsgemeinschaft der Stadt Ehingen (Donau)",
        "der Vereinbarten Verwaltungsgemeinschaft der Stadt Ehingen (Donau)",
        "die Vereinbarte Verwaltungsgemeinschaft der Stadt Ehingen (Donau)",
    ),
]


@pytest.mark.parametrize(("kind", "name", "nom", "gen", "dat", "acc"), DESIGNATION_CASES, ids=lambda v: str(v)[:12])
def test_designation_declines_every_kind(kind, name, nom, gen, dat, acc):
    organisation = Organisation(name=name, kind=kind)
    assert organisation.designation() == nom
    assert [organisation.designation(case) for case in ("nom", "gen", "dat", "acc")] == [nom, gen, dat, acc]
    # The addressee line: the nominative without the article, the title never twice.
    assert organisation.official_name == nom.split(" ", 1)[1]


def test_designation_covers_all_seven_kinds():
    assert {case[0] for case in DESIGNATION_CASES} == set(OrganisationKind)


@pytest.mark.parametrize(
    ("kind", "name", "nom", "gen"),
    [
        (OrganisationKind.LANDKREIS, "Alb-Donau-Kreis", "der Alb-Donau-Kreis", "des Alb-Donau-Kreises"),
        (OrganisationKind.LANDKREIS, "Böblingen", "der Landkreis Böblingen", "des Landkreises Böblingen"),
        (OrganisationKind.GVV, "Plochingen", "der Gemeindeverwaltungsverband Plochingen", None),
        (OrganisationKind.GEMEINDE, "Gemeinde  Aichwald", "die Gemeinde Aichwald", "der Gemeinde Aichwald"),
    ],
)
def test_designation_does_not_repeat_a_title_the_name_carries(kind, name, nom, gen):
    organisation = Organisation(name=name, kind=kind)
    assert organisation.designation("nom") == nom
    if gen:
        assert organisation.designation("gen") == gen


def test_designation_refuses_an_unknown_case():
    with pytest.raises(ValueError):
        Organisation(name="Tübingen", kind=OrganisationKind.STADT).designation("abl")


# --- the facilitation period, shared by the facilitation and the Bescheid --------------------


@pytest.mark.parametrize(
    ("released", "months", "period"),
    [
        (date(2020, 6, 15), 24, (date(2020, 7, 1), date(2022, 7, 1))),
        (date(2020, 12, 31), 24, (date(2021, 1, 1), date(2023, 1, 1))),
        (date(2021, 1, 1), 18, (date(2021, 2, 1), date(2022, 8, 1))),
    ],
)
def test_round_derives_the_facilitation_period_like_the_facilitation(released, months, period):
    from facilitation import services as facilitation_services

    funding_round = FundingRound(facilitation_months=months)
    assert funding_round.facilitation_period(released) == period
    starts_on = facilitation_services.default_start(released)
    assert (starts_on, facilitation_services.period_end(starts_on, months)) == period
