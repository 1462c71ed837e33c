"""Criteria, reviews and decisions: how the academy selects the municipalities.

Reviews and decisions change only through ``reviews.services``.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from applications.models import Application, FundingRound


class Criterion(models.Model):
    """A weighted scoring criterion (Bewertungskriterium) of a round."""

    funding_round = models.ForeignKey(
        FundingRound, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("Förderrunde")
    )
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    title = models.CharField(_("Kriterium"), max_length=200)
    guidance = models.TextField(_("Hinweise für die Bewertung"), blank=True)
    weight = models.DecimalField(
        _("Gewicht"), max_digits=5, decimal_places=2, default=1, validators=[MinValueValidator(0.01)]
    )
    max_points = models.PositiveSmallIntegerField(_("Höchstpunktzahl"), default=10)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Bewertungskriterium")
        verbose_name_plural = _("Bewertungskriterien")
        ordering = ["funding_round", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["funding_round", "title"], name="criterion_unique_title"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
            models.CheckConstraint(condition=Q(max_points__gt=0), name="criterion_max_points_positive"),
        ]

    def __str__(self):
        return self.title


class Recommendation(models.TextChoices):
    AWARD = "award", _("Förderung empfehlen")
    WAITLIST = "waitlist", _("Nachrückliste")
    REJECT = "reject", _("Ablehnung empfehlen")


class Review(models.Model):
    """A reviewer's assignment to an application, and the review that follows."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("zugewiesen – Erklärung zur Befangenheit fehlt")
        OPEN = "open", _("in Bearbeitung")
        CONFLICT = "conflict", _("befangen – Zuweisung aufgehoben")
        FINISHED = "finished", _("abgeschlossen")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("Antrag")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("Gutachter/in")
    )
    status = models.CharField(_("Status"), max_length=16, choices=Status.choices, default=Status.ASSIGNED)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("zugewiesen von"),
    )
    assigned_at = models.DateTimeField(_("zugewiesen am"), default=timezone.now)
    conflict_declared_at = models.DateTimeField(_("Befangenheit erklärt am"), null=True, blank=True)
    conflict_reason = models.TextField(_("Grund der Befangenheit"), blank=True)
    recommendation = models.CharField(_("Empfehlung"), max_length=16, choices=Recommendation, blank=True)
    note = models.TextField(_("Anmerkung"), blank=True)
    total = models.DecimalField(
        _("gewichtete Punktzahl (%)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Beim Abschluss berechnet: Summe(Punkte/Höchstpunkte × Gewicht) / Summe(Gewichte) × 100."),
    )
    finished_at = models.DateTimeField(_("abgeschlossen am"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Bewertung")
        verbose_name_plural = _("Bewertungen")
        ordering = ["application", "assigned_at"]
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="review_one_per_reviewer"),
            models.CheckConstraint(
                condition=~Q(status="finished") | Q(total__isnull=False, finished_at__isnull=False),
                name="review_finished_has_total",
            ),
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(total__gte=0, total__lte=100), name="review_total_in_range"
            ),
        ]
        indexes = [models.Index(fields=["reviewer", "status"])]

    def __str__(self):
        return f"{self.application} – {self.reviewer}"


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    points = models.PositiveSmallIntegerField(_("Punkte"))
    comment = models.TextField(_("Begründung"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Punktzahl")
        verbose_name_plural = _("Punktzahlen")
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="score_one_per_criterion")]

    def __str__(self):
        return f"{self.criterion}: {self.points}"


class Decision(models.Model):
    """A decision on an application; reaches the applicant only once released."""

    class Kind(models.TextChoices):
        AWARD = "award", _("Bewilligung")
        REJECT = "reject", _("Ablehnung")
        WAITLIST = "waitlist", _("Nachrückliste")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("vorgeschlagen – Freigabe fehlt")
        RELEASED = "released", _("freigegeben")
        CANCELLED = "cancelled", _("verworfen")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("Antrag")
    )
    kind = models.CharField(_("Entscheidung"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("Status"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    amount = models.DecimalField(_("Betrag (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True)
    reasons = models.TextField(_("Begründung für den Bescheid"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("vorgeschlagen von")
    )
    proposed_at = models.DateTimeField(_("vorgeschlagen am"), default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("freigegeben von"),
    )
    released_at = models.DateTimeField(_("freigegeben am"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Entscheidung")
        verbose_name_plural = _("Entscheidungen")
        ordering = ["-proposed_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="award") | Q(amount__gt=0), name="decision_award_has_positive_amount"
            ),
            models.CheckConstraint(
                condition=Q(kind="award") | Q(amount__isnull=True), name="decision_amount_only_for_award"
            ),
            models.CheckConstraint(
                condition=~Q(status="released") | Q(released_by__isnull=False, released_at__gte=F("proposed_at")),
                name="decision_released_has_releaser",
            ),
            models.UniqueConstraint(
                fields=["application"], condition=Q(status="proposed"), name="decision_one_open_proposal"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.application}"
