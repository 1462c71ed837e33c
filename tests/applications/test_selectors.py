"""The one recipients rule: confirmed, active members of an organisation, with an address."""

import pytest
from django.db.models import Exists, OuterRef

from applications.models import Membership, Organisation
from applications.selectors import confirmed_member_emails, confirmed_members
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_confirmed_member_emails_only_confirmed_active_members_with_an_address_sorted():
    organisation = OrganisationFactory()
    for email in ("zora@kommune.example", "anna@kommune.example"):
        MembershipFactory(organisation=organisation, user__email=email)
    MembershipFactory(organisation=organisation, status=Membership.Status.REQUESTED, user__email="neu@kommune.example")
    MembershipFactory(organisation=organisation, status=Membership.Status.REJECTED, user__email="nein@kommune.example")
    MembershipFactory(organisation=organisation, user__is_active=False, user__email="weg@kommune.example")
    MembershipFactory(organisation=organisation, user__email="")
    MembershipFactory(user__email="andere@kommune.example")

    assert confirmed_member_emails(organisation.pk) == ["anna@kommune.example", "zora@kommune.example"]


def test_confirmed_members_works_as_an_exists_subquery():
    with_member = MembershipFactory().organisation
    MembershipFactory(user__is_active=False)
    MembershipFactory(status=Membership.Status.REQUESTED)

    found = Organisation.objects.filter(Exists(confirmed_members(OuterRef("pk"))))

    assert list(found) == [with_member]
