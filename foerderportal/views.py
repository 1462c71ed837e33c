"""Pages of the kernel itself: the German answer to a failed CSRF check (settings.CSRF_FAILURE_VIEW)."""

from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render
from django.utils.translation import gettext as _


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
