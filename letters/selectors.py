"""Reads of letters; applicants see released letters of their own organisations only."""

from applications.selectors import applications_for_user

from .models import Letter


def released_letters_for_user(user):
    return Letter.objects.filter(
        status=Letter.Status.RELEASED, application__in=applications_for_user(user).values("pk")
    ).select_related("application")
