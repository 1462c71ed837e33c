"""The portal's roles, as Django groups. `is_staff` only opens the admin; what a staff
user may do there follows from these groups (reviewers and moderators are staff too)."""

import rules

ACADEMY_GROUP = "Akademie"
REVIEWER_GROUP = "Gutachter/innen"
MODERATOR_GROUP = "Prozessbegleitung"


@rules.predicate
def is_academy_staff(user):
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return user.is_superuser or user.groups.filter(name=ACADEMY_GROUP).exists()


@rules.predicate
def is_reviewer(user):
    return user.is_authenticated and user.is_active and user.groups.filter(name=REVIEWER_GROUP).exists()


def academy_staff_users():
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(groups__name=ACADEMY_GROUP))
        .distinct()
    )
