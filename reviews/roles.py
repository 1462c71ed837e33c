"""The portal's roles as Django groups with model permissions (idempotent)."""

from django.contrib.auth.models import Group, Permission

from .rules import ACADEMY_GROUP, MODERATOR_GROUP, REVIEWER_GROUP

ROLE_PERMISSIONS = {
    # Academy staff: everything in the portal's own apps.
    ACADEMY_GROUP: {"app_labels": ["accounts", "applications", "reviews", "facilitation"], "codenames": []},
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
    """Create or update the groups; returns {group name: number of permissions}."""
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
