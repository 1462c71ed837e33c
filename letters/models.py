"""Letters (PDF): the receipt after submission and the letters announcing a decision.

A released letter is a record: its file, checksum and dates never change. A mistake is
fixed by a correction, a new letter that ``supersedes`` the old one. Three guards hold
this: the services never touch a released letter, ``Letter.save()`` refuses to, and the
database refuses an UPDATE of a released letter's content (CheckConstraint plus a trigger,
see migration 0002).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Application
from foerderportal.errors import DomainError

from . import notification


class LetterError(DomainError):
    """A rule about letters refused the action; ``message`` is German and shown to staff."""


class ReleasedLetterError(LetterError):
    """Somebody tried to change or delete a released letter."""


def letter_upload_to(instance, filename):
    # Generated names: nothing about the applicant reaches the file system.
    return f"letters/{instance.application.funding_round_id}/{uuid.uuid4().hex}.pdf"


# Columns that may still change after release: bookkeeping, not content.
MUTABLE_AFTER_RELEASE = frozenset(
    {"notified_at", "other_notified_on", "other_notification_way", "other_notification_by", "other_recorded_at"}
)


class Letter(models.Model):
    class Kind(models.TextChoices):
        # One term per document (DESIGN.md): the decision is the "Bescheid", the receipt the
        # "Eingangsbestätigung". A waiting-list place is no decision yet (no legal remedies), so
        # its letter is a "Mitteilung", not a Bescheid.
        RECEIPT = "receipt", _("Eingangsbestätigung")
        AWARD = "award", _("Bescheid – Aufnahme in die Prozessbegleitung")
        REJECTION = "rejection", _("Bescheid – Ablehnung")
        WAITLIST = "waitlist", _("Mitteilung – Nachrückliste")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        RELEASED = "released", _("freigegeben")

    class OtherWay(models.TextChoices):
        POST = "post", _("per Post")
        HAND = "hand", _("persönliche Übergabe gegen Empfangsbekenntnis")
        OTHER = "other", _("auf sonstigem Weg")

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="letters", verbose_name=_("Antrag")
    )
    decision = models.ForeignKey(
        "reviews.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name=_("Entscheidung"),
    )
    kind = models.CharField(_("Art"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("Status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    file = models.FileField(_("Datei"), upload_to=letter_upload_to, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("Größe (Bytes)"), default=0)
    created_at = models.DateTimeField(_("erstellt am"), default=timezone.now)
    released_at = models.DateTimeField(_("freigegeben am"), null=True, blank=True)
    notified_at = models.DateTimeField(_("E-Mail versandt am"), null=True, blank=True)
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("ersetzt"),
    )
    note = models.TextField(_("Hinweis zur Berichtigung"), blank=True)
    # Notification (§ 41 Abs. 2a LVwVfG BW): set at release when no confirmed, active member of the
    # organisation consented to electronic notification; then downloads do not notify.
    postal_dispatch = models.BooleanField(_("per Post bekanntgeben"), default=False)
    other_notified_on = models.DateField(_("auf anderem Weg bekanntgegeben am"), null=True, blank=True)
    other_notification_way = models.CharField(
        _("anderer Weg der Bekanntgabe"), max_length=16, choices=OtherWay.choices, blank=True
    )
    other_notification_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("andere Bekanntgabe erfasst von"),
    )
    other_recorded_at = models.DateTimeField(_("andere Bekanntgabe erfasst am"), null=True, blank=True)
    rendered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erstellt von"),
    )

    class Meta:
        verbose_name = _("Dokument")
        verbose_name_plural = _("Dokumente")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="released")
                | (Q(released_at__isnull=False, size__gt=0) & ~Q(sha256="") & ~Q(file="")),
                name="letter_released_has_checksum_and_date",
            ),
            models.CheckConstraint(
                condition=Q(kind="receipt", decision__isnull=True) | (~Q(kind="receipt") & Q(decision__isnull=False)),
                name="letter_decision_iff_not_receipt",
            ),
            # Receipts are released when created and never corrected: one per application.
            models.UniqueConstraint(
                fields=["application"], condition=Q(kind="receipt"), name="letter_one_receipt_per_application"
            ),
            # One original letter per decision (what makes issuing idempotent) ...
            models.UniqueConstraint(
                fields=["decision"],
                condition=Q(decision__isnull=False, supersedes__isnull=True),
                name="letter_one_original_per_decision",
            ),
            # ... and corrections form a chain, never a fork.
            models.UniqueConstraint(fields=["supersedes"], name="letter_superseded_once"),
            models.CheckConstraint(
                condition=Q(other_notified_on__isnull=True, other_notification_way="", other_recorded_at__isnull=True)
                | (Q(other_notified_on__isnull=False, other_recorded_at__isnull=False) & ~Q(other_notification_way="")),
                name="letter_other_notification_complete",
            ),
            models.CheckConstraint(
                condition=Q(other_notified_on__isnull=True)
                | Q(status="released", kind__in=notification.NOTIFIED_KINDS),
                name="letter_other_notification_only_for_released_bescheid",
            ),
        ]
        indexes = [models.Index(fields=["application", "status"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.application.reference_number or ''}".strip()

    def save(self, *args, **kwargs):
        if not self._state.adding and self.pk is not None:
            update_fields = kwargs.get("update_fields")
            bookkeeping_only = update_fields is not None and set(update_fields) <= MUTABLE_AFTER_RELEASE
            # Ask the database, not the instance: a stale copy must not slip through.
            if not bookkeeping_only and type(self)._default_manager.filter(pk=self.pk, status="released").exists():
                raise ReleasedLetterError(
                    _("Ein freigegebenes Dokument kann nicht geändert werden. Stellen Sie eine Berichtigung aus.")
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if type(self)._default_manager.filter(pk=self.pk, status="released").exists():
            raise ReleasedLetterError(_("Ein freigegebenes Dokument kann nicht gelöscht werden."))
        return super().delete(*args, **kwargs)

    @property
    def is_released(self):
        return self.status == self.Status.RELEASED

    def notification(self, today=None) -> notification.Notification:
        """Where this letter stands in its notification on ``today`` (default: today in Europe/Berlin).

        Uses the annotation ``first_download_at`` of ``selectors.with_notification`` when present.
        """
        if not self.is_released:
            return notification.Notification(notification.State.NOT_APPLICABLE)
        if hasattr(self, "first_download_at"):
            first = self.first_download_at
        else:
            first = self.downloads.filter(notifies=True).aggregate(first=Min("downloaded_at"))["first"]
        return notification.notification_of(
            kind=self.kind,
            postal_dispatch=self.postal_dispatch,
            notified_at=self.notified_at,
            first_download_at=first,
            other_notified_on=self.other_notified_on,
            today=today or timezone.localdate(),
        )

    @property
    def download_name(self):
        prefix = {
            self.Kind.RECEIPT: "Eingangsbestaetigung",
            self.Kind.WAITLIST: "Mitteilung-Nachrueckliste",
        }.get(self.kind, "Bescheid")
        suffix = "-Berichtigung" if self.supersedes_id else ""
        return f"{prefix}-{self.application.reference_number}{suffix}.pdf"


class LetterDownload(models.Model):
    """One download of a released letter: who, when, which file (its SHA-256). A record, never changed.

    ``notifies`` says whether this download counts for the notification: by a confirmed member of the
    organisation (not academy staff), within the provision, of a Bescheid provided for download.
    """

    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="downloads", verbose_name=_("Schreiben"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("Benutzer/in"),
    )
    user_email = models.EmailField(_("E-Mail-Adresse"))
    downloaded_at = models.DateTimeField(_("abgerufen am"), default=timezone.now)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    notifies = models.BooleanField(_("zählt für die Bekanntgabe"), default=False)

    class Meta:
        verbose_name = _("Abruf")
        verbose_name_plural = _("Abrufe")
        ordering = ["downloaded_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(sha256=""), name="letterdownload_has_sha256")]
        indexes = [models.Index(fields=["letter", "notifies", "downloaded_at"])]

    def __str__(self):
        return f"{self.letter_id} {self.user_email} {self.downloaded_at:%Y-%m-%d %H:%M}"
