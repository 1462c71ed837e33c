"""The kernel's one table: the per-recipient delivery log of every templated e-mail (``delivery``)."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class MailDelivery(models.Model):
    """One recipient of one message: what the mail server said, how often we tried, whether we gave up.

    ``key`` names the message (``erinnerung.r3.o7.t7``, ``bescheid.l12``); with ``recipient`` it is
    unique, so a recipient whose server accepted the message is never sent it again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("offen")
        ACCEPTED = "accepted", _("angenommen")
        DEFERRED = "deferred", _("vorübergehend abgelehnt")
        FAILED = "failed", _("gescheitert")

    key = models.CharField(_("Nachricht"), max_length=200)
    recipient = models.CharField(_("Empfänger/in"), max_length=254)
    message_id = models.CharField(_("Message-ID"), max_length=255)
    subject = models.CharField(_("Betreff"), max_length=255, blank=True)
    status = models.CharField(_("Status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("Versuche"), default=0)
    created_at = models.DateTimeField(_("angelegt am"))
    first_refused_at = models.DateTimeField(_("zuerst abgelehnt am"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("letzter Versuch am"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("angenommen am"), null=True, blank=True)
    failed_at = models.DateTimeField(_("aufgegeben am"), null=True, blank=True)
    last_code = models.PositiveSmallIntegerField(_("letzter SMTP-Code"), null=True, blank=True)
    last_response = models.TextField(_("letzte Antwort des Mailservers"), blank=True)
    history = models.JSONField(_("Verlauf"), default=list, blank=True)
    reported_on = models.DateField(_("gemeldet im Tagesbericht vom"), null=True, blank=True)

    class Meta:
        verbose_name = _("E-Mail-Zustellung")
        verbose_name_plural = _("E-Mail-Zustellungen")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Mail systems treat the address case-insensitively (in practice the local part too).
            models.UniqueConstraint("key", Lower("recipient"), name="delivery_once_per_message_recipient"),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(accepted_at__isnull=False), name="delivery_accepted_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | Q(failed_at__isnull=False), name="delivery_failed_has_time"
            ),
        ]
        indexes = [models.Index(fields=["status", "reported_on"])]

    def __str__(self):
        return f"{self.recipient} ({self.get_status_display()})"
