"""Whether the portal's navigation shows "Prozessbegleitung" to a user, cached.

The answer (is the user a moderator of a facilitation, or a confirmed member of a facilitated
organisation?) is asked on every portal page but changes only when a facilitation, its moderators
or a membership change: rare events. It is kept in the shared cache per user, stamped with a
generation (``foerderportal.caching``); every such change starts a new generation, so no entry
outlives the change (and a lost or flushed cache only costs the query). Academy staff are
recognised from the user itself.
"""

from django.db.models import Q

from accounts.roles import is_academy_staff
from foerderportal import caching

from .models import Facilitation
from .selectors import confirmed_organisation_ids

GENERATION_KEY = "facilitation-nav:generation"
# An upper bound on how long an entry may live, should a change ever bypass the signals below
# (a raw SQL update, a process-local cache in a multi-process setup).
ENTRY_SECONDS = 10 * 60


def _entry_key(user_pk):
    return f"facilitation-nav:user:{user_pk}"


def _has_facilitation(user):
    return Facilitation.objects.filter(
        Q(facilitators__user=user) | Q(application__organisation_id__in=confirmed_organisation_ids(user))
    ).exists()


def read_with_user(user_pk):
    """The answer's entry, read ahead with the signed-in user (``foerderportal.caching.read_with_user``)."""
    return [(_entry_key(user_pk), GENERATION_KEY)]


def shows_facilitation_nav(user):
    """True for academy staff, moderators with a facilitation and members of a facilitated organisation."""
    if not user.is_authenticated:
        return False
    if user.is_staff and is_academy_staff(user):
        return True
    return caching.read_through(_entry_key(user.pk), GENERATION_KEY, lambda: _has_facilitation(user), ENTRY_SECONDS)


def forget_answers(**kwargs):
    """Signal receiver: a facilitation, its moderators or a membership changed (foerderportal.caching)."""
    caching.retire(GENERATION_KEY)
