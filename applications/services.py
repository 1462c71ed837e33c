"""Every write and status transition of the applicant side.

Each transition runs in a transaction, re-reads its row with
``select_for_update()``, checks preconditions, raises ``ApplicationError`` with
a German message, saves only the changed fields and records an event.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.roles import is_academy_staff
from accounts.services import register_user
from foerderportal import hooks
from foerderportal.audit import log_event
from foerderportal.errors import DomainError
from foerderportal.files import store_upload
from foerderportal.formatting import format_deadline

from . import tasks
from .declaration import DECLARATION_VERSION, declaration_text
from .forms import SECTIONS, SECTIONS_BY_SLUG
from .models import Application, Attachment, FundingRound, Membership, Organisation


class ApplicationError(DomainError):
    """A rule of the applicant side refused the action; ``message`` is shown to the user."""


# --- memberships -----------------------------------------------------------


def notify_membership_requested(membership):
    transaction.on_commit(lambda: tasks.send_membership_requested.delay(membership.pk), robust=True)


@transaction.atomic
def register_applicant(*, organisation: Organisation, **account) -> User | None:
    """A new municipal account: an inactive user plus a membership request for ``organisation``.

    Colleagues and staff hear of the request only once the address is verified
    (``hooks.account_verified`` → ``announce_membership_requests``).
    Returns ``None`` when the address already has an account (``register_user`` tells its owner by
    e-mail); nobody has shown to control that mailbox, so no membership is requested for it.
    """
    user = register_user(**account)
    if user is not None:
        request_membership(user=user, organisation=organisation, notify=False)
    return user


def announce_membership_requests(*, user):
    """Receiver of ``hooks.account_verified``: tell colleagues and staff about the user's requests."""
    for membership in user.memberships.filter(status=Membership.Status.REQUESTED):
        notify_membership_requested(membership)


def request_membership(*, user, organisation: Organisation, notify=True) -> Membership:
    membership, created = Membership.objects.get_or_create(user=user, organisation=organisation)
    if not created and membership.status == Membership.Status.REJECTED:
        raise ApplicationError(
            _("Ihre Anfrage für diese Organisation wurde abgelehnt. Bitte wenden Sie sich an die Akademie.")
        )
    if created and notify:
        notify_membership_requested(membership)
    return membership


def _may_decide_membership(actor, membership):
    if is_academy_staff(actor):
        return True
    return (
        actor.pk != membership.user_id
        and Membership.objects.filter(
            user=actor, organisation_id=membership.organisation_id, status=Membership.Status.CONFIRMED
        ).exists()
    )


