"""The memberships on the dashboard (selectors.memberships_of): with a shared cache read from there
after the first request, and still never out of date: a request, a decision, a renamed or deleted
organisation (also by the municipal register's import) shows at once. With a process-local cache
(another worker would not learn of the change) they always come from the database."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications import selectors, services
from applications.gv100ad import import_gv100ad
from applications.models import Membership
from tests.applications.test_gv100ad import sample_lines
from tests.factories import FundingRoundFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("applications:dashboard")


def membership_queries(user):
    with CaptureQueriesContext(connection) as queries:
        memberships = selectors.memberships_of(user)
    return memberships, sum('FROM "applications_membership"' in q["sql"] for q in queries)


def test_the_memberships_are_read_once_and_then_from_the_shared_cache(shared_cache):
    membership = MembershipFactory(organisation__name="Aalen")
    memberships, queries = membership_queries(membership.user)
    assert [m.organisation.name for m in memberships] == ["Aalen"] and queries == 1
    memberships, queries = membership_queries(membership.user)
    assert [m.organisation.name for m in memberships] == ["Aalen"] and queries == 0
    assert memberships[0].status == Membership.Status.CONFIRMED and memberships[0].waiting == 0


def test_without_a_shared_cache_every_request_asks_the_database(settings):
    settings.CACHE_IS_SHARED = False
    membership = MembershipFactory()
    assert membership_queries(membership.user)[1] == 1
    assert membership_queries(membership.user)[1] == 1


def test_a_colleagues_request_and_its_decision_show_at_once(shared_cache):
    member = MembershipFactory()
    assert membership_queries(member.user)[0][0].waiting == 0
    colleague = services.request_membership(user=UserFactory(), organisation=member.organisation, notify=False)
    assert membership_queries(member.user)[0][0].waiting == 1
    services.confirm_membership(membership=colleague, by=member.user)
    assert membership_queries(member.user)[0][0].waiting == 0
    assert membership_queries(colleague.user)[0][0].status == Membership.Status.CONFIRMED


def test_a_renamed_or_deleted_organisation_and_a_deleted_membership_show_at_once(shared_cache):
    member = MembershipFactory(organisation__name="Aalen")
    other = MembershipFactory(user=member.user, organisation__name="Biberach")
    assert [m.organisation.name for m in membership_queries(member.user)[0]] == ["Aalen", "Biberach"]
    member.organisation.name = "Ulm"
    member.organisation.save()
    assert [m.organisation.name for m in membership_queries(member.user)[0]] == ["Biberach", "Ulm"]
    other.delete()
    assert [m.organisation.name for m in membership_queries(member.user)[0]] == ["Ulm"]
    member.organisation.delete()
    assert membership_queries(member.user)[0] == []


def test_the_municipal_register_import_retires_them_too(shared_cache):
    """The GV100AD import updates organisations in bulk, past the signals."""
    member = MembershipFactory(organisation__key="08116076", organisation__name="Alter Name")
    assert membership_queries(member.user)[0][0].organisation.name == "Alter Name"
    import_gv100ad(sample_lines())
    assert membership_queries(member.user)[0][0].organisation.name == "Aichwald"


def test_a_confirmed_member_gets_the_start_button_on_the_next_dashboard(shared_cache, client):
    FundingRoundFactory(name="Förderrunde Frühjahr")
    organisation = OrganisationFactory(name="Aalen")
    requested = services.request_membership(user=UserFactory(), organisation=organisation, notify=False)
    client.force_login(requested.user)
    page = client.get(DASHBOARD).content.decode()
    assert "wartet auf Bestätigung" in page and "Antrag für Aalen beginnen" not in page
    services.confirm_membership(membership=requested, by=MembershipFactory(organisation=organisation).user)
    page = client.get(DASHBOARD).content.decode()
    assert "Antrag für Aalen beginnen" in page


def test_a_stale_entry_grants_nothing(shared_cache, client):
    """The cached list only shows; starting an application asks the database (confirmed_organisations)."""
    funding_round = FundingRoundFactory()
    member = MembershipFactory()
    client.force_login(member.user)
    client.get(DASHBOARD)  # cached: confirmed
    Membership.objects.filter(pk=member.pk).update(status=Membership.Status.REJECTED)  # past the signals
    response = client.post(reverse("applications:start", args=[funding_round.pk, member.organisation.pk]))
    assert response.status_code == 404
    assert not member.organisation.applications.exists()
