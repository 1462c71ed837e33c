"""German number formats that do not depend on the active locale (the interface is German only)."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def german_decimal(value, places=2):
    """``Decimal("1234.5")`` → ``"1.234,50"``."""
    quantum = Decimal(1).scaleb(-places)
    text = f"{Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def euro(value):
    """``Decimal("1234.5")`` → ``"1.234,50 €"``; ``None`` → ``"–"``."""
    if value is None:
        return "–"
    return f"{german_decimal(value)} €"
