"""German number formats for letters: "40.000,00 €", "10,5"."""

from django import template
from django.utils.formats import number_format

from foerderportal import formatting

register = template.Library()


@register.filter
def euro(value):
    """Amount with two decimals and grouping; empty for no amount."""
    return formatting.euro(value, empty="")


@register.filter
def hours(value):
    """Hours without a trailing ",0"."""
    if value in (None, ""):
        return ""
    return number_format(value, decimal_pos=0 if value == int(value) else 1, use_l10n=True)
