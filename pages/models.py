"""The portal's legal and help pages, the contact form's messages and the documents of a call.

``Page`` bodies are plain text (``pages.rendering``): staff edit them in the admin without a
deployment, and no HTML from the admin ever reaches a page.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from applications.models import FundingRound


class Page(models.Model):
    """One page of the footer (Impressum, Barrierefreiheit, Leichte Sprache, Gebärdensprache, Kontakt)."""

    class Slug(models.TextChoices):
        IMPRESSUM = "impressum", _("Impressum")
        ACCESSIBILITY = "barrierefreiheit", _("Erklärung zur Barrierefreiheit")
        EASY_LANGUAGE = "leichte-sprache", _("Leichte Sprache")
        SIGN_LANGUAGE = "gebaerdensprache", _("Gebärdensprache")
        CONTACT = "kontakt", _("Kontakt")

    slug = models.SlugField(_("Seite"), choices=Slug.choices, unique=True)
    title = models.CharField(_("Überschrift"), max_length=200)
    body = models.TextField(
        _("Text"),
        help_text=_(
            "Reiner Text. Leerzeile: neuer Absatz. „## “ am Zeilenanfang: Zwischenüberschrift. "
            "„- “ am Zeilenanfang: Aufzählung. Links: [Text](https://…) oder [Text](/kontakt/)."
        ),
    )
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Seite")
        verbose_name_plural = _("Seiten")
        ordering = ["slug"]
        constraints = [models.CheckConstraint(condition=~Q(title=""), name="page_title_not_empty")]

    def __str__(self):
        return self.title


class ContactDetails(models.Model):
    """The academy's contact data (one row), shown in the Impressum and on the contact page.

    Kept as fields, not in the page text, so that the Impressum's mandatory parts (§ 5 DDG) are
    filled in once, in one place, and nothing is shown for what the operator has not entered yet.
    """

    SINGLETON = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON, editable=False)
    organisation = models.CharField(_("Anbieter"), max_length=200)
    street = models.CharField(_("Straße und Hausnummer"), max_length=200)
    postcode = models.CharField(_("Postleitzahl"), max_length=5)
    city = models.CharField(_("Ort"), max_length=100)
    represented_by = models.CharField(
        _("Vertreten durch"),
        max_length=200,
        blank=True,
        help_text=_("Die vertretungsberechtigte Person (Leitung der Akademie), wie im Impressum der Akademie."),
    )
    phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    email = models.EmailField(_("E-Mail-Adresse"), blank=True)
    commissioned_by = models.CharField(_("Im Auftrag von"), max_length=200, blank=True)
    content_responsible = models.CharField(
        _("Verantwortlich für den Inhalt"),
        max_length=300,
        blank=True,
        help_text=_("Name und Anschrift der verantwortlichen Person (§ 18 Abs. 2 MStV)."),
    )
    confirmed_at = models.DateTimeField(_("vom Betreiber bestätigt am"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bestätigt von"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Kontaktdaten der Akademie")
        verbose_name_plural = _("Kontaktdaten der Akademie")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="contact_details_single_row"),
            models.CheckConstraint(
                condition=~Q(organisation="") & ~Q(street="") & ~Q(postcode="") & ~Q(city=""),
                name="contact_details_address_complete",
            ),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)

    def missing(self) -> list[str]:
        """What the Impressum still lacks (labels), for the admin's reminder; empty when complete."""
        missing = [
            str(self._meta.get_field(name).verbose_name)
            for name in ("represented_by", "content_responsible")
            if not getattr(self, name)
        ]
        if not (self.phone or self.email):
            missing.append(str(_("Telefon oder E-Mail-Adresse")))
        return missing


class ContactMessage(models.Model):
    """A message sent through the contact form; e-mailed to the academy once (``sent_at``)."""

    name = models.CharField(_("Name"), max_length=200)
    email = models.EmailField(_("E-Mail-Adresse"))
    subject = models.CharField(_("Betreff"), max_length=200)
    message = models.TextField(_("Nachricht"), max_length=5000)
    page = models.CharField(_("gesendet von Seite"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("eingegangen"), auto_now_add=True)
    sent_at = models.DateTimeField(_("an die Akademie gesendet"), null=True, blank=True)

    class Meta:
        verbose_name = _("Kontaktnachricht")
        verbose_name_plural = _("Kontaktnachrichten")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=~Q(message=""), name="contact_message_not_empty")]

    def __str__(self):
        return self.subject


def round_document_upload_to(instance, filename):
    return f"round-documents/{uuid.uuid4().hex}"


class RoundCall(models.Model):
    """What applicants see of a round besides its documents: whether the criteria are published."""

    funding_round = models.OneToOneField(
        FundingRound, on_delete=models.CASCADE, related_name="call", verbose_name=_("Förderrunde")
    )
    criteria_published = models.BooleanField(
        _("Bewertungskriterien veröffentlicht"),
        default=False,
        help_text=_("Antragstellende sehen die Kriterien mit ihren Gewichten auf der Seite der Ausschreibung."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Ausschreibungsseite")
        verbose_name_plural = _("Ausschreibungsseiten")

    def __str__(self):
        return str(self.funding_round)


class RoundDocument(models.Model):
    """A document of a call (guidelines, Förderaufruf as PDF), public on the round's page."""

    funding_round = models.ForeignKey(
        FundingRound, on_delete=models.CASCADE, related_name="documents", verbose_name=_("Förderrunde")
    )
    title = models.CharField(_("Titel"), max_length=200)
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    file = models.FileField(_("Datei"), upload_to=round_document_upload_to, max_length=200)
    original_name = models.CharField(_("Dateiname"), max_length=255)
    content_type = models.CharField(_("Dateityp"), max_length=100)
    size = models.PositiveIntegerField(_("Größe (Bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("hochgeladen"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Dokument der Ausschreibung")
        verbose_name_plural = _("Dokumente der Ausschreibung")
        ordering = ["funding_round", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["funding_round", "title"], name="round_document_unique_title"),
        ]

    def __str__(self):
        return self.title
