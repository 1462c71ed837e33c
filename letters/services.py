"""Issuing letters. Every letter is rendered here, stored once with its SHA-256, and never
rewritten once released; a correction is a new letter that supersedes the old one.

Rendering takes a few hundred milliseconds, so it happens outside any row lock; the unique
constraints decide a race between two workers, and the loser removes its file.
"""

import hashlib
from email.utils import parseaddr

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import is_academy_staff
from applications.models import Application
from reviews.models import Decision

from .models import Letter, LetterError, ReleasedLetterError

__all__ = [
    "LetterError",
    "ReleasedLetterError",
    "issue_correction",
    "issue_decision_letter",
    "issue_receipt",
    "preview_decision_letter",
    "release_letter",
    "rerender_draft",
]

KIND_FOR_DECISION = {
    Decision.Kind.AWARD: Letter.Kind.AWARD,
    Decision.Kind.REJECT: Letter.Kind.REJECTION,
    # A waiting-list place is no decision on the application yet: a short notice, no legal remedies.
    Decision.Kind.WAITLIST: Letter.Kind.WAITLIST,
}
TEMPLATES = {
    Letter.Kind.RECEIPT: "letters/receipt.html",
    Letter.Kind.AWARD: "letters/award.html",
    Letter.Kind.REJECTION: "letters/rejection.html",
    Letter.Kind.WAITLIST: "letters/waitlist.html",
}
TITLES = {
    Letter.Kind.RECEIPT: "Eingangsbestätigung",
    Letter.Kind.AWARD: "Bescheid über die Teilnahme an der Prozessbegleitung",
    Letter.Kind.REJECTION: "Bescheid über Ihren Antrag auf Prozessbegleitung",
    Letter.Kind.WAITLIST: "Mitteilung: Aufnahme in die Nachrückliste",
}

DEFAULT_SENDER = {
    "name": "Führungsakademie Baden-Württemberg",
    "unit": "Prozessbegleitung Integration durch bürgerschaftliches Engagement",
    "street": "Hans-Thoma-Straße 1",
    "city": "76133 Karlsruhe",
    "contact": "Team Prozessbegleitung",
    "phone": "",
    "email": "",
    # The sender line above the address (DIN 5008 return address); it must fit 80 mm.
    "return_line": "Führungsakademie Baden-Württemberg · Hans-Thoma-Str. 1 · 76133 Karlsruhe",
}


def _require_academy(user):
    if not is_academy_staff(user):
        raise LetterError(_("Nur Mitarbeitende der Akademie dürfen Schreiben berichtigen oder freigeben."))


def render_pdf(template, context) -> bytes:
    # Imported on use: WeasyPrint needs the system's Pango, and the portal should start without it.
    from . import rendering

    return rendering.render_pdf(template, context)


def sender():
    """The academy's letterhead; ``settings.LETTER_SENDER`` may override single entries."""
    values = {**DEFAULT_SENDER, **getattr(settings, "LETTER_SENDER", {})}
    if not values["email"]:
        values["email"] = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return values


def recipient_lines(application):
    """Organisation name, then the postal address given in the application."""
    name = application.organisation.name
    lines = [line.strip() for line in application.postal_address.splitlines() if line.strip()]
    if not lines or lines[0] != name:
        lines.insert(0, name)
    return lines


def _context(application, kind, *, decision=None, letter_date=None, preview=False, supersedes=None, note=""):
    funding_round = application.funding_round
    title = TITLES[kind]
    return {
        "title": f"{title} – {application.reference_number}",
        "subject": title,
        "subject_detail": f"{funding_round.programme.name} – {funding_round.name}",
        "sender": sender(),
        "application": application,
        "organisation": application.organisation,
        "funding_round": funding_round,
        "programme": funding_round.programme,
        "decision": decision,
        "recipient_lines": recipient_lines(application),
        "letter_date": timezone.localtime(letter_date or timezone.now()),
        "legal_remedies": funding_round.legal_remedies.strip(),
        "preview": preview,
        "supersedes": supersedes,
        "note": note,
    }


def _receipt_context(application, now):
    context = _context(application, Letter.Kind.RECEIPT, letter_date=now)
    context.update(
        {
            "submitted_at": timezone.localtime(application.submitted_at),
            "deadline": timezone.localtime(application.funding_round.deadline),
            "attachments": list(application.attachments.order_by("uploaded_at", "pk")),
        }
    )
    return context


def _load_application(application_id):
    return Application.objects.select_related("organisation", "funding_round__programme", "submitted_by").get(
        pk=application_id
    )


def _load_decision(decision_id):
    return Decision.objects.select_related(
        "application__organisation", "application__funding_round__programme", "released_by"
    ).get(pk=decision_id)


def _render_decision(decision, *, letter_date=None, preview=False, supersedes=None, note=""):
    kind = KIND_FOR_DECISION[decision.kind]
    context = _context(
        decision.application,
        kind,
        decision=decision,
        letter_date=letter_date,
        preview=preview,
        supersedes=supersedes,
        note=note,
    )
    return kind, render_pdf(TEMPLATES[kind], context)


