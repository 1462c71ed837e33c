import functools
from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlsafe_base64_decode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services, twofactor
from .forms import (
    LoginForm,
    ReauthenticationForm,
    SecondFactorForm,
    TwoFactorSetupForm,
    VerifyWithNewPasswordForm,
    VerifyWithPasswordForm,
)
from .limits import allow_mail
from .models import User
from .tokens import password_reset_token


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_success_url(self):
        # Staff accounts: the second factor (or its first set-up) before anything else.
        url = super().get_success_url()
        user = self.request.user
        if twofactor.needs_second_factor(user) and not twofactor.is_verified(self.request):
            return twofactor.second_factor_url(user, url)
        return url


def lockout(request, credentials=None, *args, **kwargs):
    """django-axes calls this when a user name and address pair is locked."""
    until = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    return render(
        request,
        "accounts/locked_out.html",
        {"until": until, "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)},
        status=429,
    )


def _user_from_uid(uidb64):
    try:
        return User.objects.get(pk=int(urlsafe_base64_decode(uidb64).decode()))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None


def verify(request, uidb64, token):
    """The link from the verification e-mail: the holder confirms the registration's password or chooses one.

    Opening the link changes nothing (mail scanners open links too); an unknown account, a wrong or
    an expired token all get the same page.
    """
    user = _user_from_uid(uidb64)
    if not services.verification_token_is_valid(user=user, token=token):
        return render(request, "accounts/verify_failed.html", status=400)
    choose = request.GET.get("neu") == "1" or not user.has_usable_password()
    data = request.POST if request.method == "POST" else None
    form = VerifyWithNewPasswordForm(user, data) if choose else VerifyWithPasswordForm(data)
    if form.is_valid():
        try:
            if choose:
                services.verify_email(user=user, token=token, new_password=form.cleaned_data["new_password1"])
            else:
                services.verify_email(user=user, token=token, password=form.cleaned_data["password"])
        except services.AccountError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Ihre E-Mail-Adresse ist bestätigt. Sie können sich jetzt anmelden."))
            return redirect("accounts:login")
    return render(request, "accounts/verify.html", {"form": form, "choose": choose, "email": user.email})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset form with its own token generator and the mail limit (same page when over it)."""

    template_name = "accounts/password_reset.html"
    email_template_name = "emails/password_reset.txt"
    html_email_template_name = "emails/password_reset.html"
    subject_template_name = "emails/password_reset_subject.txt"
    token_generator = password_reset_token

    def form_valid(self, form):
        if not allow_mail(self.request, kind="reset", address=form.cleaned_data["email"]):
            return redirect(self.get_success_url())
        return super().form_valid(form)


# --- the second factor of staff accounts (accounts/twofactor.py has the session rules) ----------


def _staff_only(view):
    """Logged in (else the login page) and a staff account (else 404: applicants have no second factor)."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not twofactor.needs_second_factor(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _recovery_codes_page(request, codes, *, next_url):
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": [f"{code[:4]}-{code[4:]}" for code in codes], "next": next_url},
    )


@_staff_only
def two_factor_setup(request):
    """First login of a staff account: scan the QR code (or type the secret), confirm with a code, then
    read the recovery codes (shown once)."""
    next_url = twofactor.safe_next(request)
    if services.confirmed_totp_device(request.user) is not None:
        return redirect(twofactor.second_factor_url(request.user, next_url))
    device = services.pending_totp_device(user=request.user)
    form = TwoFactorSetupForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            device, codes = services.confirm_totp_device(user=request.user, code=form.cleaned_data["code"])
        except services.AccountError as error:
            form.add_error("code", error.message)
        else:
            twofactor.complete_second_factor(request, device)
            return _recovery_codes_page(request, codes, next_url=next_url)
    secret = b32encode(device.bin_key).decode()
    # Drawn on the server as inline SVG: no third-party service, nothing the CSP would have to allow.
    qr_svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4, title=_("QR-Code zum Einrichten der Authenticator-App"), svgclass="qr-code"
    )
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "qr_svg": mark_safe(qr_svg), "secret": _grouped(secret), "next": next_url},
    )


@_staff_only
def two_factor_verify(request):
    """After the password: a code from the app, or a recovery code."""
    next_url = twofactor.safe_next(request)
    if services.confirmed_totp_device(request.user) is None:
        return redirect(twofactor.second_factor_url(request.user, next_url))
    form = SecondFactorForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            device = services.verify_second_factor(
                user=request.user, code=form.cleaned_data["code"], recovery_code=form.cleaned_data["recovery_code"]
            )
        except services.AccountError as error:
            form.add_error(form.code_field, error.message)
        else:
            twofactor.complete_second_factor(request, device)
            if form.code_field == "recovery_code":
                messages.warning(
                    request,
                    _(
                        "Sie haben einen Wiederherstellungscode verwendet; er gilt nun nicht mehr. Noch übrig: %(n)d. "
                        "Erzeugen Sie unter „Zwei-Faktor-Anmeldung“ neue Codes, wenn sie knapp werden."
                    )
                    % {"n": services.remaining_recovery_codes(request.user)},
                )
            return redirect(next_url)
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


@_staff_only
def reauthenticate(request):
    """Password and code again before releasing decisions or changing rights; then back (``next``)."""
    next_url = twofactor.safe_next(request)
    if services.confirmed_totp_device(request.user) is None:
        return redirect(twofactor.second_factor_url(request.user, next_url))
    form = ReauthenticationForm(request.POST if request.method == "POST" else None, request=request)
    if form.is_valid():
        try:
            device = services.verify_second_factor(
                user=request.user, code=form.cleaned_data["code"], recovery_code=form.cleaned_data["recovery_code"]
            )
        except services.AccountError as error:
            form.add_error(form.code_field, error.message)
        else:
            twofactor.complete_second_factor(request, device)
            return redirect(next_url)
    return render(request, "accounts/reauthenticate.html", {"form": form, "next": next_url})


@_staff_only
def two_factor_overview(request):
    """The account's second factor: since when, how many recovery codes are left, new codes."""
    if not twofactor.is_verified(request):
        return redirect(twofactor.second_factor_url(request.user, request.get_full_path()))
    return render(
        request,
        "accounts/two_factor.html",
        {
            "device": services.confirmed_totp_device(request.user),
            "remaining": services.remaining_recovery_codes(request.user),
        },
    )


@require_POST
@_staff_only
@twofactor.recent_verification_required
def regenerate_recovery_codes(request):
    try:
        codes = services.regenerate_recovery_codes(user=request.user)
    except services.AccountError as error:
        messages.error(request, error.message)
        return redirect("accounts:two_factor")
    return _recovery_codes_page(request, codes, next_url=reverse("accounts:two_factor"))
