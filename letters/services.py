"""Letters, as academy staff handle them: corrections, drafts, release; and their notification
(downloads recorded, a notification another way recorded by staff).

The issuing pipeline the tasks run (render, store, announce once) is ``letters.issuing``; its
entry points are part of this module's public API too. Import order: services → tasks →
issuing, never back.
"""

import datetime
import hashlib

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import is_academy_staff
from foerderportal.audit import log_event

from . import deadlines, selectors, tasks
from .issuing import (
    issue_decision_letter,
    issue_receipt,
    load_decision,
    needs_postal_dispatch,
    notify_once,
    preview_decision_letter,
    render_decision,
    store_letter,
)
from .models import Letter, LetterDownload, LetterError, ReleasedLetterError
from .notification import NOTIFIED_KINDS, State, format_day


def _require_academy(user):
    if not is_academy_staff(user):
        raise LetterError(_("Nur Mitarbeitende der Akademie dürfen Dokumente berichtigen oder freigeben."))


__all__ = [
    "LetterError",
    "ReleasedLetterError",
    "issue_correction",
    "issue_decision_letter",
    "issue_receipt",
    "notify_once",
    "preview_decision_letter",
    "record_download",
    "record_other_notification",
    "release_letter",
    "rerender_draft",
]


# --- corrections and drafts ----------------------------------------------------------


def issue_correction(*, letter: Letter, by, note: str = "", release: bool = True, now=None) -> Letter:
    """A new letter for the same decision, rendered from today's data, that supersedes ``letter``.

    With ``release=False`` it stays a draft for a second look (``release_letter``).
    """
    _require_academy(by)
    old = Letter.objects.select_related("decision").get(pk=letter.pk)
    if old.kind == Letter.Kind.RECEIPT:
        raise LetterError(_("Eine Eingangsbestätigung wird nicht berichtigt."))
    if not old.is_released:
        raise LetterError(_("Nur ein freigegebenes Dokument kann berichtigt werden; ändern Sie den Entwurf."))
    if Letter.objects.filter(supersedes=old).exists():
        raise LetterError(
            _("Zu diesem Dokument gibt es bereits eine Berichtigung. Berichtigen Sie die neueste Fassung.")
        )
    now = now or timezone.now()
    decision = load_decision(old.decision_id)
    kind, pdf = render_decision(decision, letter_date=now, supersedes=old, note=note)
    correction = Letter(
        application_id=old.application_id, decision=decision, kind=kind, supersedes=old, note=note, rendered_by=by
    )
    try:
        correction = store_letter(correction, pdf, release=release, now=now)
    except IntegrityError as error:
        raise LetterError(_("Zu diesem Dokument gibt es bereits eine Berichtigung.")) from error
    if release:
        _announce(correction)
    return correction


@transaction.atomic
def rerender_draft(*, letter: Letter, by, now=None) -> Letter:
    """Render a draft again from current data. A released letter is refused: it is a record."""
    locked = Letter.objects.select_for_update().get(pk=letter.pk)
    if locked.is_released:
        raise ReleasedLetterError(
            _("Ein freigegebenes Dokument kann nicht geändert werden. Stellen Sie eine Berichtigung aus.")
        )
    now = now or timezone.now()
    decision = load_decision(locked.decision_id)
    _kind, pdf = render_decision(decision, letter_date=now, supersedes=locked.supersedes, note=locked.note)
    old_name = locked.file.name
    locked.sha256, locked.size, locked.created_at, locked.rendered_by = (
        hashlib.sha256(pdf).hexdigest(),
        len(pdf),
        now,
        by,
    )
    locked.file.save("letter.pdf", ContentFile(pdf), save=False)
    locked.save(update_fields=["file", "sha256", "size", "created_at", "rendered_by"])
    storage = locked.file.storage
    transaction.on_commit(lambda: storage.delete(old_name))
    return locked


