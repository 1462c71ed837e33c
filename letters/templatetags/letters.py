"""German number formats for letters: "40.000,00 €", "10,5"."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def euro(value):
    """Amount with two decimals and grouping, whatever USE_THOUSAND_SEPARATOR says."""
    if value in (None, ""):
        return ""
    return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True) + " €"


@register.filter
def hours(value):
    """Hours without a trailing ",0"."""
    if value in (None, ""):
        return ""
    return number_format(value, decimal_pos=0 if value == int(value) else 1, use_l10n=True)
