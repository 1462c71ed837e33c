"""Forms of the facilitation pages; they collect input, the services decide."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foerderportal.forms import GermanDecimalField

from .models import Facilitator, Session
from .services import MAX_DELEGATES

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _limit_mb():
    return settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)


def _decimal_field(label, *, max_digits, help_text="", required=True, initial=None):
    return GermanDecimalField(
        label=label,
        max_digits=max_digits,
        decimal_places=2,
        min_value=Decimal(0),
        required=required,
        initial=initial,
        help_text=help_text,
    )


class SessionForm(forms.Form):
    facilitator = forms.ModelChoiceField(
        label=_("Prozessbegleiter/in"), queryset=Facilitator.objects.none(), empty_label=None
    )
    date = forms.DateField(label=_("Datum"), widget=DATE_INPUT)
    format = forms.ChoiceField(label=_("Format"), choices=Session.Format.choices)
    duration = _decimal_field(_("Dauer"), max_digits=5, help_text=_("Zum Beispiel 1 oder 0,5 Tage, oder 3 Stunden."))
    unit = forms.ChoiceField(
        label=_("Einheit der Dauer"), choices=Session.Unit.choices, initial=Session.Unit.DAYS, widget=forms.RadioSelect
    )
    travel_costs = _decimal_field(_("Fahrtkosten (EUR)"), max_digits=8, required=False, initial=Decimal(0))
    participants = forms.IntegerField(label=_("Teilnehmende"), min_value=0, required=False, initial=0)
    notes = forms.CharField(
        label=_("Kurznotiz"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Nur für die Akademie und die Prozessbegleitung sichtbar."),
    )

    def __init__(self, *args, facilitation, choose_facilitator, **kwargs):
        super().__init__(*args, **kwargs)
        if choose_facilitator:
            self.fields["facilitator"].queryset = facilitation.facilitators.filter(active=True).select_related("user")
        else:
            del self.fields["facilitator"]
        self.fields["date"].initial = timezone.localdate()


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(label=_("erledigt am"), required=False, widget=DATE_INPUT)


class ReportForm(forms.Form):
    text = forms.CharField(
        label=_("Bericht"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Was ist erreicht, was ist in Arbeit, was hat sich verändert?"),
    )
    attachment = forms.FileField(label=_("Anlage (optional)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachment"].help_text = _("PDF, DOCX, ODT, JPEG oder PNG, höchstens %(mb)d MB.") % {
            "mb": _limit_mb()
        }


class ReportDecisionForm(forms.Form):
    ACCEPT, RETURN = "accept", "return"
    decision = forms.ChoiceField(
        label=_("Entscheidung"),
        choices=[(ACCEPT, _("Bericht annehmen")), (RETURN, _("zur Überarbeitung zurückgeben"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anmerkung für die Kommune"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Bei einer Rückgabe Pflicht: Was ist zu überarbeiten?"),
    )


class RegistrationForm(forms.Form):
    delegates = forms.CharField(
        label=_("Teilnehmende (Namen)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ein Name pro Zeile."),
    )
    delegate_count = forms.IntegerField(label=_("Anzahl Teilnehmende"), min_value=1, max_value=MAX_DELEGATES)
    talk_title = forms.CharField(label=_("Titel des Kurzvortrags (optional)"), max_length=200, required=False)
    poster = forms.FileField(label=_("Poster (optional)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["poster"].help_text = _(
            "PDF, JPEG oder PNG, höchstens %(mb)d MB. Ein neues Poster ersetzt das bisherige."
        ) % {"mb": _limit_mb()}
