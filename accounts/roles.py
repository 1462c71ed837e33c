"""The portal's roles, in one place: groups, predicates and the groups' model permissions.

``is_staff`` only opens the admin; what a staff user may do there follows from these groups
(reviewers and moderators are staff too). Only a superuser assigns groups.

One way to authorise (docs/architecture.md): services authorise with these predicates and
raise a ``DomainError``; selectors scope every lookup to what the user may see (another
organisation's object is a 404); views and templates ask the same predicates only to decide
what to show.
"""

import rules
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models import Q

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


@rules.predicate
def is_moderator(user):
    return user.is_authenticated and user.is_active and user.groups.filter(name=MODERATOR_GROUP).exists()


def is_academy(request):
    """``is_academy_staff`` once per request (admin pages ask many times)."""
    if not hasattr(request, "_is_academy_staff"):
        request._is_academy_staff = bool(is_academy_staff(request.user))
    return request._is_academy_staff


class AcademyOnlyAdminMixin:
    """An admin only academy staff (and superusers) see: the module, the list and its objects."""

    def has_module_permission(self, request):
        return is_academy(request)

    def has_view_permission(self, request, obj=None):
        return is_academy(request)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if is_academy(request) else queryset.none()


def academy_staff_users():
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(groups__name=ACADEMY_GROUP))
        .distinct()
    )


ROLE_PERMISSIONS = {
    # Academy staff: everything in the portal's own apps.
    ACADEMY_GROUP: {
        "app_labels": ["accounts", "applications", "reviews", "correspondence", "facilitation", "pages"],
        "codenames": [],
    },
    # Steering-group members: see their assigned applications and edit their own reviews
    # (querysets in the admin restrict both to their assignments).
    REVIEWER_GROUP: {
        "app_labels": [],
        "codenames": [
            "applications.view_application",
            "reviews.view_review",
            "reviews.change_review",
            "reviews.view_criterion",
            "reviews.view_score",
        ],
    },
    # Moderators: read their own facilitations in the admin (FacilitationAdmin.get_queryset restricts
    # to their assignments); they log sessions and milestones on the portal pages.
    MODERATOR_GROUP: {
        "app_labels": [],
        "codenames": [
            "facilitation.view_facilitation",
            "facilitation.view_milestone",
            "facilitation.view_session",
            "facilitation.view_report",
        ],
    },
}


def ensure_roles():
    """Create or update the groups (idempotent); returns {group name: number of permissions}."""
    result = {}
    for name, spec in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = list(Permission.objects.filter(content_type__app_label__in=spec["app_labels"]))
        for dotted in spec["codenames"]:
            app_label, codename = dotted.split(".")
            permissions.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(permissions)
        result[name] = len(permissions)
    return result
