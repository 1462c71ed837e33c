from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from applications.models import Application, ApplicationEvent, Membership
from applications.services import (
    ApplicationError,
    confirm_membership,
    missing_items,
    request_membership,
    start_application,
    submit_application,
    update_application,
    withdraw_application,
)
from tests.conftest import complete
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    make_academy_staff,
    make_reviewer,
)

pytestmark = pytest.mark.django_db


def test_incomplete_application_is_refused_with_the_list_of_what_is_missing(draft, member):
    with pytest.raises(ApplicationError) as refused:
        submit_application(declared=True, application=draft, user=member.user)
    assert "Ziele für die zwei Jahre" in refused.value.message
    assert "Beschluss als Anlage" in refused.value.missing
    assert refused.value.missing == missing_items(draft)
    draft.refresh_from_db()
    assert draft.status == Application.Status.DRAFT


def test_missing_resolution_alone_blocks_submission(member, draft):
    complete(draft, with_resolution=False)
    with pytest.raises(ApplicationError) as refused:
        submit_application(declared=True, application=draft, user=member.user)
    assert refused.value.missing == ["Beschluss als Anlage"]


def test_submission_assigns_reference_freezes_and_sends_receipt(
    complete_draft, member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submitted = submit_application(declared=True, application=complete_draft, user=member.user)
    assert submitted.status == Application.Status.SUBMITTED
    assert submitted.reference_number == f"{complete_draft.funding_round.code}-0001"
    assert submitted.submitted_by == member.user
    assert submitted.submitted_at is not None
    assert ApplicationEvent.objects.filter(application=submitted, action="submitted", actor=member.user).exists()
    assert len(mailoutbox) == 1
    assert submitted.reference_number in mailoutbox[0].subject
    assert mailoutbox[0].to == [member.user.email]
    with pytest.raises(ApplicationError, match="nicht mehr geändert"):
        update_application(application=submitted, user=member.user, data={"goals": "Anders"})
    with pytest.raises(ApplicationError, match="bereits eingereicht"):
        submit_application(declared=True, application=submitted, user=member.user)


def test_reference_numbers_count_up_per_round(member):
    funding_round = FundingRoundFactory(code="IBE-2020")
    refs = []
    for _ in range(3):
        m = MembershipFactory()
        application = complete(ApplicationFactory(funding_round=funding_round, organisation=m.organisation))
        refs.append(submit_application(declared=True, application=application, user=m.user).reference_number)
    assert refs == ["IBE-2020-0001", "IBE-2020-0002", "IBE-2020-0003"]


def test_one_application_per_organisation_and_round_is_a_database_constraint(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(funding_round=draft.funding_round, organisation=draft.organisation)


def test_starting_twice_returns_the_same_draft(member):
    funding_round = FundingRoundFactory()
    first = start_application(funding_round=funding_round, organisation=member.organisation, user=member.user)
    second = start_application(funding_round=funding_round, organisation=member.organisation, user=member.user)
    assert first.pk == second.pk
    assert first.contact_email == member.user.email


@pytest.mark.parametrize("status", [Membership.Status.REQUESTED, Membership.Status.REJECTED])
def test_unconfirmed_member_can_neither_start_edit_nor_submit(status):
    confirmed = MembershipFactory()
    application = complete(ApplicationFactory(organisation=confirmed.organisation))
    outsider = MembershipFactory(organisation=confirmed.organisation, status=status).user
    with pytest.raises(ApplicationError, match="bestätigte Mitglieder"):
        start_application(funding_round=FundingRoundFactory(), organisation=confirmed.organisation, user=outsider)
    with pytest.raises(ApplicationError, match="bestätigte Mitglieder"):
        update_application(application=application, user=outsider, data={"goals": "x"})
    with pytest.raises(ApplicationError, match="bestätigte Mitglieder"):
        submit_application(declared=True, application=application, user=outsider)


def test_member_of_another_organisation_cannot_submit(complete_draft):
    stranger = MembershipFactory().user
    with pytest.raises(ApplicationError):
        submit_application(declared=True, application=complete_draft, user=stranger)


def test_ineligible_kind_cannot_start():
    member = MembershipFactory(organisation=OrganisationFactory(kind="landkreis"))
    funding_round = FundingRoundFactory(eligible_kinds=["gemeinde", "stadt"])
    with pytest.raises(ApplicationError, match="nicht antragsberechtigt"):
        start_application(funding_round=funding_round, organisation=member.organisation, user=member.user)


def test_withdrawal_until_the_deadline(complete_draft, member):
    submitted = submit_application(declared=True, application=complete_draft, user=member.user)
    withdrawn = withdraw_application(application=submitted, user=member.user)
    assert withdrawn.status == Application.Status.WITHDRAWN
    assert withdrawn.withdrawn_by == member.user
    assert withdrawn.reference_number  # the file keeps its reference


def test_withdrawal_after_the_deadline_is_refused(complete_draft, member):
    submitted = submit_application(declared=True, application=complete_draft, user=member.user)
    late = submitted.funding_round.deadline.replace(microsecond=0) + timedelta(seconds=1)
    with pytest.raises(ApplicationError, match="Ende der Antragsfrist"):
        withdraw_application(application=submitted, user=member.user, now=late)


def test_update_saves_only_changed_fields_and_logs(draft, member):
    update_application(application=draft, user=member.user, data={"goals": "Leitbild", "rooms": ""})
    event = ApplicationEvent.objects.get(application=draft, action="updated")
    assert event.data == {"fields": ["goals"]}


# --- memberships -----------------------------------------------------------


def test_first_member_is_confirmed_by_academy_staff_only(mailoutbox, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory()
    staff = make_academy_staff()
    make_reviewer()  # staff, but not the academy: neither asked nor allowed
    applicant = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        membership = request_membership(user=applicant, organisation=organisation)
    assert membership.status == Membership.Status.REQUESTED
    assert [m.to for m in mailoutbox] == [[staff.email]]  # no member yet: the academy decides
    with pytest.raises(ApplicationError):
        confirm_membership(membership=membership, by=applicant)  # nobody confirms themselves
    with pytest.raises(ApplicationError):
        confirm_membership(membership=membership, by=MembershipFactory().user)  # nor a stranger
    for other_staff in (make_reviewer(), UserFactory(is_staff=True)):
        with pytest.raises(ApplicationError):
            confirm_membership(membership=membership, by=other_staff)  # admin access alone is not enough
    confirmed = confirm_membership(membership=membership, by=staff)
    assert confirmed.status == Membership.Status.CONFIRMED
    assert confirmed.decided_by == staff


def test_confirmed_member_confirms_a_colleague(member, mailoutbox, django_capture_on_commit_callbacks):
    colleague = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        request = request_membership(user=colleague, organisation=member.organisation)
    assert mailoutbox[0].to == [member.user.email]
    confirmed = confirm_membership(membership=request, by=member.user)
    assert confirmed.status == Membership.Status.CONFIRMED
