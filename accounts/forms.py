from django import forms
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .limits import allow_mail
from .models import NOTIFICATION_CONSENT_WORDING, User
from .services import send_verification_mail
from .throttling import normalise_address


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-Mail-Adresse"), widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    error_messages = {
        "invalid_login": _(
            "E-Mail-Adresse oder Passwort sind nicht korrekt. Bitte achten Sie auf Groß- und Kleinschreibung."
        ),
        "inactive": _(
            "Dieses Konto ist noch nicht aktiviert. Wir haben Ihnen den Link zur Bestätigung Ihrer E-Mail-Adresse "
            "(erneut) geschickt."
        ),
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError as error:
            # Django's backend hides inactive accounts; tell the owner (who knows the password) why.
            if error.code == "invalid_login":
                user = User.objects.filter(email__iexact=self.cleaned_data.get("username", "")).first()
                if user and not user.is_active and user.check_password(self.cleaned_data.get("password", "")):
                    if user.email_verified_at is None and allow_mail(self.request, kind="verify", address=user.email):
                        send_verification_mail(user)
                    raise forms.ValidationError(self.error_messages["inactive"], code="inactive") from error
            raise


def notification_consent_field():
    """The optional checkbox "consent to electronic notification", with the exact wording as label."""
    return forms.BooleanField(
        label=NOTIFICATION_CONSENT_WORDING,
        required=False,
        help_text=_(
            "Freiwillig. Ohne Einwilligung erhält Ihre Organisation Bescheide per Post, sofern kein anderes "
            "bestätigtes Mitglied eingewilligt hat."
        ),
    )


class NotificationConsentForm(forms.Form):
    """The consent offered at submission to a user who has not consented yet."""

    notification_consent = notification_consent_field()


class RegistrationForm(forms.ModelForm):
    """A new account: name, e-mail, password, privacy consent (applications adds the organisation).

    The e-mail address is a plain form field, not the model's: the form must not tell whether the
    address has an account (``register_user`` answers that by e-mail to the address).
    """

    email = forms.EmailField(
        label=_("E-Mail-Adresse"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    password1 = forms.CharField(
        label=_("Passwort"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Mindestens 10 Zeichen, nicht nur Ziffern, kein gängiges Passwort."),
    )
    password2 = forms.CharField(
        label=_("Passwort wiederholen"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    privacy = forms.BooleanField(
        label=_("Ich habe die Datenschutzhinweise gelesen und bin mit der Verarbeitung meiner Angaben einverstanden."),
        help_text=format_lazy(_("Die Datenschutzhinweise finden Sie unter {}."), "/datenschutz/"),
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "job_title", "phone"]
        labels = {"first_name": _("Vorname"), "last_name": _("Nachname")}

    field_order = ["first_name", "last_name", "email", "job_title", "phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "job_title"):
            self.fields[name].required = True
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"

    def clean_email(self):
        return normalise_address(self.cleaned_data["email"])

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Die beiden Passwörter stimmen nicht überein."))
        elif p1:
            user = User(
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(p1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class VerifyWithPasswordForm(forms.Form):
    """Verification by the person who registered: the password chosen at registration."""

    password = forms.CharField(
        label=_("Passwort aus Ihrer Registrierung"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class VerifyWithNewPasswordForm(SetPasswordForm):
    """Verification by whoever controls the mailbox: a new password (the registrant's is void)."""


def _code_field(label, help_text, **attrs):
    return forms.CharField(
        label=label,
        required=False,
        max_length=20,
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false", **attrs}),
    )


def _app_code_field(required=False):
    field = _code_field(
        _("Code aus der Authenticator-App"),
        _("Sechs Ziffern; die App zeigt alle 30 Sekunden einen neuen Code."),
        inputmode="numeric",
        pattern=r"[0-9 ]*",
    )
    field.required = required
    return field


class TwoFactorSetupForm(forms.Form):
    """Confirms the authenticator being set up with one of its codes (checked by the view's service)."""

    code = _app_code_field(required=True)


class SecondFactorForm(forms.Form):
    """A code from the app or, without the phone, one of the recovery codes (used up when accepted)."""

    code = _app_code_field()
    recovery_code = _code_field(
        _("Wiederherstellungscode"),
        _("Nur ohne Zugriff auf die App: einer der zehn Codes, die Sie bei der Einrichtung erhalten haben."),
        autocapitalize="off",
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("code", "").strip() and not cleaned.get("recovery_code", "").strip():
            self.add_error("code", _("Bitte geben Sie den Code aus Ihrer Authenticator-App ein."))
        return cleaned

    @property
    def code_field(self):
        """The field the code was typed into (where a refusal is shown)."""
        return "code" if self.cleaned_data.get("code", "").strip() else "recovery_code"


class ReauthenticationForm(SecondFactorForm):
    """Password and a code again, before releasing decisions or changing rights."""

    password = forms.CharField(
        label=_("Passwort"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    field_order = ["password", "code", "recovery_code"]

    def __init__(self, *args, request, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        user = self.request.user
        # Through the backends, so django-axes counts a wrong password here as at the login.
        if authenticate(self.request, username=user.email, password=password) != user:
            raise forms.ValidationError(_("Das Passwort ist nicht korrekt."))
        return password
