"""Issuing letters, as the Celery tasks run it: render, store once with its SHA-256, announce
once. A released letter is never rewritten; a correction is a new letter (``letters.services``).

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

from applications.models import DESIGNATIONS, Application
from foerderportal.delivery import DeliveryDeferred
from reviews.models import Decision

from . import selectors
from .models import Letter, LetterError
from .notification import NOTIFIED_KINDS

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
# The subject line of each letter is its kind's label: one term per document everywhere.
TITLES = {kind: kind.label for kind in Letter.Kind}

DEFAULT_SENDER = {
    "name": "Führungsakademie Baden-Württemberg",
    "unit": "Prozessbegleitung Integration durch bürgerschaftliches Engagement",
    "street": "Hans-Thoma-Straße 1",
    "city": "76133 Karlsruhe",
    "contact": "Team Prozessbegleitung",
    # Placeholders like the e-mail's .example domain: production sets LETTER_SENDER.
    "phone": "0721 000000",
    "email": "",
    # The sender line above the address (DIN 5008 return address); it must fit 80 mm.
    "return_line": "Führungsakademie Baden-Württemberg · Hans-Thoma-Str. 1 · 76133 Karlsruhe",
}


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


def _names_organisation(line, organisation):
    """True for an address line that names the addressee ("Universitätsstadt Tübingen",
    "Landratsamt Böblingen"), not for the town line ("72070 Tübingen") or a street."""
    if line[:1].isdigit():
        return False
    name = " ".join(organisation.name.split())
    title = DESIGNATIONS[organisation.kind][1]["nom"]
    # "Landkreis Böblingen" is named by "Landratsamt Böblingen" too.
    core = name[len(title) + 1 :] if name.casefold().startswith(title.casefold() + " ") else name
    return core.casefold() in line.casefold()


def recipient_lines(application):
    """The addressee, then the postal address given in the application, the name only once.

    When the address opens with a line naming the organisation ("Universitätsstadt Tübingen",
    "Bürgermeisteramt Aichwald"), that line is the addressee; otherwise the organisation's
    official name ("Stadt Tübingen", "Landkreis Böblingen") heads the address.
    """
    organisation = application.organisation
    lines = [" ".join(line.split()) for line in application.postal_address.splitlines() if line.strip()]
    if not lines or not _names_organisation(lines[0], organisation):
        lines.insert(0, organisation.official_name)
    return lines


def legal_basis(funding_round):
    """The round's legal basis as staff wrote it; empty: its Förderaufruf and the norm."""
    return funding_round.legal_basis.strip()


def signature(funding_round, kind):
    """Who issues the letter (§ 37 Abs. 3 LVwVfG): the authority, the officer of the round.

    A receipt is always issued by the machine; a Bescheid carries the round's officer and,
    where the round says so, "elektronisch erstellt, ohne Unterschrift gültig".
    """
    if kind == Letter.Kind.RECEIPT:
        return {"officer": "", "officer_title": "", "electronic": True}
    return {
        "officer": funding_round.signing_officer.strip(),
        "officer_title": funding_round.signing_officer_title.strip(),
        "electronic": funding_round.signed_electronically,
    }


def facilitation_period(decision, letter_date):
    """The period the facilitation of this award is created with (``applications.periods``):
    from the month after the release; a preview (not released yet) counts from the letter's date.
    A rejection names the period applied for; a waiting-list notice none."""
    if decision is None or decision.kind not in (Decision.Kind.AWARD, Decision.Kind.REJECT):
        return None
    released = decision.released_at or letter_date
    return decision.application.funding_round.facilitation_period(timezone.localdate(released))


def _context(application, kind, *, decision=None, letter_date=None, preview=False, supersedes=None, note=""):
    funding_round = application.funding_round
    organisation = application.organisation
    title = TITLES[kind]
    letter_date = timezone.localtime(letter_date or timezone.now())
    period = facilitation_period(decision, letter_date)
    return {
        "title": f"{title} – {application.reference_number}",
        "subject": title,
        "subject_detail": f"{funding_round.programme.name} – {funding_round.name}",
        "sender": sender(),
        "application": application,
        "organisation": organisation,
        "designation": {case: organisation.designation(case) for case in ("nom", "gen", "dat", "acc")},
        "funding_round": funding_round,
        "programme": funding_round.programme,
        "decision": decision,
        "recipient_lines": recipient_lines(application),
        "letter_date": letter_date,
        "period_start": period[0] if period else None,
        "period_end": period[1] if period else None,
        "legal_basis": legal_basis(funding_round),
        "signature": signature(funding_round, kind),
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


def load_decision(decision_id):
    return Decision.objects.select_related(
        "application__organisation", "application__funding_round__programme", "released_by"
    ).get(pk=decision_id)


def render_decision(decision, *, letter_date=None, preview=False, supersedes=None, note=""):
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


def needs_postal_dispatch(letter) -> bool:
    """A Bescheid goes by post when no confirmed, active member of the organisation consented to
    electronic notification (§ 41 Abs. 2a LVwVfG BW); decided when it is released."""
    return letter.kind in NOTIFIED_KINDS and not selectors.organisation_consented(letter.application.organisation_id)


def store_letter(letter, pdf: bytes, *, release: bool, now):
    """Save file and row together; without a row, the file is removed again."""
    letter.sha256 = hashlib.sha256(pdf).hexdigest()
    letter.size = len(pdf)
    letter.created_at = now
    if release:
        letter.status = Letter.Status.RELEASED
        letter.released_at = now
        letter.postal_dispatch = needs_postal_dispatch(letter)
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
        return store_letter(Letter(application=application, kind=Letter.Kind.RECEIPT), pdf, release=True, now=now)
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
    decision = load_decision(decision_id)
    if decision.status != Decision.Status.RELEASED:
        raise LetterError(_("Ein Bescheid wird erst nach Freigabe der Entscheidung erstellt."))
    now = now or timezone.now()
    kind, pdf = render_decision(decision, letter_date=now)
    letter = Letter(application=decision.application, decision=decision, kind=kind, rendered_by=decision.released_by)
    try:
        return store_letter(letter, pdf, release=True, now=now)
    except IntegrityError:
        existing = Letter.objects.filter(decision_id=decision_id, supersedes__isnull=True).first()
        if existing is None:
            raise
        return existing


def preview_decision_letter(decision) -> bytes:
    """The letter a proposed decision would produce, marked as a draft; nothing is stored."""
    decision = load_decision(decision.pk)
    if decision.status != Decision.Status.PROPOSED:
        raise LetterError(_("Eine Vorschau gibt es nur für vorgeschlagene Entscheidungen."))
    return render_decision(decision, preview=True)[1]


# --- e-mail bookkeeping --------------------------------------------------------------


def notify_once(*, letter_id, send) -> int:
    """Call ``send()`` unless the letter was announced already; stamp ``notified_at``.

    The row stays locked while sending: a second worker waits, then sees the stamp. When a
    recipient was refused for now (``DeliveryDeferred``), the recipients reached so far are
    committed in the delivery log, nothing is stamped, and the error goes on to the task's retry,
    which sends to the others only. Any other error rolls everything back.
    """
    deferred = None
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter_id)
        if letter.notified_at or not letter.is_released:
            return 0
        try:
            sent = send()
        except DeliveryDeferred as error:
            deferred = error
        else:
            letter.notified_at = timezone.now()
            letter.save(update_fields=["notified_at"])
            return sent
    raise deferred