@transaction.atomic
def confirm_membership(*, membership: Membership, by) -> Membership:
    """Academy staff confirm the first member; confirmed members confirm colleagues."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not _may_decide_membership(by, membership):
        raise ApplicationError(_("Sie dürfen diese Mitgliedschaft nicht bestätigen."))
    if membership.status == Membership.Status.CONFIRMED:
        return membership
    membership.status = Membership.Status.CONFIRMED
    membership.decided_at = timezone.now()
    membership.decided_by = by
    membership.save(update_fields=["status", "decided_at", "decided_by"])
    transaction.on_commit(lambda: tasks.send_membership_confirmed.delay(membership.pk), robust=True)
    return membership


@transaction.atomic
def reject_membership(*, membership: Membership, by) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not _may_decide_membership(by, membership):
        raise ApplicationError(_("Sie dürfen über diese Mitgliedschaft nicht entscheiden."))
    if membership.status == Membership.Status.CONFIRMED and not is_academy_staff(by):
        raise ApplicationError(_("Eine bestätigte Mitgliedschaft kann nur die Akademie beenden."))
    membership.status = Membership.Status.REJECTED
    membership.decided_at = timezone.now()
    membership.decided_by = by
    membership.save(update_fields=["status", "decided_at", "decided_by"])
    return membership


def _require_member(user, organisation_id):
    if not Membership.objects.filter(
        user=user, organisation_id=organisation_id, status=Membership.Status.CONFIRMED
    ).exists():
        raise ApplicationError(_("Nur bestätigte Mitglieder der Organisation können das tun."))


# --- the application ---------------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    section: str
    label: str
    done: bool


def checklist(application: Application) -> list[ChecklistItem]:
    """What a complete application needs, section by section (shown to applicants)."""
    a = application
    # From the query's annotation where there is one (selectors.application_with_resolution_flag).
    has_resolution = getattr(a, "has_resolution", None)
    if has_resolution is None:
        has_resolution = any(att.kind == Attachment.Kind.RESOLUTION for att in a.attachments.all())
    items = [
        ("contact", _("Ansprechperson mit E-Mail-Adresse"), bool(a.contact_name and a.contact_email)),
        ("contact", _("Interne Projektleitung mit E-Mail-Adresse"), bool(a.lead_name and a.lead_email)),
        ("contact", _("Postanschrift der Verwaltung"), bool(a.postal_address.strip())),
        ("situation", _("Integrationssituation vor Ort"), bool(a.integration_situation.strip())),
        ("situation", _("Bestehende Strukturen des Engagements"), bool(a.engagement_structures.strip())),
        ("situation", _("Migrantenorganisationen"), bool(a.migrant_organisations.strip())),
        ("goals", _("Ziele für die zwei Jahre"), bool(a.goals.strip())),
        ("participation", _("Beteiligung von Zivilgesellschaft und Migrant/innen"), bool(a.participation.strip())),
        ("commitment", _("Gremium und Datum des Beschlusses"), bool(a.council_body and a.resolution_date)),
        ("commitment", _("Beschluss als Anlage"), has_resolution),
        ("resources", _("Bereitgestellte Räume"), bool(a.rooms.strip())),
        ("resources", _("Bereitgestelltes Personal"), bool(a.staff.strip())),
    ]
    return [ChecklistItem(section, label, done) for section, label, done in items]


def missing_items(application: Application) -> list[str]:
    return [item.label for item in checklist(application) if not item.done]


@transaction.atomic
def start_application(*, funding_round: FundingRound, organisation: Organisation, user, now=None) -> Application:
    """Open (or return the existing) draft of an organisation for a round."""
    now = now or timezone.now()
    _require_member(user, organisation.pk)
    existing = Application.objects.filter(funding_round=funding_round, organisation=organisation).first()
    if existing:
        return existing
    if not funding_round.accepts_submissions_at(now):
        raise ApplicationError(_("Für diese Förderrunde können derzeit keine Anträge gestellt werden."))
    if not funding_round.is_eligible(organisation):
        raise ApplicationError(
            _("%(kind)s sind in dieser Förderrunde nicht antragsberechtigt.")
            % {"kind": organisation.get_kind_display()}
        )
    try:
        with transaction.atomic():
            application = Application(
                funding_round=funding_round,
                organisation=organisation,
                created_by=user,
                contact_name=user.get_full_name(),
                contact_email=user.email,
                contact_function=getattr(user, "job_title", ""),
                contact_phone=getattr(user, "phone", ""),
            )
            application._history_user = user
            application.save()
    except IntegrityError:
        # A colleague started the same application a moment earlier.
        return Application.objects.get(funding_round=funding_round, organisation=organisation)
    log_event(application, user, "created")
    return application


def _lock_editable(application, user, now):
    application = Application.objects.select_for_update().select_related("funding_round").get(pk=application.pk)
    _require_member(user, application.organisation_id)
    if application.is_reopened:
        return application  # what may change is checked per field and per attachment kind
    if application.status != Application.Status.DRAFT:
        raise ApplicationError(_("Der Antrag ist eingereicht und kann nicht mehr geändert werden."))
    if not application.funding_round.accepts_submissions_at(now):
        raise ApplicationError(
            _("Die Antragsfrist ist am %(deadline)s abgelaufen. Der Entwurf kann nicht mehr geändert werden.")
            % {"deadline": format_deadline(application.funding_round.deadline)}
        )
    return application


def reopened_fields(application: Application) -> set[str]:
    """The form fields of the sections a request for missing items reopened."""
    return {name for slug in application.reopened_sections for name in SECTIONS_BY_SLUG[slug].fields}


def _require_reopened_fields(application, fields):
    if application.is_reopened and not set(fields) <= reopened_fields(application):
        raise ApplicationError(
            _(
                "Dieser Abschnitt ist nicht zur Änderung freigegeben. Geändert werden können nur die Angaben, "
                "nach denen die Akademie gefragt hat."
            )
        )


def _require_reopened_kind(application, kind):
    if application.is_reopened and kind not in application.reopened_attachment_kinds:
        raise ApplicationError(
            _("Anlagen der Art „%(kind)s“ sind nicht zur Änderung freigegeben.") % {"kind": Attachment.Kind(kind).label}
        )


@transaction.atomic
def update_application(*, application: Application, user, data: dict, now=None) -> Application:
    """Save a section of the draft: only the given fields change."""
    now = now or timezone.now()
    locked = _lock_editable(application, user, now)
    changed = [name for name, value in data.items() if getattr(locked, name) != value]
    _require_reopened_fields(locked, changed)
    for name in changed:
        setattr(locked, name, data[name])
    if changed:
        locked._history_user = user  # the audit trail names the actor
        locked.save(update_fields=[*changed, "updated_at"])
        log_event(locked, user, "updated", fields=changed)
    return locked


@transaction.atomic
def add_attachment(
    *, application: Application, user, uploaded_file, kind=Attachment.Kind.OTHER, now=None
) -> Attachment:
    now = now or timezone.now()
    locked = _lock_editable(application, user, now)
    _require_reopened_kind(locked, kind)
    if locked.attachments.count() >= settings.ATTACHMENTS_PER_APPLICATION:
        raise ApplicationError(
            ngettext(
                "Ein Antrag kann höchstens %(count)d Anlage haben.",
                "Ein Antrag kann höchstens %(count)d Anlagen haben.",
                settings.ATTACHMENTS_PER_APPLICATION,
            )
            % {"count": settings.ATTACHMENTS_PER_APPLICATION}
        )
    attachment = Attachment(application=locked, kind=kind, uploaded_by=user)
    checked = store_upload(attachment, uploaded_file)
    attachment.save()
    log_event(locked, user, "attachment_added", name=checked.safe_name, sha256=checked.sha256)
    return attachment


@transaction.atomic
def remove_attachment(*, attachment: Attachment, user, now=None) -> None:
    now = now or timezone.now()
    locked = _lock_editable(attachment.application, user, now)
    _require_reopened_kind(locked, attachment.kind)
    name = attachment.original_name
    storage, path = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(path))
    log_event(locked, user, "attachment_removed", name=name)


def _next_reference(funding_round_id):
    """Sequence per round; the caller holds the round's row lock."""
    funding_round = FundingRound.objects.select_for_update().get(pk=funding_round_id)
    last = Application.objects.filter(funding_round=funding_round).aggregate(m=Max("sequence"))["m"] or 0
    sequence = last + 1
    return sequence, f"{funding_round.code}-{sequence:04d}"


