"""Reads of letters; applicants see released letters of their own organisations only."""

import datetime

from django.db.models import Exists, Min, OuterRef, Q

from applications.models import Application
from applications.selectors import applications_for_user, confirmed_members
from reviews.models import Decision

from . import deadlines
from .models import Letter
from .notification import NOTIFIED_KINDS


def released_letters_for_user(user):
    return Letter.objects.filter(
        status=Letter.Status.RELEASED, application__in=applications_for_user(user).values("pk")
    ).select_related("application")


def with_notification(letters):
    """Annotate ``first_download_at``, the first download that counts for the notification."""
    return letters.annotate(first_download_at=Min("downloads__downloaded_at", filter=Q(downloads__notifies=True)))


def organisation_consented(organisation_id) -> bool:
    """At least one confirmed, active member of the organisation consented to electronic notification."""
    return confirmed_members(organisation_id).filter(user__notification_consent_at__isnull=False).exists()


def is_authorised_recipient(letter, user) -> bool:
    """A confirmed, active member of the letter's organisation (academy staff do not notify)."""
    return confirmed_members(letter.application.organisation_id).filter(user_id=user.pk).exists()


def notification_overview(funding_round_id):
    """The released Bescheide of a round with everything the "Bekanntgabe" overview shows, in one query."""
    return with_notification(
        Letter.objects.filter(
            application__funding_round_id=funding_round_id, status=Letter.Status.RELEASED, kind__in=NOTIFIED_KINDS
        )
        .select_related("application__organisation", "other_notification_by")
        .order_by("application__organisation__name", "released_at", "pk")
    )


def needing_other_way(today):
    """Released Bescheide that staff must notify another way on ``today``: marked for postal dispatch,
    or not downloaded by an authorised member within 10 days of the e-mail; none recorded yet."""
    earliest_email_day_still_provided = today - datetime.timedelta(days=deadlines.PROVISION_DAYS)
    cutoff = datetime.datetime.combine(earliest_email_day_still_provided, datetime.time.min, tzinfo=deadlines.BERLIN)
    return (
        Letter.objects.filter(status=Letter.Status.RELEASED, kind__in=NOTIFIED_KINDS, other_notified_on__isnull=True)
        .filter(Q(postal_dispatch=True) | Q(notified_at__lt=cutoff))
        .exclude(downloads__notifies=True)
    )


# --- the reconciling sweep (letters.reconcile) ----------------------------------------


def decisions_without_letter(*, released_after, released_before):
    """Released decisions without their original letter (its task was lost)."""
    original = Letter.objects.filter(decision=OuterRef("pk"), supersedes__isnull=True)
    return (
        Decision.objects.filter(
            status=Decision.Status.RELEASED, released_at__gte=released_after, released_at__lt=released_before
        )
        .exclude(Exists(original))
        .order_by("pk")
    )


def applications_without_receipt(*, submitted_after, submitted_before):
    """Submitted applications without an Eingangsbestätigung (its task was lost)."""
    receipt = Letter.objects.filter(application=OuterRef("pk"), kind=Letter.Kind.RECEIPT)
    return (
        Application.objects.filter(submitted_at__gte=submitted_after, submitted_at__lt=submitted_before)
        .exclude(Exists(receipt))
        .order_by("pk")
    )


def letters_without_announcement(*, released_after, released_before):
    """Released letters whose e-mail has not gone out to everyone yet (``notified_at`` unset)."""
    return Letter.objects.filter(
        status=Letter.Status.RELEASED,
        notified_at__isnull=True,
        released_at__gte=released_after,
        released_at__lt=released_before,
    ).order_by("pk")
