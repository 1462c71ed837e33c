"""Roles: academy staff decide, reviewers (steering group) score what they are assigned."""

import rules

from accounts.roles import ACADEMY_GROUP, MODERATOR_GROUP, REVIEWER_GROUP, is_academy_staff, is_reviewer

__all__ = ["ACADEMY_GROUP", "MODERATOR_GROUP", "REVIEWER_GROUP", "is_academy_staff", "is_reviewer"]


@rules.predicate
def is_own_review(user, review):
    return review is not None and review.reviewer_id == user.pk


rules.add_perm("reviews.decide", is_academy_staff)
rules.add_perm("reviews.assign_reviewers", is_academy_staff)
rules.add_perm("reviews.score_review", is_reviewer & is_own_review)
