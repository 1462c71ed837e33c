"""Pages of the kernel: the German answer to a failed CSRF check (CSRF_FAILURE_VIEW), the mails page of development."""

from django.conf import settings
from django.http import Http404
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render
from django.utils.translation import gettext as _

from .devmail import read_mails


def csrf_failure_reason(reason: str) -> str:
    """Django's technical reason in plain German, with what the person can do about it."""
    if reason == REASON_NO_CSRF_COOKIE:
        return _(
            "Ihr Browser hat das Sicherheits-Cookie dieser Seite nicht mitgesendet. Bitte erlauben Sie "
            "Cookies für das Förderportal, laden Sie die Seite neu und senden Sie das Formular erneut."
        )
    if reason.startswith("Origin checking failed") or "referer" in reason.lower():
        return _(
            "Das Formular wurde nicht von einer Seite des Förderportals abgeschickt. Bitte öffnen Sie "
            "die Seite direkt im Förderportal und senden Sie das Formular von dort erneut."
        )
    return _(
        "Das Formular ist abgelaufen, zum Beispiel weil Sie sich inzwischen an- oder abgemeldet haben "
        "oder die Seite in einem anderen Fenster neu geladen wurde. Bitte laden Sie die Seite neu und "
        "senden Sie das Formular erneut."
    )


def csrf_failure(request, reason=""):
    """403 in the portal's layout; the technical reason stays in the server log (Django logs it)."""
    return render(request, "403_csrf.html", {"explanation": csrf_failure_reason(reason)}, status=403)


def dev_mails(request):
    """Development only (DEBUG on): the e-mails the file backend wrote, newest first, with their links."""
    if not settings.DEBUG:
        raise Http404
    folder = getattr(settings, "EMAIL_FILE_PATH", None)
    mails = read_mails(folder) if folder else []
    return render(request, "pages/dev_mails.html", {"mails": mails, "folder": folder})
