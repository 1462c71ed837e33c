"""Sent-logs: one row per reminder, written before the e-mail goes out.

The row is both the claim (whoever inserts it sends the e-mail) and the record staff see in
the admin. ``SentLog`` holds the columns the engine in ``reminders.engine`` works with; each
kind of reminder has its own table with its own unique key (``Reminder`` here, the report
reminders' ``facilitation.ReportReminder``).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class SentLog(models.Model):
    """The claim → send → confirm columns of a reminder log; a concrete log adds its unique key."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("in Arbeit")
        SENT = "sent", _("versandt")
        SKIPPED = "skipped", _("entfallen")
        FAILED = "failed", _("gescheitert")

    status = models.CharField(_("Status"), max_length=16, choices=Status.choices, default=Status.CLAIMED)
    claim_token = models.UUIDField(_("Kennung des Versandlaufs"), null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("übernommen am"))
    sent_at = models.DateTimeField(_("versandt am"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("Versuche"), default=1)
    recipients = models.JSONField(_("Empfänger/innen"), default=list, blank=True)
    last_error = models.TextField(_("letzter Fehler oder Grund"), blank=True)

    class Meta:
        abstract = True


class Reminder(SentLog):
    """A deadline reminder to the confirmed members of an organisation with a draft."""

    funding_round = models.ForeignKey(
        "applications.FundingRound", on_delete=models.CASCADE, related_name="reminders", verbose_name=_("Förderrunde")
    )
    organisation = models.ForeignKey(
        "applications.Organisation",
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("Organisation"),
    )
    application = models.ForeignKey(
        "applications.Application",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("Antrag"),
    )
    offset_days = models.PositiveSmallIntegerField(_("Tage vor der Frist"))
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("Erinnerung")
        verbose_name_plural = _("Erinnerungen")
        ordering = ["-claimed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["funding_round", "organisation", "offset_days"], name="reminder_once_per_round_org_offset"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="reminder_sent_has_sent_at"
            ),
        ]
        indexes = [models.Index(fields=["status", "claimed_at"]), models.Index(fields=["claim_token"])]

    def __str__(self):
        return ngettext(
            "Erinnerung %(days)d Tag vor der Frist (%(status)s)",
            "Erinnerung %(days)d Tage vor der Frist (%(status)s)",
            self.offset_days,
        ) % {"days": self.offset_days, "status": self.get_status_display()}
