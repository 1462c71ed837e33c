"""``{% load applicant_pages %}``: parts of the applicant pages written in Python where a template
loop was a measurable share of the page (the overview is opened on every step of deadline day)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from foerderportal.form_renderer import render_value

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
                    # render_value: a date or an amount as the template wrote it ("6. März 2020", "12,5")
                    ((label, none if value is None else render_value(value)) for label, value in item["values"]),
                ),
            )
            for item in sections
        )
    )


@register.simple_tag
def section_nav(application, navigation, current):
    """The steps of an application: its sections (``navigation``: the view's list of
    ``{"slug", "title", "done"}``), the attachments and the overview; ``current``: the step shown
    (a section's slug, "attachments" or "overview")."""
    current_page = mark_safe(' aria-current="page"')
    done = format_html(
        '<span class="visually-hidden">{}</span><span aria-hidden="true"> ✓</span>', gettext("(vollständig)")
    )
    # One reverse for the sections' addresses: they differ only in the slug (a URL segment).
    placeholder = "section-slug"
    before, after = reverse("applications:section", args=[application.pk, placeholder]).rsplit(placeholder, 1)
    steps = [
        format_html(
            '<li class="list-group-item{}"><a href="{}"{}>{}</a>{}</li>',
            " active" if item["slug"] == current else "",
            f"{before}{item['slug']}{after}",
            current_page if item["slug"] == current else "",
            item["title"],
            done if item["done"] else "",
        )
        for item in navigation
    ]
    for page, title in (("attachments", gettext("Anlagen")), ("overview", gettext("Übersicht und Einreichen"))):
        steps.append(
            format_html(
                '<li class="list-group-item{}"><a href="{}"{}>{}</a></li>',
                " active" if current == page else "",
                reverse(f"applications:{page}", args=[application.pk]),
                current_page if current == page else "",
                title,
            )
        )
    return format_html(
        '<nav aria-label="{}" class="section-nav mb-4"><ol class="list-group list-group-numbered">{}</ol></nav>',
        gettext("Abschnitte des Antrags"),
        mark_safe("".join(steps)),  # noqa: S308 - each step is escaped by format_html
    )


@register.filter
def checklist_items(checklist):
    """The overview's checklist: one ``<li>`` per item, done or missing (said for screen readers)."""
    done, missing = gettext("erledigt"), gettext("fehlt noch")
    return format_html_join(
        "",
        '<li class="{}">{}<span class="visually-hidden">: {}</span></li>',
        (("done", item.label, done) if item.done else ("missing", item.label, missing) for item in checklist),
    )