# The declaration a member confirms when submitting. A changed wording gets a new version, so the
# event log shows which wording each applicant confirmed.
@transaction.atomic
def submit_application(*, application: Application, user, declared: bool = False, now=None) -> Application:
    """Submit a complete draft before the deadline with the member's declaration (``declared``);
    assigns the reference number and records the declaration's wording and version."""
    now = now or timezone.now()
    # The row lock and the membership check in one query (deadline day: every round trip counts);
    # only the application's row is locked, not the joined membership or round.
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("funding_round", "organisation")
        .filter(
            pk=application.pk,
            organisation__memberships__user=user,
            organisation__memberships__status=Membership.Status.CONFIRMED,
        )
        .first()
    )
    if locked is None:
        raise ApplicationError(_("Nur bestätigte Mitglieder der Organisation können das tun."))
    if locked.status != Application.Status.DRAFT:
        raise ApplicationError(_("Dieser Antrag wurde bereits eingereicht oder zurückgezogen."))
    funding_round = locked.funding_round
    if now < funding_round.opens_at:
        raise ApplicationError(
            _("Anträge können erst ab %(opens)s eingereicht werden.")
            % {"opens": format_deadline(funding_round.opens_at)}
        )
    if not funding_round.accepts_submissions_at(now):
        raise ApplicationError(
            _("Die Antragsfrist ist am %(deadline)s abgelaufen. Der Antrag kann nicht mehr eingereicht werden.")
            % {"deadline": format_deadline(funding_round.deadline)}
        )
    missing = missing_items(locked)
    if missing:
        raise ApplicationError(
            _("Der Antrag ist noch nicht vollständig. Es fehlen: %(missing)s.") % {"missing": ", ".join(missing)},
            missing=missing,
        )
    if not declared:
        raise ApplicationError(
            _("Bitte bestätigen Sie vor dem Einreichen die Erklärung: %(declaration)s")
            % {"declaration": declaration_text(locked.organisation)}
        )
    locked.sequence, locked.reference_number = _next_reference(funding_round.pk)
    locked.status = Application.Status.SUBMITTED
    locked.submitted_at = now
    locked.submitted_by = user
    locked._history_user = user  # the audit trail names the actor
    locked.save(update_fields=["sequence", "reference_number", "status", "submitted_at", "submitted_by", "updated_at"])
    log_event(
        locked,
        user,
        "submitted",
        reference_number=locked.reference_number,
        declaration=declaration_text(locked.organisation),
        declaration_version=DECLARATION_VERSION,
    )
    # letters renders the receipt PDF, then sends the e-mail that announces it (on commit).
    hooks.application_submitted(application=locked)
    return locked


