"""The two years after an award: facilitators, the facilitation with its plan, sessions,
reports, report reminders and the round's network meeting.

Every write and status change goes through ``facilitation.services``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Application, FundingRound, Organisation, Region
from foerderportal.audit import Event
from reminders.models import SentLog


class Phase(models.TextChoices):
    """The four phases of a facilitation, in order."""

    ANALYSIS = "analysis", _("Analyse und Planung")
    PARTICIPATION = "participation", _("Beteiligung")
    IMPLEMENTATION = "implementation", _("Umsetzungsbegleitung")
    CLOSING = "closing", _("Abschluss")


class Facilitator(models.Model):
    """A moderator of the academy (Prozessbegleiter/in); the user is in the group "Prozessbegleitung"."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="facilitator_profile",
        verbose_name=_("Person"),
    )
    region = models.CharField(_("Regierungsbezirk"), max_length=1, choices=Region.choices, blank=True)
    phone = models.CharField(_("Telefon"), max_length=50, blank=True)
    daily_rate = models.DecimalField(
        _("Tagessatz (EUR)"),
        max_digits=8,
        decimal_places=2,
        help_text=_("Grundlage der Kosten eines Einsatzes: Tage × Tagessatz (Stunden ÷ 8) + Fahrtkosten."),
    )
    active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("Prozessbegleiter/in")
        verbose_name_plural = _("Prozessbegleiter/innen")
        ordering = ["user__last_name", "user__first_name"]
        constraints = [models.CheckConstraint(condition=Q(daily_rate__gt=0), name="facilitator_daily_rate_positive")]

    def __str__(self):
        return str(self.user)


class MilestoneTemplate(models.Model):
    """A round's plan template: the milestones every facilitation of the round starts with."""

    funding_round = models.ForeignKey(
        FundingRound, on_delete=models.CASCADE, related_name="milestone_templates", verbose_name=_("Förderrunde")
    )
    phase = models.CharField(_("Phase"), max_length=16, choices=Phase)
    title = models.CharField(_("Meilenstein"), max_length=200)
    month_offset = models.PositiveSmallIntegerField(
        _("fällig nach Monaten"), help_text=_("Monate nach Beginn der Prozessbegleitung.")
    )
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        verbose_name = _("Meilenstein-Vorlage")
        verbose_name_plural = _("Meilenstein-Vorlagen")
        ordering = ["funding_round", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["funding_round", "title"], name="milestone_template_unique_title"),
        ]

    def __str__(self):
        return self.title


