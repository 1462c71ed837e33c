"""Form fields that read numbers as German people type them.

``"12,5"`` is 12.5 and ``"1.234,50"`` is 1234.50, never 125 or 123450; ``"12.5"`` (what a
browser's number input sends) stays 12.5. Anything else is refused with Django's German message.
"""

import re
from decimal import Decimal

from django import forms

from .formatting import german_decimal

# "1.234" or "1.234.567": dots that group thousands (German), not a decimal point.
GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")


def normalise_decimal_input(text):
    """German notation to the notation ``Decimal`` reads; what cannot be read is returned as typed."""
    value = text.strip().replace(" ", "").replace("\u00a0", "")
    if value.count(",") == 1:
        whole, decimals = value.split(",")
        if "." in whole:
            if not GROUPED.match(whole):
                return text
            whole = whole.replace(".", "")
        return f"{whole}.{decimals}"
    if GROUPED.match(value):
        return value.replace(".", "")
    return value


class GermanDecimalInput(forms.TextInput):
    """A text input that shows an amount as ``1234,50`` (ungrouped, easy to edit); phones offer digits and a comma."""

    def __init__(self, attrs=None, places=2):
        super().__init__({"inputmode": "decimal", **(attrs or {})})
        self.places = places

    def format_value(self, value):
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            return german_decimal(value, self.places).replace(".", "")
        return super().format_value(value)


class GermanDecimalField(forms.DecimalField):
    """A ``DecimalField`` that reads German notation.

    With the default widget (a text input) it shows German notation; with a ``NumberInput`` (which
    browsers submit as ``12.5``) it renders ``min``, ``max`` and ``step`` from the field's bounds.
    """

    def __init__(self, *, widget=None, **kwargs):
        if widget is None:
            widget = GermanDecimalInput(places=kwargs.get("decimal_places") or 2)
        super().__init__(widget=widget, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = normalise_decimal_input(value)
        return super().to_python(value)
