from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _

from . import services
from .forms import LoginForm, VerifyWithNewPasswordForm, VerifyWithPasswordForm
from .limits import allow_mail
from .models import User
from .tokens import password_reset_token


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


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
