"""Who may do what with organisations and applications (django-rules)."""

import rules

from accounts.roles import is_academy_staff

from .models import Membership


@rules.predicate
def is_confirmed_member(user, organisation):
    if organisation is None or not user.is_authenticated:
        return False
    return Membership.objects.filter(user=user, organisation=organisation, status=Membership.Status.CONFIRMED).exists()


@rules.predicate
def is_member_of_applicant(user, application):
    return application is not None and is_confirmed_member(user, application.organisation)


rules.add_perm("applications.view_organisation_area", is_confirmed_member)
rules.add_perm("applications.confirm_member", is_confirmed_member | is_academy_staff)
rules.add_perm("applications.edit_application", is_member_of_applicant)
rules.add_perm("applications.submit_application", is_member_of_applicant)
