"""CSV and XLSX exports of the ranking and of all applications of a round."""

import csv
import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.roles import ensure_roles
from applications.models import Application
from reviews import exports
from reviews.models import Review
from reviews.selectors import ranking
from tests.factories import ApplicationFactory, OrganisationFactory, make_reviewer
from tests.foerderportal.test_exports import read_xlsx

from .test_admin import scored

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def roles(db):
    ensure_roles()


def read_csv(response):
    body = response.content
    assert body.startswith("\ufeff".encode())
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def csv_number(text):
    return Decimal(text.replace(",", ".")) if text else None


@pytest.fixture
def scored_round(two_place_round, reviewer):
    reviewers = [reviewer, make_reviewer(), make_reviewer()]
    scored(two_place_round, ["40", "50", "45"], reviewers=reviewers)
    scored(two_place_round, ["90", "80", "85"], reviewers=reviewers)
    scored(two_place_round, ["70", "71", "72.5"], reviewers=reviewers)
    scored(two_place_round, ["95", "20"], reviewers=reviewers)  # spread
    scored(two_place_round, [], reviewers=reviewers)  # not scored yet: last
    return two_place_round


def test_ranking_csv_and_xlsx_have_the_ranking_rows_in_order(client, academy, scored_round):
    expected = [row.application.reference_number for row in ranking(scored_round)]
    client.force_login(academy)
    csv_response = client.get(reverse("admin:applications_fundinground_ranking_csv", args=[scored_round.pk]))
    xlsx_response = client.get(reverse("admin:applications_fundinground_ranking_xlsx", args=[scored_round.pk]))
    assert csv_response["Content-Disposition"] == f'attachment; filename="rangliste-{scored_round.code}.csv"'
    csv_rows, xlsx_rows = read_csv(csv_response), read_xlsx(xlsx_response)

    assert csv_rows[0] == xlsx_rows[0]
    assert csv_rows[0][:3] == ["Rang", "Aktenzeichen", "Organisation"]
    assert [row[1] for row in csv_rows[1:]] == expected
    assert [row[1] for row in xlsx_rows[1:]] == expected
    assert [int(row[0]) for row in csv_rows[1:]] == [1, 2, 3, 4, 5]

    # Same values: numbers as German text in the CSV, as numbers in the XLSX.
    for csv_row, xlsx_row in zip(csv_rows[1:], xlsx_rows[1:], strict=True):
        assert int(csv_row[0]) == xlsx_row[0]
        assert csv_row[1:6] == xlsx_row[1:6]
        assert csv_number(csv_row[6]) == (None if xlsx_row[6] is None else Decimal(str(xlsx_row[6])))
        assert [int(csv_row[7]), int(csv_row[8])] == xlsx_row[7:9]
        assert csv_row[9] == (xlsx_row[9] or "")
        assert csv_number(csv_row[10]) == Decimal(str(xlsx_row[10]))
        assert csv_row[12] == xlsx_row[12]

    top = csv_rows[1]
    assert top[6] == "85,00"  # decimal comma for German Excel
    assert top[10] == "40000,00"
    assert isinstance(xlsx_rows[1][10], int | float) and xlsx_rows[1][10] == 40000
    assert [row[12] for row in csv_rows[1:]] == ["ja", "ja", "nein", "nein", "nein"]
    spread_row = next(row for row in csv_rows[1:] if row[9])
    assert spread_row[9] == "abweichend"
    assert csv_rows[-1][6] == ""  # no finished review: no mean, ranked last


def test_applications_export_has_every_application_of_the_round(client, academy, scored_round):
    draft = ApplicationFactory(funding_round=scored_round, organisation=OrganisationFactory(name="Entwurfingen"))
    other_round_application = ApplicationFactory(organisation=OrganisationFactory(name="Andere Runde"))
    client.force_login(academy)
    csv_rows = read_csv(client.get(reverse("admin:applications_fundinground_applications_csv", args=[scored_round.pk])))
    xlsx_rows = read_xlsx(
        client.get(reverse("admin:applications_fundinground_applications_xlsx", args=[scored_round.pk]))
    )
    assert csv_rows[0] == xlsx_rows[0]
    assert csv_rows[0] == [
        "Aktenzeichen",
        "Organisation",
        "Amtlicher Schlüssel",
        "Art",
        "Landkreis",
        "Regierungsbezirk",
        "Status",
        "eingereicht am",
        "Mittelwert (%)",
        "Bewertungen abgeschlossen",
        "Bewertungen zugewiesen",
        "bewilligter Betrag (EUR)",
    ]
    assert len(csv_rows) == len(xlsx_rows) == 1 + Application.objects.filter(funding_round=scored_round).count()
    assert [row[1] for row in csv_rows[1:]] == [row[1] for row in xlsx_rows[1:]]
    names = [row[1] for row in csv_rows[1:]]
    assert draft.organisation.name in names and other_round_application.organisation.name not in names
    assert names[-1] == "Entwurfingen"  # no reference number: after the submitted ones
    first = csv_rows[1]
    assert first[2].startswith("08") and first[3] == "Stadt" and first[5] == "Stuttgart"
    assert first[6] == "in Prüfung"
    assert len(first[7]) == len("01.02.2026 10:00")
    assert isinstance(xlsx_rows[1][7], datetime)
    assert (first[9], first[10]) == ("3", "3")


def test_awarded_amount_is_exported(client, academy, scored_round):
    application = Application.objects.filter(funding_round=scored_round).first()
    Application.objects.filter(pk=application.pk).update(
        status=Application.Status.AWARDED, awarded_amount=Decimal("35000.50")
    )
    client.force_login(academy)
    rows = read_csv(client.get(reverse("admin:applications_fundinground_applications_csv", args=[scored_round.pk])))
    row = next(r for r in rows if r[0] == application.reference_number)
    assert row[11] == "35000,50"
    assert row[6] == "bewilligt"


def test_ranking_table_is_pure(two_place_round, reviewer, django_assert_num_queries):
    scored(two_place_round, ["80"], reviewers=[reviewer])
    rows = ranking(two_place_round)
    with django_assert_num_queries(0):
        header, values = exports.ranking_table(rows)
    assert len(header) == len(values[0]) == 13
    assert values[0][6] == Decimal("80.00")
    assert Review.objects.count() == 1
