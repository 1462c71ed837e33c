"""Template helpers: ``euro`` and ``percent`` filters, and whether to show the "Prozessbegleitung" link."""

from django import template
from django.utils.translation import ngettext

from foerderportal import formatting

from ..navigation import shows_facilitation_nav

register = template.Library()


register.filter("euro", formatting.euro)


@register.filter
def percent(value):
    if value is None:
        return "–"
    return f"{formatting.german_decimal(value, places=1)} %"


@register.simple_tag(takes_context=True)
def show_facilitation_nav(context):
    """True for academy staff, moderators with a facilitation and members of a facilitated organisation
    (``facilitation.navigation``: from the cache, asked once per request)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if not hasattr(request, "_show_facilitation_nav"):
        request._show_facilitation_nav = shows_facilitation_nav(user)
    return request._show_facilitation_nav


@register.filter
def number(value):
    """``Decimal("1.50")`` → ``"1,5"``; ``Decimal("2.00")`` → ``"2"``."""
    if value is None:
        return "–"
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


@register.filter
def duration(session):
    """``"1 Tag"``, ``"0,5 Tage"``, ``"1 Stunde"``, ``"4 Stunden"``."""
    amount = number(session.duration)
    # gettext's plural rules take integers: exactly one is singular, any other amount (0,5; 1,5; 2) plural.
    n = 1 if amount == "1" else 2
    if session.unit == "hours":
        return ngettext("%(amount)s Stunde", "%(amount)s Stunden", n) % {"amount": amount}
    return ngettext("%(amount)s Tag", "%(amount)s Tage", n) % {"amount": amount}
