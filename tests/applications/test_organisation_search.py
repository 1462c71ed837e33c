"""Registration's organisation search: the selector, the no-JavaScript flow and the JSON endpoint."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User
from applications import selectors
from applications.forms import JoinOrganisationForm
from applications.models import Membership, OrganisationKind
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Ein-sicheres-Passwort-7"


@pytest.fixture
def altdorfs():
    boeblingen = OrganisationFactory(
        name="Altdorf", kind=OrganisationKind.GEMEINDE, key="08115001", county="Landkreis Böblingen"
    )
    esslingen = OrganisationFactory(
        name="Altdorf", kind=OrganisationKind.GEMEINDE, key="08116004", county="Landkreis Esslingen"
    )
    return boeblingen, esslingen


def test_search_tells_the_two_altdorfs_apart_by_county(altdorfs):
    OrganisationFactory(name="Altbach", county="Landkreis Esslingen")
    OrganisationFactory(name="Altdorf", is_active=False, county="Landkreis Ravensburg")

    hits = list(selectors.search_organisations("altdorf"))

    assert hits == list(altdorfs)
    assert [hit.choice_label for hit in hits] == [
        "Altdorf (Gemeinde, Landkreis Böblingen)",
        "Altdorf (Gemeinde, Landkreis Esslingen)",
    ]


def test_search_by_county_key_words_and_umlauts(altdorfs):
    boeblingen, esslingen = altdorfs
    assert list(selectors.search_organisations("Altdorf Esslingen")) == [esslingen]
    assert list(selectors.search_organisations("boeblingen")) == [boeblingen]
    assert list(selectors.search_organisations("Böblingen")) == [boeblingen]
    assert list(selectors.search_organisations("08116")) == [esslingen]
    assert list(selectors.search_organisations("a")) == []


def test_search_ranks_names_starting_with_the_term_first_and_is_limited():
    OrganisationFactory.create_batch(25, name="Bad Beispiel", county="Landkreis Esslingen")
    tuebingen = OrganisationFactory(name="Tübingen", county="Landkreis Tübingen")
    OrganisationFactory(name="Ammerbuch", county="Landkreis Tübingen")

    assert selectors.search_organisations("tübingen")[0] == tuebingen
    assert len(selectors.search_organisations("Bad")) == 20
    assert len(selectors.search_organisations("Bad", limit=5)) == 5


def test_search_takes_one_query_whatever_the_number_of_hits(django_assert_num_queries):
    OrganisationFactory.create_batch(30, name="Musterhausen")
    with django_assert_num_queries(1):
        assert len(list(selectors.search_organisations("Musterhausen"))) == 20


def _registration(**overrides):
    data = {
        "first_name": "Erika",
        "last_name": "Muster",
        "email": "erika.muster@altdorf.example",
        "job_title": "Integrationsbeauftragte",
        "phone": "0711 123",
        "organisation_search": "Altdorf",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "privacy": "on",
    }
    return {**data, **overrides}


def test_registration_without_javascript_searches_then_registers(client, altdorfs):
    _, esslingen = altdorfs
    url = reverse("applications:register")

    # First POST: "Suchen" shows both Altdorfs as radio buttons and keeps what was typed.
    response = client.post(url, _registration(search="1"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Altdorf (Gemeinde, Landkreis Böblingen)" in page
    assert "Altdorf (Gemeinde, Landkreis Esslingen)" in page
    assert page.count('type="radio"') == 2
    assert 'value="Erika"' in page and 'value="erika.muster@altdorf.example"' in page
    assert "is-invalid" not in page  # a search is no failed submission
    assert not User.objects.exists()

    # Second POST: the chosen hit registers.
    response = client.post(url, _registration(organisation=esslingen.pk))
    assert response.status_code == 200
    user = User.objects.get(email="erika.muster@altdorf.example")
    assert Membership.objects.get(user=user).organisation == esslingen
    assert Membership.objects.get(user=user).status == Membership.Status.REQUESTED


def test_registration_without_a_chosen_organisation_asks_for_one_and_keeps_the_hits(client, altdorfs):
    response = client.post(reverse("applications:register"), _registration())
    page = response.content.decode()
    assert "Bitte suchen Sie Ihre Organisation und wählen Sie sie aus der Trefferliste." in page
    assert page.count('type="radio"') == 2
    assert not User.objects.exists()


def test_registration_search_without_hits_says_so(client, altdorfs):
    response = client.post(reverse("applications:register"), _registration(organisation_search="Xyzdorf", search="1"))
    assert "Keine Organisation gefunden." in response.content.decode()


def test_json_endpoint_returns_public_data_of_active_hits(client, altdorfs):
    boeblingen, esslingen = altdorfs
    OrganisationFactory(name="Altdorf", is_active=False, county="Landkreis Ravensburg")

    response = client.get(reverse("applications:organisation_search"), {"q": "Altdorf"})

    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {
                "id": organisation.pk,
                "name": "Altdorf",
                "kind": "Gemeinde",
                "county": organisation.county,
                "key": organisation.key,
                "label": f"Altdorf (Gemeinde, {organisation.county})",
            }
            for organisation in (boeblingen, esslingen)
        ]
    }


def test_json_endpoint_gives_at_most_20_hits_and_only_answers_get(client):
    OrganisationFactory.create_batch(25, name="Musterhausen")
    url = reverse("applications:organisation_search")
    assert len(client.get(url, {"q": "Muster"}).json()["results"]) == 20
    assert client.get(url, {"q": "M"}).json() == {"results": []}
    assert client.post(url, {"q": "Muster"}).status_code == 405


def test_join_form_without_javascript_shows_hits_on_the_dashboard_and_joins(client, altdorfs):
    _, esslingen = altdorfs
    member = MembershipFactory()
    client.force_login(member.user)

    response = client.post(reverse("applications:join"), {"organisation_search": "Altdorf", "search": "1"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Altdorf (Gemeinde, Landkreis Esslingen)" in page
    assert page.count('type="radio"') == 2

    client.post(reverse("applications:join"), {"organisation": esslingen.pk})
    assert Membership.objects.filter(user=member.user, organisation=esslingen).exists()


def test_the_search_endpoint_is_limited_per_client(client, settings):
    settings.ORGANISATION_SEARCH_PER_MINUTE = 3
    url = reverse("applications:organisation_search")
    assert [client.get(url, {"q": "Alt"}).status_code for _ in range(4)] == [200, 200, 200, 429]
    response = client.get(url, {"q": "Alt"})
    assert response.status_code == 429 and "Zu viele Suchanfragen" in response.json()["error"]


def test_the_dashboards_search_before_anything_is_typed_is_the_forms_blank_state(client, altdorfs):
    """Rendered once per language and prefix (the same for every member), it is exactly what the
    search writes for an empty form; a typed term still shows its hits."""
    blank = render_to_string(
        "applications/_organisation_search.html",
        {"form": JoinOrganisationForm(initial={"organisation_search": ""}), "hits": [], "searched": False},
    )
    for member in (MembershipFactory().user, MembershipFactory().user):
        client.force_login(member)
        page = client.get(reverse("applications:dashboard")).content.decode()
        assert blank.strip() in page and 'type="radio"' not in page
    searched = client.get(reverse("applications:dashboard"), {"organisation_search": "Altdorf"}).content.decode()
    assert searched.count('type="radio"') == 2 and blank.strip() not in searched
