from django import forms
from django.utils.translation import gettext_lazy as _

from applications.forms import SECTIONS
from applications.models import Attachment


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Ihre Antwort an die Akademie (optional)"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class MessageForm(forms.Form):
    text = forms.CharField(label=_("Nachricht"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5}))
    file = forms.FileField(
        label=_("Anlage (optional)"),
        required=False,
        help_text=_("PDF, DOCX, ODT, JPEG oder PNG, höchstens 10 MB."),
    )


class InformationRequestForm(forms.Form):
    """Staff (admin): what is missing, until when, and what may be changed."""

    text = forms.CharField(label=_("Rückfrage"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6}))
    due_on = forms.DateField(label=_("Frist"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    sections = forms.MultipleChoiceField(
        label=_("Abschnitte, die geändert werden dürfen"),
        choices=[(section.slug, section.title) for section in SECTIONS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attachment_kinds = forms.MultipleChoiceField(
        label=_("Anlagen, die geändert werden dürfen"),
        choices=Attachment.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