def _store(letter, pdf: bytes, *, release: bool, now):
    """Save file and row together; without a row, the file is removed again."""
    letter.sha256 = hashlib.sha256(pdf).hexdigest()
    letter.size = len(pdf)
    letter.created_at = now
    if release:
        letter.status = Letter.Status.RELEASED
        letter.released_at = now
    letter.file.save("letter.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            letter.save(force_insert=True)
    except Exception:
        letter.file.storage.delete(letter.file.name)
        raise
    return letter


# --- receipts ------------------------------------------------------------------------


def issue_receipt(*, application_id, now=None) -> Letter:
    """The Eingangsbestätigung of a submitted application; rendered once, released at once."""
    existing = Letter.objects.filter(application_id=application_id, kind=Letter.Kind.RECEIPT).first()
    if existing:
        return existing
    application = _load_application(application_id)
    if not application.submitted_at:
        raise LetterError(_("Für einen nicht eingereichten Antrag gibt es keine Eingangsbestätigung."))
    now = now or timezone.now()
    pdf = render_pdf(TEMPLATES[Letter.Kind.RECEIPT], _receipt_context(application, now))
    try:
        return _store(Letter(application=application, kind=Letter.Kind.RECEIPT), pdf, release=True, now=now)
    except IntegrityError:
        # Another worker issued it a moment earlier (the task ran twice); anything else is a bug.
        existing = Letter.objects.filter(application_id=application_id, kind=Letter.Kind.RECEIPT).first()
        if existing is None:
            raise
        return existing


# --- decision letters ----------------------------------------------------------------


def issue_decision_letter(*, decision_id, now=None) -> Letter:
    """The letter of a released decision; issuing twice returns the first letter."""
    existing = Letter.objects.filter(decision_id=decision_id, supersedes__isnull=True).first()
    if existing:
        return existing
    decision = _load_decision(decision_id)
    if decision.status != Decision.Status.RELEASED:
        raise LetterError(_("Ein Bescheid wird erst nach Freigabe der Entscheidung erstellt."))
    now = now or timezone.now()
    kind, pdf = _render_decision(decision, letter_date=now)
    letter = Letter(application=decision.application, decision=decision, kind=kind, rendered_by=decision.released_by)
    try:
        return _store(letter, pdf, release=True, now=now)
    except IntegrityError:
        existing = Letter.objects.filter(decision_id=decision_id, supersedes__isnull=True).first()
        if existing is None:
            raise
        return existing


def preview_decision_letter(decision) -> bytes:
    """The letter a proposed decision would produce, marked as a draft; nothing is stored."""
    decision = _load_decision(decision.pk)
    if decision.status != Decision.Status.PROPOSED:
        raise LetterError(_("Eine Vorschau gibt es nur für vorgeschlagene Entscheidungen."))
    return _render_decision(decision, preview=True)[1]


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
        raise LetterError(_("Nur ein freigegebenes Schreiben kann berichtigt werden; ändern Sie den Entwurf."))
    if Letter.objects.filter(supersedes=old).exists():
        raise LetterError(
            _("Zu diesem Schreiben gibt es bereits eine Berichtigung. Berichtigen Sie die neueste Fassung.")
        )
    now = now or timezone.now()
    decision = _load_decision(old.decision_id)
    kind, pdf = _render_decision(decision, letter_date=now, supersedes=old, note=note)
    correction = Letter(
        application_id=old.application_id, decision=decision, kind=kind, supersedes=old, note=note, rendered_by=by
    )
    try:
        correction = _store(correction, pdf, release=release, now=now)
    except IntegrityError as error:
        raise LetterError(_("Zu diesem Schreiben gibt es bereits eine Berichtigung.")) from error
    if release:
        _announce(correction)
    return correction


@transaction.atomic
def rerender_draft(*, letter: Letter, by, now=None) -> Letter:
    """Render a draft again from current data. A released letter is refused: it is a record."""
    locked = Letter.objects.select_for_update().get(pk=letter.pk)
    if locked.is_released:
        raise ReleasedLetterError(
            _("Ein freigegebenes Schreiben kann nicht geändert werden. Stellen Sie eine Berichtigung aus.")
        )
    now = now or timezone.now()
    decision = _load_decision(locked.decision_id)
    _kind, pdf = _render_decision(decision, letter_date=now, supersedes=locked.supersedes, note=locked.note)
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
        raise ReleasedLetterError(_("Dieses Schreiben ist bereits freigegeben."))
    if locked.application.funding_round.four_eyes and locked.rendered_by_id == by.pk:
        raise LetterError(_("Vier-Augen-Prinzip: Eine andere Person muss die Berichtigung freigeben."))
    locked.status = Letter.Status.RELEASED
    locked.released_at = now or timezone.now()
    locked.save(update_fields=["status", "released_at"])
    _announce(locked)
    return locked


def _announce(letter):
    # Imported here: the tasks module imports this one.
    from . import tasks

    transaction.on_commit(lambda: tasks.announce_letter.delay(letter.pk), robust=True)


# --- e-mail bookkeeping --------------------------------------------------------------


def notify_once(*, letter_id, send) -> int:
    """Call ``send()`` unless the letter was announced already; stamp ``notified_at``.

    The row stays locked while sending: a second worker waits, then sees the stamp. If
    sending fails, the stamp is rolled back and the task's retry sends again.
    """
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter_id)
        if letter.notified_at or not letter.is_released:
            return 0
        letter.notified_at = timezone.now()
        letter.save(update_fields=["notified_at"])
        return send()
