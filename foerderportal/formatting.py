"""German formats for amounts and times, independent of the active locale (the interface is German only).

The template filters in ``foerderportal/templatetags/formatting.py`` (``{% load formatting %}``)
and the apps' own filters call these.
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, override

CENT = Decimal("0.01")


def german_decimal(value, places=2):
    """``Decimal("1234.5")`` → ``"1.234,50"`` (rounded half up, grouped); ``None`` stays ``None``."""
    if value is None:
        return None
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    quantum = Decimal(1).scaleb(-places)
    text = f"{number.quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def euro(value, *, empty="–"):
    """``Decimal("40000")`` → ``"40.000,00 €"``; no amount (``None`` or ``""``) → ``empty``."""
    if value is None or value == "":
        return empty
    return f"{german_decimal(value)} €"


def format_datetime(value, *, weekday=False):
    """``"6. März 2020, 23:59 Uhr"`` in German local time; with ``weekday``: ``"Freitag, 6. März 2020, 23:59 Uhr"``."""
    return _format_datetime(value, weekday, timezone.get_current_timezone())


# The same few moments (a round's deadline, on every dashboard and overview) are written again and
# again; switching the language and formatting costs more than looking the text up.
@lru_cache(maxsize=1024)
def _format_datetime(value, weekday, time_zone):
    if timezone.is_aware(value):
        value = timezone.localtime(value, time_zone)
    with override("de"):
        return date_format(value, "l, j. F Y, H:i" if weekday else "j. F Y, H:i") + " Uhr"


def format_deadline(deadline):
    """A deadline as the portal states it everywhere: ``"Freitag, 6. März 2020, 23:59 Uhr"``."""
    return format_datetime(deadline, weekday=True)


def german_number(value, *, places=2):
    """A count or measure as a person reads it: ``Decimal("12.50")`` → ``"12,5"``, ``Decimal("3.00")`` → ``"3"``.

    At most ``places`` decimals (rounded half up), trailing zeros dropped, thousands grouped;
    ``None`` stays ``None``.
    """
    if value is None:
        return None
    text = german_decimal(value, places)
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def german_date(value):
    """``date(2026, 11, 10)`` → ``"10.11.2026"``; ``None`` stays ``None``."""
    if value is None:
        return None
    return value.strftime("%d.%m.%Y")


def display_value(value):
    """Any stored value as German text: dates ``"10.11.2026"``, numbers ``"12,5"``, yes/no; text unchanged."""
    if isinstance(value, bool):
        return gettext("ja") if value else gettext("nein")
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return german_date(value)
    if isinstance(value, Decimal | float):
        return german_number(value)
    return value
