from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _

from . import services
from .forms import LoginForm
from .models import User


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def lockout(request, credentials=None, *args, **kwargs):
    """django-axes calls this when a user name and address pair is locked."""
    from django.conf import settings

    until = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    return render(
        request,
        "accounts/locked_out.html",
        {"until": until, "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)},
        status=429,
    )


def verify(request, uidb64, token):
    try:
        user = User.objects.get(pk=int(urlsafe_base64_decode(uidb64).decode()))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is not None and services.verify_email(user=user, token=token):
        messages.success(request, _("Ihre E-Mail-Adresse ist bestätigt. Sie können sich jetzt anmelden."))
        return redirect("accounts:login")
    return render(request, "accounts/verify_failed.html", status=400)
