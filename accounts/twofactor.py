"""The second factor in the session, in one place: who needs it, where it is asked, and the
"recent verification" that releasing decisions and changing roles require.

Staff accounts (``is_staff`` or superuser: academy, reviewers, moderators) log in with their
password and then a code from an authenticator app or a recovery code; the admin refuses a staff
session without it (``StaffTwoFactorMiddleware``; their portal pages too). The time of the last code (at login or on the
re-authentication page) is kept in the session; ``recent_verification_required`` sends anyone
whose last code is older than ``settings.RECENT_VERIFICATION_SECONDS`` (15 minutes) to confirm
password and code again, and back. Writes (devices, codes, resets) are in ``accounts.services``.
"""

import functools
import time
from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

VERIFIED_AT_SESSION_KEY = "accounts_second_factor_at"


def needs_second_factor(user) -> bool:
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


def is_verified(request) -> bool:
    """The session passed the second factor (django-otp's ``OTPMiddleware`` sets ``is_verified``)."""
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


def complete_second_factor(request, device) -> None:
    """Mark the session verified by ``device``, now; a new session key, as at any change of rights."""
    request.session.cycle_key()
    django_otp.login(request, device)
    request.session[VERIFIED_AT_SESSION_KEY] = time.time()


def is_recently_verified(request, now: float | None = None) -> bool:
    verified_at = request.session.get(VERIFIED_AT_SESSION_KEY)
    if not is_verified(request) or not isinstance(verified_at, int | float):
        return False
    age = (time.time() if now is None else now) - verified_at
    return 0 <= age <= settings.RECENT_VERIFICATION_SECONDS


def safe_next(request, default="admin:index") -> str:
    """``next`` from the query or form when it stays on this site, otherwise ``default`` (a URL name)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(default)


def _with_next(url_name, next_url) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def second_factor_url(user, next_url) -> str:
    """Where a staff user goes after the password: the code page, or the set-up of the first device."""
    from .services import confirmed_totp_device

    name = "accounts:two_factor_verify" if confirmed_totp_device(user) else "accounts:two_factor_setup"
    return _with_next(name, next_url)


def reauthentication_url(next_url) -> str:
    return _with_next("accounts:reauthenticate", next_url)


def _request_of(args) -> HttpRequest:
    # A view (request, ...), a method (self, request, ...) or an admin action (modeladmin, request, queryset).
    return args[0] if isinstance(args[0], HttpRequest) else args[1]


def recent_verification_required(func=None, *, methods=None, back=None):
    """Views, admin views and admin actions that release decisions or change rights: without password
    and code in the last 15 minutes, the re-authentication page (then back here). GET and POST alike,
    unless ``methods`` names the ones that need it (a list page whose POST is the action). After a
    refused POST the user returns to the page itself, or to ``back(request)`` for a POST-only view."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            request = _request_of(args)
            if (methods is None or request.method in methods) and not is_recently_verified(request):
                if not request.user.is_authenticated:
                    raise PermissionDenied
                if back is not None:
                    next_url = back(request)
                else:
                    next_url = request.get_full_path() if request.method == "GET" else request.path
                return HttpResponseRedirect(reauthentication_url(next_url))
            return view(*args, **kwargs)

        return wrapper

    return decorate(func) if func is not None else decorate


# What a staff session may open between the password and the code: the steps themselves and the way out.
OPEN_BEFORE_SECOND_FACTOR = (
    "accounts:login",
    "accounts:logout",
    "accounts:two_factor_setup",
    "accounts:two_factor_verify",
)


def staff_gate(request):
    """Portal pages for a staff session only after the second factor; ``None`` lets the request in."""
    user = request.user
    if not needs_second_factor(user) or is_verified(request):
        return None
    if request.path in {reverse(name) for name in OPEN_BEFORE_SECOND_FACTOR}:
        return None
    return HttpResponseRedirect(second_factor_url(user, request.get_full_path()))


def admin_gate(request):
    """The admin only for staff sessions that passed the second factor; ``None`` lets the request in.

    The admin's own login page sends to the portal's login (password, then code): the admin never
    takes a password itself. An applicant who opens the admin gets the 403 page.
    """
    user = request.user
    if request.path == reverse("admin:login"):
        if user.is_authenticated and not needs_second_factor(user):
            raise PermissionDenied
        return HttpResponseRedirect(_with_next("accounts:login", safe_next(request)))
    if request.path == reverse("admin:logout") or not needs_second_factor(user) or is_verified(request):
        return None
    return HttpResponseRedirect(second_factor_url(user, request.get_full_path()))
