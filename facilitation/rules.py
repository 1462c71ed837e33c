"""Who may do what in a facilitation (django-rules predicates, combined into permissions).

Services authorise with these predicates; views ask the permissions below only to decide what
to show, and scope every lookup through ``facilitation.selectors`` so another organisation's or
moderator's object answers 404. Role predicates (academy, moderator) live in ``accounts.roles``.
"""

import rules

from accounts.roles import is_academy_staff
from applications.models import Membership


@rules.predicate
def is_facilitator_of(user, facilitation):
    """One of the facilitation's own moderators (active or not: they keep reading access)."""
    if facilitation is None or not user.is_authenticated:
        return False
    return facilitation.facilitators.filter(user=user).exists()


@rules.predicate
def is_active_facilitator_of(user, facilitation):
    """One of the facilitation's own moderators, still active: may log sessions and milestones."""
    if facilitation is None or not (user.is_authenticated and user.is_active):
        return False
    return facilitation.facilitators.filter(user=user, active=True).exists()


@rules.predicate
def is_member_of_facilitated(user, facilitation):
    """A confirmed member of the facilitated organisation (municipal staff)."""
    if facilitation is None or not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user=user, organisation_id=facilitation.application.organisation_id, status=Membership.Status.CONFIRMED
    ).exists()


rules.add_perm("facilitation.see_overview", is_academy_staff)
rules.add_perm("facilitation.log_sessions", is_academy_staff | is_active_facilitator_of)
rules.add_perm("facilitation.decide_report", is_academy_staff)
