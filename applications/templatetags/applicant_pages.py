"""``{% load applicant_pages %}``: parts of the applicant pages written in Python where a template
loop was a measurable share of the page (the overview is opened on every step of deadline day)."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.filter
def answers(sections):
    """The overview's "Ihre Angaben": per section its title and a list of label and answer
    (``– keine Angabe –`` where there is none). ``sections``: the view's list of
    ``{"section": …, "values": [(label, value or None), …]}``."""
    none = format_html('<span class="text-body-secondary">{}</span>', gettext("– keine Angabe –"))
    return mark_safe(  # noqa: S308 - every part is escaped by format_html
        "".join(
            format_html(
                '<h3 class="h5 mt-3">{}</h3><dl class="row">{}</dl>',
                item["section"].title,
                format_html_join(
                    "",
                    '<dt class="col-sm-4">{}</dt><dd class="col-sm-8 readonly-value">{}</dd>',
                    ((label, none if value is None else value) for label, value in item["values"]),
                ),
            )
            for item in sections
        )
    )