class Facilitation(models.Model):
    """The process facilitation (Prozessbegleitung) of one awarded application."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("geplant")
        RUNNING = "running", _("läuft")
        COMPLETED = "completed", _("abgeschlossen")
        CANCELLED = "cancelled", _("abgebrochen")

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="facilitation", verbose_name=_("Antrag")
    )
    status = models.CharField(_("Status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    starts_on = models.DateField(_("Beginn"))
    ends_on = models.DateField(
        _("Ende"), help_text=_("Beginn plus die Dauer der Prozessbegleitung der Förderrunde (in Monaten).")
    )
    budget = models.DecimalField(_("Budget (EUR)"), max_digits=12, decimal_places=2)
    facilitators = models.ManyToManyField(
        Facilitator, related_name="facilitations", blank=True, verbose_name=_("Prozessbegleiter/innen")
    )
    # The municipality's internal project lead, copied from the application at the award.
    lead_name = models.CharField(_("Interne Projektleitung"), max_length=200, blank=True)
    lead_function = models.CharField(_("Funktion der Projektleitung"), max_length=200, blank=True)
    lead_email = models.EmailField(_("E-Mail der Projektleitung"), blank=True)
    lead_phone = models.CharField(_("Telefon der Projektleitung"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("angelegt am"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("angelegt von")
    )

    class Meta:
        verbose_name = _("Prozessbegleitung")
        verbose_name_plural = _("Prozessbegleitungen")
        ordering = ["application__organisation__name"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="facilitation_ends_after_start"),
            models.CheckConstraint(condition=Q(budget__gt=0), name="facilitation_budget_positive"),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return _("Prozessbegleitung %(organisation)s") % {"organisation": self.application.organisation.name}

    @property
    def organisation(self):
        return self.application.organisation

    @property
    def is_active(self):
        return self.status in (self.Status.PLANNED, self.Status.RUNNING)


class Milestone(models.Model):
    """A step of the plan with a due date; done when ``done_on`` is set."""

    facilitation = models.ForeignKey(
        Facilitation, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("Prozessbegleitung")
    )
    template = models.ForeignKey(
        MilestoneTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    phase = models.CharField(_("Phase"), max_length=16, choices=Phase)
    title = models.CharField(_("Meilenstein"), max_length=200)
    month_offset = models.PositiveSmallIntegerField(_("fällig nach Monaten"), default=0)
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    due_on = models.DateField(_("fällig am"))
    done_on = models.DateField(_("erledigt am"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erledigt gemeldet von"),
    )

    class Meta:
        verbose_name = _("Meilenstein")
        verbose_name_plural = _("Meilensteine")
        ordering = ["facilitation", "position", "due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["facilitation", "title"], name="milestone_unique_title"),
        ]
        indexes = [models.Index(fields=["facilitation", "done_on", "due_on"])]

    def __str__(self):
        return self.title


class Session(models.Model):
    """A facilitation session (Einsatz, Termin); its cost is computed and stored at booking."""

    class Format(models.TextChoices):
        WORKSHOP = "workshop", _("Workshop")
        STEERING_GROUP = "steering_group", _("Steuerungsgruppe")
        CONSULTATION = "consultation", _("Beratung")
        EVENT = "event", _("Veranstaltung")

    class Unit(models.TextChoices):
        DAYS = "days", _("Tage")
        HOURS = "hours", _("Stunden")

    facilitation = models.ForeignKey(
        Facilitation, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("Prozessbegleitung")
    )
    facilitator = models.ForeignKey(
        Facilitator, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("Prozessbegleiter/in")
    )
    date = models.DateField(_("Datum"))
    format = models.CharField(_("Format"), max_length=16, choices=Format.choices)
    duration = models.DecimalField(_("Dauer"), max_digits=5, decimal_places=2)
    unit = models.CharField(_("Einheit"), max_length=8, choices=Unit.choices, default=Unit.DAYS)
    travel_costs = models.DecimalField(_("Fahrtkosten (EUR)"), max_digits=8, decimal_places=2, default=0)
    participants = models.PositiveIntegerField(_("Teilnehmende"), default=0)
    notes = models.CharField(_("Kurznotiz"), max_length=500, blank=True)
    daily_rate = models.DecimalField(_("Tagessatz bei Buchung (EUR)"), max_digits=8, decimal_places=2)
    cost = models.DecimalField(_("Kosten (EUR)"), max_digits=10, decimal_places=2)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("gebucht von")
    )
    booked_at = models.DateTimeField(_("gebucht am"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("storniert am"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("storniert von"),
    )

    class Meta:
        verbose_name = _("Einsatz")
        verbose_name_plural = _("Einsätze")
        ordering = ["facilitation", "date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(duration__gt=0), name="session_duration_positive"),
            models.CheckConstraint(condition=Q(travel_costs__gte=0), name="session_travel_costs_not_negative"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="session_cost_not_negative"),
        ]
        indexes = [models.Index(fields=["facilitation", "cancelled_at"])]

    def __str__(self):
        return f"{self.get_format_display()} {self.date:%d.%m.%Y}"

    @property
    def is_cancelled(self):
        return self.cancelled_at is not None


def report_upload_to(instance, filename):
    # Generated names: the user's file name never reaches the file system.
    return f"facilitation/reports/{instance.facilitation_id}/{uuid.uuid4().hex}"


class Report(models.Model):
    """Interim report (due at half the period) and final report (due at the end)."""

    class Kind(models.TextChoices):
        INTERIM = "interim", _("Zwischenbericht")
        FINAL = "final", _("Abschlussbericht")

    class Status(models.TextChoices):
        OPEN = "open", _("offen")
        SUBMITTED = "submitted", _("eingereicht")
        RETURNED = "returned", _("zur Überarbeitung zurückgegeben")
        ACCEPTED = "accepted", _("angenommen")

    #: A report in one of these states is still owed by the municipality.
    OUTSTANDING = (Status.OPEN, Status.RETURNED)

    facilitation = models.ForeignKey(
        Facilitation, on_delete=models.CASCADE, related_name="reports", verbose_name=_("Prozessbegleitung")
    )
    kind = models.CharField(_("Art"), max_length=16, choices=Kind.choices)
    due_on = models.DateField(_("fällig am"))
    status = models.CharField(_("Status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    text = models.TextField(_("Bericht"), blank=True)
    file = models.FileField(upload_to=report_upload_to, max_length=200, blank=True)
    original_name = models.CharField(_("Dateiname"), max_length=255, blank=True)
    content_type = models.CharField(_("Dateityp"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("Größe (Bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    submitted_at = models.DateTimeField(_("eingereicht am"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("eingereicht von"),
    )
    decided_at = models.DateTimeField(_("entschieden am"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entschieden von"),
    )
    staff_comment = models.TextField(_("Anmerkung der Akademie"), blank=True)

    class Meta:
        verbose_name = _("Bericht")
        verbose_name_plural = _("Berichte")
        ordering = ["facilitation", "due_on"]
        constraints = [
            models.UniqueConstraint(fields=["facilitation", "kind"], name="report_one_per_kind"),
            models.CheckConstraint(
                condition=Q(status__in=["open"]) | Q(submitted_at__isnull=False), name="report_submitted_has_time"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.facilitation.application.organisation.name}"

    @property
    def is_outstanding(self):
        return self.status in self.OUTSTANDING

    def is_overdue(self, today):
        return self.is_outstanding and self.due_on < today


class ReportReminder(SentLog):
    """One row per (report, kind), inserted before the e-mail goes out: the claim and the record.

    See ``facilitation.reminders`` for the report reminders and ``reminders.engine`` for the
    claim → send → confirm order.
    """

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("vor der Fälligkeit")
        OVERDUE = "overdue", _("überfällig")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("Bericht"))
    kind = models.CharField(_("Art"), max_length=16, choices=Kind.choices)
    due_on = models.DateField(_("Fälligkeit, an die erinnert wurde"))

    class Meta:
        verbose_name = _("Berichtserinnerung")
        verbose_name_plural = _("Berichtserinnerungen")
        ordering = ["-claimed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "kind"], name="report_reminder_once_per_kind"),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="report_reminder_sent_has_sent_at"
            ),
        ]
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.report} ({self.get_status_display()})"


class NetworkMeeting(models.Model):
    """The round's network meeting (Netzwerktreffen): posters, short talks, exchange."""

    funding_round = models.OneToOneField(
        FundingRound, on_delete=models.CASCADE, related_name="network_meeting", verbose_name=_("Förderrunde")
    )
    date = models.DateField(_("Datum"))
    venue = models.CharField(_("Ort"), max_length=300)
    programme = models.TextField(_("Programm"), blank=True)
    created_at = models.DateTimeField(_("angelegt am"), default=timezone.now)

    class Meta:
        verbose_name = _("Netzwerktreffen")
        verbose_name_plural = _("Netzwerktreffen")
        ordering = ["-date"]

    def __str__(self):
        return _("Netzwerktreffen %(round)s") % {"round": self.funding_round.name}


