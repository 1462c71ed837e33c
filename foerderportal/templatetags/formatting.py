"""``{% load formatting %}``: the German formats of ``foerderportal.formatting`` as template filters."""

from django import template

from foerderportal import formatting

register = template.Library()


@register.filter
def euro(value):
    """``40.000,00 €``; ``–`` for no amount."""
    return formatting.euro(value)


@register.filter
def datetime_de(value):
    """``6. März 2020, 23:59 Uhr``; empty for no time."""
    return formatting.format_datetime(value) if value else ""


@register.filter
def deadline(value):
    """``Freitag, 6. März 2020, 23:59 Uhr``; empty for no time."""
    return formatting.format_deadline(value) if value else ""


@register.filter
def number(value):
    """A weight or measure as printed: ``3``, ``1,5``, ``1,25`` (no needless decimals); empty for none."""
    return formatting.german_number(value) if value is not None and value != "" else ""
