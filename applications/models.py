"""Organisations, memberships, programmes, rounds, applications and attachments.

Status fields change only through ``applications.services``.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.models import HistoricalRecords

from foerderportal.audit import Event

from .periods import default_start, period_end

OFFICIAL_KEY_REGEX = r"^08([0-9]{6}|[0-9]{10})$"
official_key_validator = RegexValidator(
    OFFICIAL_KEY_REGEX,
    _(
        "Bitte geben Sie den amtlichen Schlüssel an: 8 Ziffern (Amtlicher Gemeindeschlüssel) "
        "oder 12 Ziffern (Regionalschlüssel), beginnend mit 08 für Baden-Württemberg."
    ),
)


class Region(models.TextChoices):
    """Regierungsbezirke of Baden-Württemberg, keyed by their official digit."""

    STUTTGART = "1", _("Stuttgart")
    KARLSRUHE = "2", _("Karlsruhe")
    FREIBURG = "3", _("Freiburg")
    TUEBINGEN = "4", _("Tübingen")


class OrganisationKind(models.TextChoices):
    GEMEINDE = "gemeinde", _("Gemeinde")
    STADT = "stadt", _("Stadt")
    GROSSE_KREISSTADT = "grosse_kreisstadt", _("Große Kreisstadt")
    STADTKREIS = "stadtkreis", _("Stadtkreis")
    LANDKREIS = "landkreis", _("Landkreis")
    GVV = "gvv", _("Gemeindeverwaltungsverband")
    VVG = "vvg", _("Vereinbarte Verwaltungsgemeinschaft")


# How a letter names an organisation of each kind (German grammar, so not translated: letters are
# always German). Per kind: the grammatical gender and the title, declined after the definite article.
# A Stadtkreis is a city (§ 3 Abs. 1 GemO: Stadtkreise are Gemeinden without a Landkreis); the legal
# person that applies and receives the Bescheid is "die Stadt Heidelberg", not the "Stadtkreis".
CASES = ("nom", "gen", "dat", "acc")
ARTICLES = {
    "f": {"nom": "die", "gen": "der", "dat": "der", "acc": "die"},
    "m": {"nom": "der", "gen": "des", "dat": "dem", "acc": "den"},
}
DESIGNATIONS = {
    OrganisationKind.GEMEINDE: ("f", {"nom": "Gemeinde", "gen": "Gemeinde", "dat": "Gemeinde", "acc": "Gemeinde"}),
    OrganisationKind.STADT: ("f", {"nom": "Stadt", "gen": "Stadt", "dat": "Stadt", "acc": "Stadt"}),
    OrganisationKind.GROSSE_KREISSTADT: (
        "f",
        {"nom": "Große Kreisstadt", "gen": "Großen Kreisstadt", "dat": "Großen Kreisstadt", "acc": "Große Kreisstadt"},
    ),
    OrganisationKind.STADTKREIS: ("f", {"nom": "Stadt", "gen": "Stadt", "dat": "Stadt", "acc": "Stadt"}),
    OrganisationKind.LANDKREIS: (
        "m",
        {"nom": "Landkreis", "gen": "Landkreises", "dat": "Landkreis", "acc": "Landkreis"},
    ),
    OrganisationKind.GVV: (
        "m",
        {
            "nom": "Gemeindeverwaltungsverband",
            "gen": "Gemeindeverwaltungsverbands",
            "dat": "Gemeindeverwaltungsverband",
            "acc": "Gemeindeverwaltungsverband",
        },
    ),
    OrganisationKind.VVG: (
        "f",
        {
            "nom": "Vereinbarte Verwaltungsgemeinschaft",
            "gen": "Vereinbarten Verwaltungsgemeinschaft",
            "dat": "Vereinbarten Verwaltungsgemeinschaft",
            "acc": "Vereinbarte Verwaltungsgemeinschaft",
        },
    ),
}


class OrganisationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Organisation(models.Model):
    """An applicant: a municipality, county or administrative association."""

    name = models.CharField(_("Name"), max_length=200)
    kind = models.CharField(_("Art"), max_length=32, choices=OrganisationKind)
    key = models.CharField(
        _("Amtlicher Schlüssel"),
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        validators=[official_key_validator],
        help_text=_("8-stelliger AGS oder 12-stelliger Regionalschlüssel für Verbände ohne AGS."),
    )
    county = models.CharField(_("Landkreis"), max_length=200, blank=True)
    region = models.CharField(_("Regierungsbezirk"), max_length=1, choices=Region)
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("Organisation")
        verbose_name_plural = _("Organisationen")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(key__isnull=True) | Q(key__regex=OFFICIAL_KEY_REGEX),
                name="organisation_key_is_bw_official_key",
            ),
            models.UniqueConstraint(
                fields=["name", "kind", "county"],
                condition=Q(key__isnull=True),
                name="organisation_without_key_unique_name",
            ),
        ]
        indexes = [models.Index(fields=["region", "kind"])]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def choice_label(self):
        """The name told apart from its namesakes: "Altdorf (Gemeinde, Landkreis Böblingen)"."""
        details = ", ".join(part for part in (self.get_kind_display(), self.county) if part)
        return f"{self.name} ({details})"

    @property
    def official_name(self):
        """The name as an addressee: "Stadt Tübingen", "Landkreis Böblingen", "Alb-Donau-Kreis"."""
        return self._designation("nom")

    def designation(self, case="nom"):
        """The name with article, declined: "die Stadt Tübingen", "des Landkreises Böblingen".

        ``case`` is "nom", "gen", "dat" or "acc". Names that already carry their title (the
        GV100AD import writes "Landkreis Esslingen", "Gemeindeverwaltungsverband Plochingen",
        "Alb-Donau-Kreis") do not repeat it.
        """
        designation = self._designation(case)
        return f"{ARTICLES[DESIGNATIONS[self.kind][0]][case]} {designation}"

    def _designation(self, case):
        if case not in CASES:
            raise ValueError(f"unknown case {case!r}, expected one of {CASES}")
        name = " ".join(self.name.split())
        _gender, titles = DESIGNATIONS[self.kind]
        title = titles["nom"]
        if name.casefold().startswith(title.casefold() + " "):
            return f"{titles[case]} {name[len(title) + 1 :]}"
        if self.kind == OrganisationKind.LANDKREIS and name.casefold().endswith("kreis"):
            # "der Alb-Donau-Kreis", "des Alb-Donau-Kreises"
            return name + ("es" if case == "gen" else "")
        return f"{titles[case]} {name}"


class Membership(models.Model):
    """A user speaking for an organisation; only confirmed memberships grant access."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("angefragt")
        CONFIRMED = "confirmed", _("bestätigt")
        REJECTED = "rejected", _("abgelehnt")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("Person")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("Organisation")
    )
    status = models.CharField(_("Status"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField(_("angefragt am"), default=timezone.now)
    decided_at = models.DateTimeField(_("entschieden am"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entschieden von"),
    )

    class Meta:
        verbose_name = _("Mitgliedschaft")
        verbose_name_plural = _("Mitgliedschaften")
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self):
        return f"{self.user} – {self.organisation.name} ({self.get_status_display()})"


class Programme(models.Model):
    name = models.CharField(_("Name"), max_length=300)
    short_name = models.CharField(_("Kurzname"), max_length=100)
    slug = models.SlugField(unique=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    funding_body = models.CharField(_("Fördergeber"), max_length=300, blank=True)
    operator = models.CharField(_("Durchführung"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Förderprogramm")
        verbose_name_plural = _("Förderprogramme")

    def __str__(self):
        return self.short_name


def default_reminder_offsets():
    return [14, 7, 1]


def default_eligible_kinds():
    return [kind.value for kind in OrganisationKind]


class FundingRoundQuerySet(models.QuerySet):
    def open_at(self, now):
        """Rounds that accept applications at ``now`` (see FundingRound.accepts_submissions_at)."""
        return self.filter(opens_at__lte=now, deadline__gt=now - timedelta(seconds=1))

    def closed_at(self, now):
        """Rounds whose deadline has passed at ``now`` (see FundingRound.decisions_open_at)."""
        return self.filter(deadline__lte=now - timedelta(seconds=1))


class FundingRound(models.Model):
    """One call for applications (Ausschreibung, Runde) of a programme."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="rounds")
    name = models.CharField(_("Bezeichnung"), max_length=200)
    code = models.CharField(
        _("Kürzel für Aktenzeichen"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9-]+$", _("Nur Großbuchstaben, Ziffern und Bindestriche."))],
    )
    opens_at = models.DateTimeField(_("Beginn der Antragstellung"))
    deadline = models.DateTimeField(
        _("Antragsfrist"), help_text=_("Letzte Sekunde, in der ein Antrag eingereicht werden kann.")
    )
    max_per_package = models.DecimalField(
        _("Höchstbetrag je Paket (EUR)"), max_digits=12, decimal_places=2, default=40000
    )
    places = models.PositiveIntegerField(_("Plätze"))
    budget = models.DecimalField(_("Budget (EUR)"), max_digits=14, decimal_places=2)
    facilitation_months = models.PositiveSmallIntegerField(_("Dauer der Prozessbegleitung (Monate)"), default=24)
    eligible_kinds = models.JSONField(_("antragsberechtigte Arten"), default=default_eligible_kinds)
    reminder_offsets = models.JSONField(
        _("Erinnerungen (Tage vor der Frist)"),
        default=default_reminder_offsets,
        help_text=_("Zum Beispiel [14, 7, 1]: Erinnerung 14, 7 und 1 Tag vor Ablauf der Antragsfrist."),
    )
    legal_remedies = models.TextField(
        _("Rechtsbehelfsbelehrung"),
        blank=True,
        help_text=_("Text für die Bescheide dieser Runde; leer: der Standardtext."),
    )
    four_eyes = models.BooleanField(
        _("Vier-Augen-Prinzip"),
        default=True,
        help_text=_("Entscheidungen schlägt eine Person vor, eine andere gibt sie frei."),
    )
    spread_threshold = models.DecimalField(
        _("Schwelle für abweichende Bewertungen (Prozentpunkte)"), max_digits=5, decimal_places=2, default=20
    )
    # What the Bescheid says about its basis and who issues it (§ 37 Abs. 3 LVwVfG).
    legal_basis = models.TextField(
        _("Rechtsgrundlage"),
        blank=True,
        help_text=_("Förderaufruf, Programm und Norm, wie sie im Bescheid stehen; leer: der Standardtext."),
    )
    signing_officer = models.CharField(
        _("zeichnende Person"), max_length=200, blank=True, help_text=_("Name der Person, die den Bescheid zeichnet.")
    )
    signing_officer_title = models.CharField(_("Funktion der zeichnenden Person"), max_length=200, blank=True)
    signed_electronically = models.BooleanField(
        _("elektronisch erstellt, ohne Unterschrift gültig"),
        default=True,
        help_text=_("Der Bescheid trägt den Vermerk „elektronisch erstellt, ohne Unterschrift gültig“."),
    )

    objects = FundingRoundQuerySet.as_manager()
    # Every change of a round (limits, four eyes, dates) is on record.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Förderrunde")
        verbose_name_plural = _("Förderrunden")
        ordering = ["-deadline"]
        constraints = [
            models.CheckConstraint(condition=Q(deadline__gt=models.F("opens_at")), name="round_deadline_after_opening"),
            models.CheckConstraint(condition=Q(max_per_package__gt=0), name="round_max_per_package_positive"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="round_budget_not_negative"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        # A deadline typed as "23:59" means the whole minute: store its last second.
        if self.deadline and self.deadline.second == 0 and self.deadline.microsecond == 0:
            self.deadline = self.deadline.replace(second=59)
        if self.pk:
            self._check_limits_against_awards()

    def _check_limits_against_awards(self):
        """Lowering places, budget or the package maximum below what is awarded would break the caps."""
        from django.core.exceptions import ValidationError
        from django.db.models import Count, Max, Sum

        awarded = Application.objects.filter(funding_round=self, status=Application.Status.AWARDED).aggregate(
            count=Count("pk"), total=Sum("awarded_amount"), largest=Max("awarded_amount")
        )
        errors = {}
        if self.places is not None and self.places < awarded["count"]:
            errors["places"] = ngettext(
                "Es ist bereits %(n)d Platz vergeben.", "Es sind bereits %(n)d Plätze vergeben.", awarded["count"]
            ) % {"n": awarded["count"]}
        if self.budget is not None and awarded["total"] and self.budget < awarded["total"]:
            errors["budget"] = _("Es sind bereits %(sum)s € bewilligt.") % {"sum": awarded["total"]}
        if self.max_per_package is not None and awarded["largest"] and self.max_per_package < awarded["largest"]:
            errors["max_per_package"] = _("Es gibt bereits eine Bewilligung über %(max)s €.") % {
                "max": awarded["largest"]
            }
        original = FundingRound.objects.filter(pk=self.pk).values_list("facilitation_months", flat=True).first()
        if original is not None and original != self.facilitation_months and awarded["count"]:
            errors["facilitation_months"] = _("Die Dauer ist festgelegt, sobald Prozessbegleitungen bewilligt sind.")
        if errors:
            raise ValidationError(errors)

    def accepts_submissions_at(self, now):
        """True from opens_at until the deadline's last second has run out.

        The deadline is the last accepted second (23:59:59 local time), so a
        submission at 23:59:59.7 is still on time and 00:00:00 is not.
        """
        return self.opens_at <= now < self.deadline.replace(microsecond=0) + timedelta(seconds=1)

    def decisions_open_at(self, now):
        """True once the deadline's last second has run out: from ``deadline + 1 s`` on, the round
        takes no more submissions and its applications may be decided (never before)."""
        return now >= self.deadline.replace(microsecond=0) + timedelta(seconds=1)

    def is_eligible(self, organisation):
        return organisation.kind in self.eligible_kinds

    def facilitation_period(self, released_on):
        """(first day, end) of the facilitation of an award released on ``released_on`` (a date)."""
        starts_on = default_start(released_on)
        return starts_on, period_end(starts_on, self.facilitation_months)

    def days_left(self, now):
        local_deadline = timezone.localtime(self.deadline).date()
        return max((local_deadline - timezone.localtime(now).date()).days, 0)


class CouncilBody(models.TextChoices):
    GEMEINDERAT = "gemeinderat", _("Gemeinderat")
    KREISTAG = "kreistag", _("Kreistag")
    VERBANDSVERSAMMLUNG = "verbandsversammlung", _("Verbandsversammlung")
    GEMEINSAMER_AUSSCHUSS = "gemeinsamer_ausschuss", _("Gemeinsamer Ausschuss")


class Application(models.Model):
    """An organisation's application (Antrag) for one round."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        SUBMITTED = "submitted", _("eingereicht")
        IN_REVIEW = "in_review", _("in Prüfung")
        # A request for missing items (Nachforderung) is open: named sections and attachments reopened.
        INFO_REQUESTED = "info_requested", _("Rückfrage offen")
        AWARDED = "awarded", _("bewilligt")
        REJECTED = "rejected", _("abgelehnt")
        WAITLISTED = "waitlisted", _("Nachrückliste")
        WITHDRAWN = "withdrawn", _("zurückgezogen")

    funding_round = models.ForeignKey(
        FundingRound, on_delete=models.PROTECT, related_name="applications", verbose_name=_("Förderrunde")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="applications", verbose_name=_("Organisation")
    )
    status = models.CharField(_("Status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    reference_number = models.CharField(_("Aktenzeichen"), max_length=40, unique=True, null=True, blank=True)
    sequence = models.PositiveIntegerField(_("laufende Nummer"), null=True, blank=True, editable=False)
    awarded_amount = models.DecimalField(
        _("bewilligter Betrag (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )

    # Section: contact and project lead
    contact_name = models.CharField(_("Ansprechperson"), max_length=200, blank=True)
    contact_function = models.CharField(_("Funktion der Ansprechperson"), max_length=200, blank=True)
    contact_email = models.EmailField(_("E-Mail der Ansprechperson"), blank=True)
    contact_phone = models.CharField(_("Telefon der Ansprechperson"), max_length=50, blank=True)
    lead_name = models.CharField(_("Interne Projektleitung"), max_length=200, blank=True)
    lead_function = models.CharField(_("Funktion der Projektleitung"), max_length=200, blank=True)
    lead_email = models.EmailField(_("E-Mail der Projektleitung"), blank=True)
    lead_phone = models.CharField(_("Telefon der Projektleitung"), max_length=50, blank=True)
    postal_address = models.TextField(_("Postanschrift der Verwaltung"), blank=True)

    # Section: starting point (Ausgangslage)
    integration_situation = models.TextField(_("Integrationssituation vor Ort"), blank=True)
    engagement_structures = models.TextField(
        _("Bestehende Strukturen und Akteure des bürgerschaftlichen Engagements"), blank=True
    )
    migrant_organisations = models.TextField(_("Migrantenorganisationen und ihre Rolle"), blank=True)

    # Section: goals
    goals = models.TextField(_("Ziele für die zwei Jahre der Prozessbegleitung"), blank=True)

    # Section: participation
    participation = models.TextField(
        _("Beteiligung von Zivilgesellschaft und Menschen mit Migrationsgeschichte"), blank=True
    )

    # Section: council commitment
    council_body = models.CharField(_("Gremium"), max_length=32, choices=CouncilBody, blank=True)
    resolution_date = models.DateField(_("Datum des Beschlusses"), null=True, blank=True)
    resolution_summary = models.TextField(_("Inhalt des Beschlusses"), blank=True)

    # Section: resources
    rooms = models.TextField(_("Räume, die die Kommune bereitstellt"), blank=True)
    staff = models.TextField(_("Personal, das die Kommune bereitstellt"), blank=True)
    staff_hours_per_week = models.DecimalField(
        _("Personaleinsatz (Stunden pro Woche)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
        verbose_name=_("angelegt von"),
    )
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("zuletzt gespeichert"), auto_now=True)
    submitted_at = models.DateTimeField(_("eingereicht am"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("eingereicht von"),
    )
    withdrawn_at = models.DateTimeField(_("zurückgezogen am"), null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("zurückgezogen von"),
    )

    # A request for missing items (``correspondence``) reopens these sections (applications.forms.SECTIONS
    # slugs) and attachment kinds for confirmed members; set and cleared by applications.services only.
    reopened_sections = models.JSONField(_("wieder geöffnete Abschnitte"), default=list, blank=True, editable=False)
    reopened_attachment_kinds = models.JSONField(
        _("wieder geöffnete Anlagenarten"), default=list, blank=True, editable=False
    )
    # The status the application returns to on re-submission, and what it looked like when it was reopened.
    status_before_request = models.CharField(
        _("Status vor der Rückfrage"), max_length=16, choices=Status.choices, blank=True, editable=False
    )
    reopen_snapshot = models.JSONField(_("Stand bei der Rückfrage"), default=dict, blank=True, editable=False)
    resubmitted_at = models.DateTimeField(_("erneut eingereicht am"), null=True, blank=True, editable=False)

    # Who changed what, and when (django-simple-history): the staff-visible audit trail.
    history = HistoricalRecords(excluded_fields=["updated_at", "reopen_snapshot"])

    class Meta:
        verbose_name = _("Antrag")
        verbose_name_plural = _("Anträge")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["funding_round", "organisation"], name="application_one_per_round"),
            models.UniqueConstraint(fields=["funding_round", "sequence"], name="application_sequence_unique"),
            models.CheckConstraint(
                condition=(Q(status="awarded") & Q(awarded_amount__gt=0))
                | (~Q(status="awarded") & Q(awarded_amount__isnull=True)),
                name="application_awarded_amount_iff_awarded",
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(status="withdrawn", submitted_at__isnull=True)
                | Q(reference_number__isnull=False, submitted_at__isnull=False),
                name="application_submitted_has_reference",
            ),
            models.CheckConstraint(
                condition=~Q(status="info_requested") | ~Q(status_before_request=""),
                name="application_info_requested_knows_its_return",
            ),
        ]
        indexes = [models.Index(fields=["funding_round", "status"])]

    def __str__(self):
        return f"{self.reference_number or _('Entwurf')} – {self.organisation.name}"

    @property
    def is_editable(self):
        return self.status == self.Status.DRAFT

    @property
    def is_reopened(self):
        """A request for missing items is open: only ``reopened_sections`` / ``reopened_attachment_kinds`` change."""
        return self.status == self.Status.INFO_REQUESTED

    def may_edit_section(self, slug):
        return self.is_editable or (self.is_reopened and slug in self.reopened_sections)

    def may_change_attachment_kind(self, kind):
        return self.is_editable or (self.is_reopened and kind in self.reopened_attachment_kinds)

    @property
    def may_change_attachments(self):
        return self.is_editable or (self.is_reopened and bool(self.reopened_attachment_kinds))


def attachment_upload_to(instance, filename):
    # Generated names: the user's file name never reaches the file system.
    return f"attachments/{instance.application.funding_round_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file belonging to an application (Anlage), e.g. the council resolution."""

    class Kind(models.TextChoices):
        RESOLUTION = "resolution", _("Beschluss des Gremiums")
        OTHER = "other", _("Weitere Anlage")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("Art der Anlage"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    file = models.FileField(upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField(_("Dateiname"), max_length=255)
    content_type = models.CharField(_("Dateityp"), max_length=100)
    size = models.PositiveBigIntegerField(_("Größe (Bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("hochgeladen am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Anlage")
        verbose_name_plural = _("Anlagen")
        ordering = ["uploaded_at"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="attachment_not_empty"),
        ]

    def __str__(self):
        return self.original_name


class ApplicationEvent(Event):
    """Audit trail: who did what to an application, and when."""

    ACTIONS = {
        "created": _("Antrag angelegt"),
        "updated": _("Angaben geändert"),
        "attachment_added": _("Anlage hochgeladen"),
        "attachment_removed": _("Anlage entfernt"),
        "submitted": _("Antrag eingereicht"),
        "withdrawn": _("Antrag zurückgezogen"),
        "in_review": _("in Prüfung gegeben"),
        "info_requested": _("Rückfrage gestellt"),
        "request_answered": _("Rückfrage beantwortet"),
        "resubmitted": _("Antrag erneut eingereicht"),
        "message_sent": _("Nachricht gesendet"),
        "decision_proposed": _("Entscheidung vorgeschlagen"),
        "decision_award": _("Bewilligung freigegeben"),
        "decision_reject": _("Ablehnung freigegeben"),
        "decision_waitlist": _("auf die Nachrückliste gesetzt"),
    }

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")

    class Meta(Event.Meta):
        pass

    def display_value(self, key, value):
        # The diff of a re-submission: "Ziele: „alt“ → „neu“"; attachments by name and SHA-256.
        if key == "changes" and isinstance(value, list):
            return "; ".join(
                "{label}: „{before}“ → „{after}“".format(
                    label=change.get("label", change.get("field")),
                    before=change.get("before") or "–",
                    after=change.get("after") or "–",
                )
                for change in value
                if isinstance(change, dict)
            )
        if key in ("attachments_added", "attachments_removed") and isinstance(value, list):
            return ", ".join(
                f"{item.get('name')} ({item.get('kind_label', item.get('kind'))}, SHA-256 {item.get('sha256')})"
                for item in value
                if isinstance(item, dict)
            )
        return super().display_value(key, value)
