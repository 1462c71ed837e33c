from django import forms
from django.utils.translation import gettext_lazy as _

from foerderportal.files import UploadRejected, check_upload

from .models import ContactDetails, RoundDocument


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Ihr Name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label=_("Ihre E-Mail-Adresse"),
        help_text=_("Für unsere Antwort."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    subject = forms.CharField(label=_("Betreff"), max_length=200)
    message = forms.CharField(label=_("Ihre Nachricht"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}))
    # The honeypot: hidden from people (display: none), filled in by bots.
    website = forms.CharField(
        label=_("Bitte dieses Feld leer lassen"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class RoundDocumentAdminForm(forms.ModelForm):
    """The admin's upload: the file goes through ``check_upload`` like every other upload."""

    upload = forms.FileField(label=_("Datei"), required=False, help_text=_("PDF, Word- oder ODT-Dokument."))

    class Meta:
        model = RoundDocument
        fields = ["funding_round", "title", "position"]

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload is None:
            if not self.instance.pk:
                raise forms.ValidationError(_("Bitte eine Datei auswählen."))
            return None
        try:
            check_upload(upload)
        except UploadRejected as error:
            raise forms.ValidationError(error.messages) from error
        upload.seek(0)
        return upload


class ContactDetailsAdminForm(forms.ModelForm):
    confirm = forms.BooleanField(
        label=_("Angaben geprüft"),
        required=False,
        help_text=_(
            "Ich habe alle Angaben mit den Unterlagen der Akademie abgeglichen. Eine spätere Änderung "
            "ohne dieses Häkchen hebt die Bestätigung wieder auf."
        ),
    )

    class Meta:
        model = ContactDetails
        fields = [
            "organisation",
            "street",
            "postcode",
            "city",
            "represented_by",
            "phone",
            "email",
            "commissioned_by",
            "content_responsible",
        ]

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"].strip()
        if not (postcode.isdigit() and len(postcode) == 5):
            raise forms.ValidationError(_("Bitte geben Sie eine fünfstellige Postleitzahl an."))
        return postcode
