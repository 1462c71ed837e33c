"""Requests for missing items (Nachforderung), the message thread of an application, and their e-mails.

Rows change only through ``correspondence.services``. What the application itself must know about an
open request (which sections and attachment kinds are reopened) lives on ``applications.Application``.
"""

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applications.models import Application
from reminders.models import SentLog


class InformationRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=InformationRequest.Status.OPEN)

    def overdue(self, today: date):
        """Open requests whose due date has passed on ``today`` (Europe/Berlin)."""
        return self.open().filter(due_on__lt=today)


class InformationRequest(models.Model):
    """Academy staff ask the applicant for missing items or a clarification (§ 25 LVwVfG)."""

    class Status(models.TextChoices):
        OPEN = "open", _("offen")
        ANSWERED = "answered", _("beantwortet")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="information_requests", verbose_name=_("Antrag")
    )
    text = models.TextField(_("Rückfrage"))
    due_on = models.DateField(_("Frist"))
    sections = models.JSONField(_("freigegebene Abschnitte"), default=list, blank=True)
    attachment_kinds = models.JSONField(_("freigegebene Anlagenarten"), default=list, blank=True)
    status = models.CharField(_("Status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("gestellt von")
    )
    created_at = models.DateTimeField(_("gestellt am"), auto_now_add=True)
    answer = models.TextField(_("Antwort"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("beantwortet von"),
    )
    answered_at = models.DateTimeField(_("beantwortet am"), null=True, blank=True)

    objects = InformationRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("Rückfrage")
        verbose_name_plural = _("Rückfragen")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"], condition=Q(status="open"), name="information_request_one_open_per_application"
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(answered_at__isnull=False), name="information_request_answered_has_time"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return _("Rückfrage zu %(application)s") % {"application": self.application}


def message_upload_to(instance, filename):
    # Generated names: the user's file name never reaches the file system.
    return f"messages/{instance.application_id}/{uuid.uuid4().hex}"


class Message(models.Model):
    """One message in an application's thread between its confirmed members and the academy."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="messages", verbose_name=_("Antrag")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("von")
    )
    from_academy = models.BooleanField(_("von der Akademie"))
    text = models.TextField(_("Nachricht"))
    created_at = models.DateTimeField(_("gesendet am"), auto_now_add=True)
    file = models.FileField(upload_to=message_upload_to, max_length=200, blank=True)
    original_name = models.CharField(_("Dateiname"), max_length=255, blank=True)
    content_type = models.CharField(_("Dateityp"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("Größe (Bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("Nachricht")
        verbose_name_plural = _("Nachrichten")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(file="") | Q(size__gt=0, sha256__regex=r"^[0-9a-f]{64}$"),
                name="message_attachment_checked",
            ),
        ]

    def __str__(self):
        return _("Nachricht zu %(application)s") % {"application": self.application}


class MessageNotification(models.Model):
    """One e-mail per message per recipient: the row is claimed before the e-mail goes out."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.EmailField(_("Empfänger/in"))
    claimed_at = models.DateTimeField(_("übernommen am"))
    sent_at = models.DateTimeField(_("versandt am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Benachrichtigung")
        verbose_name_plural = _("Benachrichtigungen")
        constraints = [
            models.UniqueConstraint(fields=["message", "recipient"], name="message_notification_once_per_recipient"),
        ]

    def __str__(self):
        return self.recipient


class RequestReminder(SentLog):
    """The one reminder before a request's due date (``correspondence.reminders``)."""

    request = models.ForeignKey(
        InformationRequest, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("Rückfrage")
    )
    due_on = models.DateField(_("Frist, an die erinnert wurde"))
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("Erinnerung an eine Rückfrage")
        verbose_name_plural = _("Erinnerungen an Rückfragen")
        ordering = ["-claimed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["request"], name="request_reminder_once"),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="request_reminder_sent_has_sent_at"
            ),
        ]
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self):
        return _("Erinnerung an %(request)s (%(status)s)") % {
            "request": self.request,
            "status": self.get_status_display(),
        }