@transaction.atomic
def withdraw_application(*, application: Application, user, now=None) -> Application:
    """Withdraw a draft or a submitted application; possible until the deadline."""
    now = now or timezone.now()
    locked = Application.objects.select_for_update().select_related("funding_round").get(pk=application.pk)
    _require_member(user, locked.organisation_id)
    if locked.status not in (Application.Status.DRAFT, Application.Status.SUBMITTED):
        raise ApplicationError(_("Dieser Antrag kann nicht mehr zurückgezogen werden."))
    if not locked.funding_round.accepts_submissions_at(now):
        raise ApplicationError(
            _("Ein Rückzug ist nur bis zum Ende der Antragsfrist (%(deadline)s) möglich.")
            % {"deadline": format_deadline(locked.funding_round.deadline)}
        )
    locked.status = Application.Status.WITHDRAWN
    locked.withdrawn_at = now
    locked.withdrawn_by = user
    locked._history_user = user  # the audit trail names the actor
    locked.save(update_fields=["status", "withdrawn_at", "withdrawn_by", "updated_at"])
    log_event(locked, user, "withdrawn")
    return locked


# --- requests for missing items (Nachforderung) ------------------------------------
# ``correspondence.services`` owns the request and the thread; what the application itself must
# know (which sections and attachment kinds are open, where it returns to, its state before) is
# set and cleared here.

CONTENT_FIELDS = [name for section in SECTIONS for name in section.fields]
# What a request sets and a re-submission clears on the application.
REQUEST_STATE_FIELDS = [
    "status",
    "status_before_request",
    "reopened_sections",
    "reopened_attachment_kinds",
    "reopen_snapshot",
    "updated_at",
]


def _snapshot(application) -> dict:
    """The content as JSON-able text, and the attachments with their hashes: the "before" of the diff."""
    return {
        "fields": {name: _plain(getattr(application, name)) for name in CONTENT_FIELDS},
        "attachments": [
            {"pk": att.pk, "name": att.original_name, "kind": att.kind, "sha256": att.sha256}
            for att in application.attachments.order_by("pk")
        ],
    }


def _plain(value):
    return "" if value is None else str(value)


def _field_label(name):
    return str(Application._meta.get_field(name).verbose_name)