@transaction.atomic
def release_letter(*, letter: Letter, by, now=None) -> Letter:
    """Release a draft (a correction prepared for review); it is announced by e-mail."""
    _require_academy(by)
    locked = Letter.objects.select_for_update().select_related("application__funding_round").get(pk=letter.pk)
    if locked.is_released:
        raise ReleasedLetterError(_("Dieses Dokument ist bereits freigegeben."))
    if locked.application.funding_round.four_eyes and locked.rendered_by_id == by.pk:
        raise LetterError(_("Vier-Augen-Prinzip: Eine andere Person muss die Berichtigung freigeben."))
    locked.status = Letter.Status.RELEASED
    locked.released_at = now or timezone.now()
    locked.postal_dispatch = needs_postal_dispatch(locked)
    locked.save(update_fields=["status", "released_at", "postal_dispatch"])
    _announce(locked)
    return locked


def _announce(letter):
    transaction.on_commit(lambda: tasks.announce_letter.delay(letter.pk), robust=True)


# --- notification (§ 41 Abs. 2a LVwVfG BW) ----------------------------------------------


@transaction.atomic
def record_download(*, letter: Letter, user, now=None) -> LetterDownload:
    """Record one download of a released letter (who, when, its SHA-256).

    It counts for the notification when a confirmed, active member of the organisation (not academy
    staff) downloads a Bescheid provided for download, within the provision (the e-mail's day plus
    10 days). The letter's row lock orders concurrent first downloads.
    """
    now = now or timezone.now()
    locked = Letter.objects.select_for_update().select_related("application").get(pk=letter.pk)
    if not locked.is_released:
        raise LetterError(_("Nur ein freigegebenes Schreiben kann abgerufen werden."))
    notifies = (
        locked.kind in NOTIFIED_KINDS
        and not locked.postal_dispatch
        and locked.other_notified_on is None
        and not is_academy_staff(user)
        and deadlines.download_notifies(notified_at=locked.notified_at, downloaded_at=now)
        and selectors.is_authorised_recipient(locked, user)
    )
    return LetterDownload.objects.create(
        letter=locked, user=user, user_email=user.email, downloaded_at=now, sha256=locked.sha256, notifies=notifies
    )


@transaction.atomic
def record_other_notification(*, letter: Letter, by, notified_on: datetime.date, way: str, now=None) -> Letter:
    """Staff record that a Bescheid was notified another way (post, hand-over) and on which day it
    counts as notified; possible once the provision ended unread or the letter was marked for post."""
    _require_academy(by)
    now = now or timezone.now()
    locked = Letter.objects.select_for_update().select_related("application").get(pk=letter.pk)
    if way not in Letter.OtherWay.values:
        raise LetterError(_("Bitte wählen Sie, auf welchem Weg der Bescheid bekannt gegeben wurde."))
    state = locked.notification(today=timezone.localdate(now)).state
    if state == State.NOT_APPLICABLE:
        raise LetterError(_("Nur ein freigegebener Bescheid wird bekannt gegeben."))
    if state == State.DOWNLOADED:
        raise LetterError(_("Der Bescheid ist durch Abruf bereits bekannt gegeben."))
    if state == State.OTHER_WAY:
        raise LetterError(
            _("Die Bekanntgabe auf anderem Weg ist bereits erfasst (am %(day)s).")
            % {"day": format_day(locked.other_notified_on)}
        )
    if state not in (State.FALLBACK, State.POSTAL):
        raise LetterError(
            _("Der Bescheid ist noch zum Abruf bereitgestellt; erst danach wird er auf anderem Weg bekannt gegeben.")
        )
    if notified_on < deadlines.local_day(locked.released_at):
        raise LetterError(_("Der Bescheid kann nicht vor seiner Freigabe bekannt gegeben worden sein."))
    locked.other_notified_on = notified_on
    locked.other_notification_way = way
    locked.other_notification_by = by
    locked.other_recorded_at = now
    locked.save(
        update_fields=["other_notified_on", "other_notification_way", "other_notification_by", "other_recorded_at"]
    )
    log_event(
        locked.application,
        by,
        "letter_notified_otherwise",
        kind=locked.kind,
        notified_on=notified_on.isoformat(),
        way=str(locked.get_other_notification_way_display()),
    )
    return locked
