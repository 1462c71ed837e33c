"""Roles: academy staff decide, reviewers (steering group) score what they are assigned."""

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


@rules.predicate
def is_own_review(user, review):
    return review is not None and review.reviewer_id == user.pk


rules.add_perm("reviews.decide", is_academy_staff)
rules.add_perm("reviews.assign_reviewers", is_academy_staff)
rules.add_perm("reviews.score_review", is_reviewer & is_own_review)