def resubmission_diff(before: dict, after: dict) -> dict:
    """Field by field (label, before, after) and attachments added/removed with their SHA-256."""
    old_fields, new_fields = before.get("fields", {}), after["fields"]
    changes = [
        {"field": name, "label": _field_label(name), "before": old_fields.get(name, ""), "after": new_fields[name]}
        for name in CONTENT_FIELDS
        if old_fields.get(name, "") != new_fields[name]
    ]
    old_attachments = {item["pk"]: item for item in before.get("attachments", [])}
    new_attachments = {item["pk"]: item for item in after["attachments"]}

    def _labelled(item):
        return {**item, "kind_label": str(Attachment.Kind(item["kind"]).label)}

    return {
        "changes": changes,
        "attachments_added": [_labelled(item) for pk, item in new_attachments.items() if pk not in old_attachments],
        "attachments_removed": [_labelled(item) for pk, item in old_attachments.items() if pk not in new_attachments],
    }


@transaction.atomic
def reopen_for_request(
    *, application: Application, sections: list[str], attachment_kinds: list[str], by, due_on=None
) -> Application:
    """Academy staff ask for missing items: the application shows "Rückfrage offen" and only the
    named sections and attachment kinds can be changed by confirmed members until it is re-submitted."""
    if not is_academy_staff(by):
        raise ApplicationError(_("Nur Mitarbeitende der Akademie können Unterlagen nachfordern."))
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status not in (Application.Status.SUBMITTED, Application.Status.IN_REVIEW):
        raise ApplicationError(
            _("Unterlagen können nur zu eingereichten Anträgen oder Anträgen in Prüfung nachgefordert werden.")
        )
    unknown = [slug for slug in sections if slug not in SECTIONS_BY_SLUG]
    unknown += [kind for kind in attachment_kinds if kind not in Attachment.Kind.values]
    if unknown:
        raise ApplicationError(_("Unbekannte Abschnitte oder Anlagenarten: %(items)s.") % {"items": ", ".join(unknown)})
    locked.status_before_request = locked.status
    locked.status = Application.Status.INFO_REQUESTED
    locked.reopened_sections = [section.slug for section in SECTIONS if section.slug in sections]
    locked.reopened_attachment_kinds = [kind for kind in Attachment.Kind.values if kind in attachment_kinds]
    locked.reopen_snapshot = _snapshot(locked)
    locked._history_user = by
    locked.save(update_fields=REQUEST_STATE_FIELDS)
    log_event(
        locked,
        by,
        "info_requested",
        sections=[str(SECTIONS_BY_SLUG[slug].title) for slug in locked.reopened_sections],
        attachment_kinds=[str(Attachment.Kind(kind).label) for kind in locked.reopened_attachment_kinds],
        due_on=due_on.strftime("%d.%m.%Y") if due_on else None,
    )
    return locked


@transaction.atomic
def resubmit_application(*, application: Application, user, now=None) -> Application:
    """A confirmed member re-submits after a request for missing items: the reference number stays, the
    application returns to its state before the request, and the change is recorded as a diff."""
    now = now or timezone.now()
    locked = Application.objects.select_for_update().get(pk=application.pk)
    _require_member(user, locked.organisation_id)
    if not locked.is_reopened:
        raise ApplicationError(_("Zu diesem Antrag ist keine Rückfrage offen."))
    missing = missing_items(locked)
    if missing:
        raise ApplicationError(
            _("Der Antrag ist noch nicht vollständig. Es fehlen: %(missing)s.") % {"missing": ", ".join(missing)},
            missing=missing,
        )
    diff = resubmission_diff(locked.reopen_snapshot, _snapshot(locked))
    locked.status = locked.status_before_request
    locked.status_before_request = ""
    locked.reopened_sections, locked.reopened_attachment_kinds, locked.reopen_snapshot = [], [], {}
    locked.resubmitted_at = now
    locked._history_user = user
    locked.save(update_fields=[*REQUEST_STATE_FIELDS, "resubmitted_at"])
    log_event(locked, user, "resubmitted", reference_number=locked.reference_number, **diff)
    return locked


def last_resubmission_diff(application: Application) -> dict | None:
    """The diff recorded with the latest re-submission (for staff pages), or None."""
    event = application.events.filter(action="resubmitted").order_by("-created_at", "-pk").first()
    return event.data if event else None
