"""The staff start page ("Aufgaben"): what needs doing, as counts linking to filtered changelists.

Each task's count is the queryset its link's changelist filter shows (the same selector), so the
number on the page is the number of rows behind the link. One COUNT query per task: the query
count does not grow with the numbers. Academy staff see the academy's tasks; anyone else sees
only their own work (reviewers their unfinished reviews, moderators their facilitations with an
overdue milestone), never counts of other people's work.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from accounts.roles import is_academy_staff, is_moderator, is_reviewer
from applications.models import Membership
from correspondence.models import InformationRequest
from facilitation.selectors import (
    facilitations_with_overdue_milestones,
    facilitations_with_overdue_reports,
    moderated_facilitations,
)
from letters.selectors import needing_other_way
from reviews.models import Review
from reviews.selectors import applications_missing_reviews, proposals_awaiting_release, unfinished_reviews


@dataclass(frozen=True)
class Task:
    key: str
    count: int
    label: str
    url: str


@dataclass(frozen=True)
class Section:
    title: str
    tasks: list[Task]


def _task(key, queryset, label, changelist, params):
    """``label``: ``ngettext_lazy(singular, plural, "count")``, German plural by the count."""
    count = queryset.count()
    url = f"{reverse(f'admin:{changelist}_changelist')}?{urlencode(params)}"
    return Task(key=key, count=count, label=label % {"count": count}, url=url)


def academy_tasks(user, *, today):
    letters = needing_other_way(today)
    return [
        _task(
            "memberships",
            Membership.objects.filter(status=Membership.Status.REQUESTED),
            ngettext_lazy(
                "%(count)d Mitgliedschaftsanfrage wartet auf Bestätigung",
                "%(count)d Mitgliedschaftsanfragen warten auf Bestätigung",
                "count",
            ),
            "applications_membership",
            {"status__exact": Membership.Status.REQUESTED},
        ),
        _task(
            "missing_reviews",
            applications_missing_reviews(),
            ngettext_lazy(
                "%(count)d Antrag mit fehlenden Bewertungen", "%(count)d Anträge mit fehlenden Bewertungen", "count"
            ),
            "applications_application",
            {"bewertungen": "fehlen"},
        ),
        _task(
            "proposals",
            proposals_awaiting_release(),
            ngettext_lazy(
                "%(count)d Entscheidungsvorschlag wartet auf die Freigabe durch eine zweite Person",
                "%(count)d Entscheidungsvorschläge warten auf die Freigabe durch eine zweite Person",
                "count",
            ),
            "reviews_decision",
            {"status__exact": "proposed"},
        ),
        _task(
            "proposals_for_me",
            proposals_awaiting_release(user),
            ngettext_lazy(
                "%(count)d davon wartet auf Ihre Freigabe", "%(count)d davon warten auf Ihre Freigabe", "count"
            ),
            "reviews_decision",
            {"freigabe": "durch_mich"},
        ),
        _task(
            "open_requests",
            InformationRequest.objects.open(),
            ngettext_lazy("%(count)d Rückfrage offen", "%(count)d Rückfragen offen", "count"),
            "correspondence_informationrequest",
            {"status__exact": InformationRequest.Status.OPEN},
        ),
        _task(
            "overdue_requests",
            InformationRequest.objects.overdue(today),
            ngettext_lazy(
                "%(count)d Rückfrage überfällig (Frist abgelaufen, keine Antwort)",
                "%(count)d Rückfragen überfällig (Frist abgelaufen, keine Antwort)",
                "count",
            ),
            "correspondence_informationrequest",
            {"frist": "overdue"},
        ),
        _task(
            "letters_not_downloaded",
            letters.filter(postal_dispatch=False),
            ngettext_lazy(
                "%(count)d Bescheid nicht rechtzeitig abgerufen – auf anderem Weg bekanntgeben",
                "%(count)d Bescheide nicht rechtzeitig abgerufen – auf anderem Weg bekanntgeben",
                "count",
            ),
            "letters_letter",
            {"bekanntgabe": "nicht_abgerufen"},
        ),
        _task(
            "letters_postal",
            letters.filter(postal_dispatch=True),
            ngettext_lazy(
                "%(count)d Bescheid per Post bekanntzugeben", "%(count)d Bescheide per Post bekanntzugeben", "count"
            ),
            "letters_letter",
            {"bekanntgabe": "post"},
        ),
        _task(
            "overdue_reports",
            facilitations_with_overdue_reports(today),
            ngettext_lazy(
                "%(count)d Prozessbegleitung mit überfälligem Bericht",
                "%(count)d Prozessbegleitungen mit überfälligem Bericht",
                "count",
            ),
            "facilitation_facilitation",
            {"ueberfaellig": "berichte"},
        ),
    ]


#: The reviewer's own unfinished reviews, by status: (task key, label).
REVIEWER_TASKS = {
    Review.Status.ASSIGNED: (
        "reviews_assigned",
        ngettext_lazy(
            "%(count)d Bewertung: Erklärung zur Befangenheit fehlt",
            "%(count)d Bewertungen: Erklärung zur Befangenheit fehlt",
            "count",
        ),
    ),
    Review.Status.OPEN: (
        "reviews_open",
        ngettext_lazy("%(count)d Bewertung in Bearbeitung", "%(count)d Bewertungen in Bearbeitung", "count"),
    ),
}


def reviewer_tasks(user):
    reviews = unfinished_reviews(user)
    return [
        _task(key, reviews.filter(status=status), label, "reviews_review", {"status__exact": status})
        for status, (key, label) in REVIEWER_TASKS.items()
    ]


def moderator_tasks(user, *, today):
    return [
        _task(
            "milestones_overdue",
            facilitations_with_overdue_milestones(today).filter(pk__in=moderated_facilitations(user).values("pk")),
            ngettext_lazy(
                "%(count)d Ihrer Prozessbegleitungen hat einen überfälligen Meilenstein",
                "%(count)d Ihrer Prozessbegleitungen haben einen überfälligen Meilenstein",
                "count",
            ),
            "facilitation_facilitation",
            {"ueberfaellig": "meilensteine"},
        ),
    ]


def tasks_for(user, *, today):
    """The sections of the start page for ``user`` (empty for anyone without a staff role)."""
    if is_academy_staff(user):
        return [Section(_("Aufgaben der Akademie"), academy_tasks(user, today=today))]
    sections = []
    if is_reviewer(user):
        sections.append(Section(_("Ihre Bewertungen"), reviewer_tasks(user)))
    if is_moderator(user):
        sections.append(Section(_("Ihre Prozessbegleitungen"), moderator_tasks(user, today=today)))
    return sections
