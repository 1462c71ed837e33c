import functools

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.forms import RegistrationForm as AccountRegistrationForm
from accounts.forms import notification_consent_field
from foerderportal.forms import GermanDecimalField

from . import selectors
from .declaration import declaration_text
from .models import Application, Attachment, Organisation


class Section:
    """One step of the application form."""

    def __init__(self, slug, title, fields, intro):
        self.slug, self.title, self.fields, self.intro = slug, title, fields, intro


SECTIONS = [
    Section(
        "contact",
        _("Kontakt und Projektleitung"),
        [
            "contact_name",
            "contact_function",
            "contact_email",
            "contact_phone",
            "lead_name",
            "lead_function",
            "lead_email",
            "lead_phone",
            "postal_address",
        ],
        _("Wer ist Ansprechperson für die Akademie, und wer leitet das Vorhaben in der Verwaltung?"),
    ),
    Section(
        "situation",
        _("Ausgangslage"),
        ["integration_situation", "engagement_structures", "migrant_organisations"],
        _(
            "Beschreiben Sie die Integrationssituation vor Ort und die bestehenden Strukturen und Akteure "
            "des bürgerschaftlichen Engagements, einschließlich der Migrantenorganisationen."
        ),
    ),
    Section(
        "goals",
        _("Ziele"),
        ["goals"],
        _("Was wollen Sie in den zwei Jahren der Prozessbegleitung erreichen?"),
    ),
    Section(
        "participation",
        _("Beteiligung"),
        ["participation"],
        _("Wie beteiligen Sie Zivilgesellschaft und Menschen mit Migrationsgeschichte am Prozess?"),
    ),
    Section(
        "commitment",
        _("Beschluss des Gremiums"),
        ["council_body", "resolution_date", "resolution_summary"],
        _("Der Gemeinderat oder Kreistag unterstützt die Teilnahme. Laden Sie den Beschluss unter „Anlagen“ hoch."),
    ),
    Section(
        "resources",
        _("Räume und Personal"),
        ["rooms", "staff", "staff_hours_per_week"],
        _("Welche Räume und welches Personal stellt die Kommune für den Prozess bereit?"),
    ),
]
SECTIONS_BY_SLUG = {section.slug: section for section in SECTIONS}

TEXTAREA = forms.Textarea(attrs={"rows": 6})

# Staff the municipality provides, in hours per week: ten full-time posts are the sensible ceiling.
STAFF_HOURS_MAX = 400


def staff_hours_field():
    """Hours per week, 0 to 400 in steps of 0,1; "12,5" and "12.5" both mean 12.5."""
    return GermanDecimalField(
        label=Application._meta.get_field("staff_hours_per_week").verbose_name,
        required=False,
        min_value=0,
        max_value=STAFF_HOURS_MAX,
        max_digits=5,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1"}),
        help_text=_("Zum Beispiel 12,5 – höchstens 400 Stunden."),
    )


@functools.cache  # one class per section, built once: building a ModelForm class costs more than the form
def section_form_class(section):
    """A ModelForm for one section; every field is optional in a draft."""
    widgets = {
        name: TEXTAREA for name in section.fields if isinstance(Application._meta.get_field(name), models.TextField)
    }
    if "resolution_date" in section.fields:
        widgets["resolution_date"] = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    if "postal_address" in section.fields:
        widgets["postal_address"] = forms.Textarea(attrs={"rows": 3})
    meta = type("Meta", (), {"model": Application, "fields": section.fields, "widgets": widgets})
    attrs = {"Meta": meta}
    if "staff_hours_per_week" in section.fields:
        attrs["staff_hours_per_week"] = staff_hours_field()
    return type(f"{section.slug.title()}Form", (forms.ModelForm,), attrs)


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Art der Anlage"), choices=Attachment.Kind.choices)
    file = forms.FileField(
        label=_("Datei"),
        help_text=_("PDF, DOCX, ODT, JPEG oder PNG, höchstens 10 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.docx,.odt,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
        ),
    )

    def __init__(self, *args, kinds=None, **kwargs):
        """``kinds``: the attachment kinds that may be uploaded now (after a request: only the reopened ones)."""
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["kind"].choices = kinds


class OrganisationChoiceForm(forms.Form):
    """The organisation, found by a server-side search (name, county, official key).

    Without JavaScript the search field and its "Suchen" button re-render the form with the hits
    as radio buttons (``organisation_choices``); with JavaScript ``static/js/organisation-search.js``
    turns the field into a combobox fed by ``applications:organisation_search`` and fills the
    organisation's id into a hidden field. Either way the form posts ``organisation`` as an id.
    """

    SEARCH_BUTTON = "search"

    organisation_search = forms.CharField(
        label=_("Kommune, Landkreis oder Verband"),
        required=False,
        max_length=100,
        help_text=_("Name, Landkreis oder amtlicher Gemeindeschlüssel, zum Beispiel „Altdorf“ oder „Böblingen“."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.active(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Bitte suchen Sie Ihre Organisation und wählen Sie sie aus der Trefferliste."),
            "invalid_choice": _("Bitte wählen Sie eine Organisation aus der Trefferliste."),
        },
    )

    def organisation_choices(self):
        """(hits, chosen): the search's hits for the typed term, the chosen organisation among them."""
        chosen = None
        value = self["organisation"].value()
        if value and str(value).isdigit():
            chosen = Organisation.objects.active().filter(pk=value).first()
        hits = selectors.search_organisations(self["organisation_search"].value() or "")
        if chosen and chosen not in hits:
            hits.insert(0, chosen)
        return hits, chosen


class JoinOrganisationForm(OrganisationChoiceForm):
    """Joining one more organisation, from the dashboard."""


class RegistrationForm(AccountRegistrationForm, OrganisationChoiceForm):
    """Registration of municipal staff: the account plus the organisation they want to join."""

    notification_consent = notification_consent_field()

    field_order = [
        "first_name",
        "last_name",
        "email",
        "job_title",
        "phone",
        "organisation_search",
        "organisation",
        "password1",
        "password2",
        "privacy",
        "notification_consent",
    ]


class SubmitForm(forms.Form):
    """Submitting: the member's declaration, worded for the organisation (``declaration.declaration_text``)."""

    declaration = forms.BooleanField(
        error_messages={"required": _("Bitte bestätigen Sie die Erklärung, um den Antrag einzureichen.")},
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["declaration"].label = declaration_text(organisation)


class WithdrawForm(forms.Form):
    """Withdrawing is final: a required checkbox, so a bare POST does nothing."""

    confirm = forms.BooleanField(
        label=_("Ich möchte den Antrag zurückziehen. Mir ist bewusst, dass sich das nicht rückgängig machen lässt."),
        error_messages={"required": _("Bitte bestätigen Sie, dass Sie den Antrag zurückziehen möchten.")},
    )