def poster_upload_to(instance, filename):
    return f"facilitation/posters/{instance.meeting_id}/{uuid.uuid4().hex}"


class NetworkMeetingRegistration(models.Model):
    """A participating organisation's registration: delegates, optional poster and short talk."""

    meeting = models.ForeignKey(
        NetworkMeeting, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("Netzwerktreffen")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="network_registrations", verbose_name=_("Organisation")
    )
    delegates = models.TextField(_("Teilnehmende (Namen)"), help_text=_("Ein Name pro Zeile."))
    delegate_count = models.PositiveSmallIntegerField(_("Anzahl Teilnehmende"))
    talk_title = models.CharField(_("Titel des Kurzvortrags"), max_length=200, blank=True)
    poster = models.FileField(upload_to=poster_upload_to, max_length=200, blank=True)
    poster_name = models.CharField(_("Dateiname des Posters"), max_length=255, blank=True)
    poster_content_type = models.CharField(_("Dateityp des Posters"), max_length=100, blank=True)
    poster_size = models.PositiveBigIntegerField(_("Größe des Posters (Bytes)"), null=True, blank=True)
    poster_sha256 = models.CharField(_("SHA-256 des Posters"), max_length=64, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("angemeldet von"),
    )
    registered_at = models.DateTimeField(_("angemeldet am"), default=timezone.now)
    updated_at = models.DateTimeField(_("zuletzt geändert"), auto_now=True)

    class Meta:
        verbose_name = _("Anmeldung zum Netzwerktreffen")
        verbose_name_plural = _("Anmeldungen zum Netzwerktreffen")
        ordering = ["meeting", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "organisation"], name="network_registration_one_per_org"),
            models.CheckConstraint(condition=Q(delegate_count__gt=0), name="network_registration_has_delegates"),
        ]

    def __str__(self):
        return f"{self.organisation.name} – {self.meeting}"

    @property
    def has_poster(self):
        return bool(self.poster)


class FacilitationEvent(Event):
    """Audit trail: who did what to a facilitation, and when."""

    ACTIONS = {
        "created": _("Prozessbegleitung angelegt"),
        "facilitators_assigned": _("Prozessbegleiter/innen zugewiesen"),
        "rescheduled": _("Zeitraum verschoben"),
        "project_lead_changed": _("Projektleitung geändert"),
        "completed": _("abgeschlossen"),
        "cancelled": _("abgebrochen"),
        "session_booked": _("Termin erfasst"),
        "session_cancelled": _("Termin storniert"),
        "milestone_done": _("Meilenstein erledigt"),
        "milestone_reopened": _("Meilenstein wieder geöffnet"),
        "report_submitted": _("Bericht eingereicht"),
        "report_accepted": _("Bericht angenommen"),
        "report_returned": _("Bericht zurückgegeben"),
    }

    facilitation = models.ForeignKey(Facilitation, on_delete=models.CASCADE, related_name="events")

    class Meta(Event.Meta):
        pass
