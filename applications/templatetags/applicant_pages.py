"""``{% load applicant_pages %}``: parts of the applicant pages written in Python where a template
loop was a measurable share of the page (the overview is opened on every step of deadline day)."""

import functools

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from foerderportal import caching
from foerderportal.form_renderer import render_value

register = template.Library()


@register.filter
def answers(sections):
    """The overview's "Ihre Angaben": per section its title and a list of label and answer
    (``– keine Angabe –`` where there is none). ``sections``: the view's list of
    ``{"section": …, "values": [(label, value or None), …]}``."""
    none = f'<span class="text-body-secondary">{escape(gettext("– keine Angabe –"))}</span>'
    parts = []
    for item in sections:
        # render_value: a date or an amount as the template wrote it ("6. März 2020", "12,5"), escaped
        rows = "".join(
            f'<dt class="col-sm-4">{conditional_escape(label)}</dt><dd class="col-sm-8 readonly-value">'
            f"{none if value is None else render_value(value)}</dd>"
            for label, value in item["values"]
        )
        parts.append(f'<h3 class="h5 mt-3">{conditional_escape(item["section"].title)}</h3><dl class="row">{rows}</dl>')
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


# Stands for the application's id in the addresses of its steps, reversed once (see _steps).
_ID = 2_147_480_647


@functools.lru_cache(maxsize=8)
def _steps(*address_context):
    """The addresses of an application's steps split around its id (and a section's slug), per
    ``caching.address_context()``: {step: (before the id, between id and slug, after the slug)}."""
    steps = {}
    for step, args in (("section", [_ID, "section-slug"]), ("attachments", [_ID]), ("overview", [_ID])):
        before, rest = reverse(f"applications:{step}", args=args).split(str(_ID), 1)
        middle, after = rest.rsplit("section-slug", 1) if step == "section" else (rest, "")
        steps[step] = (before, middle, after)
    return steps


def _address(steps, step, application_id, slug=""):
    before, middle, after = steps[step]
    return f"{before}{application_id}{middle}{slug}{after}"


@register.simple_tag
def section_nav(application, navigation, current):
    """The steps of an application: its sections (``navigation``: the view's list of
    ``{"slug", "title", "done"}``), the attachments and the overview; ``current``: the step shown
    (a section's slug, "attachments" or "overview")."""
    steps = _steps(*caching.address_context())
    done = f'<span class="visually-hidden">{escape(gettext("(vollständig)"))}</span><span aria-hidden="true"> ✓</span>'
    items = [
        (_address(steps, "section", application.pk, item["slug"]), item["slug"], item["title"], item["done"])
        for item in navigation
    ]
    items.append((_address(steps, "attachments", application.pk), "attachments", gettext("Anlagen"), False))
    items.append((_address(steps, "overview", application.pk), "overview", gettext("Übersicht und Einreichen"), False))
    html = []
    for address, step, title, complete in items:
        active, aria = (" active", ' aria-current="page"') if step == current else ("", "")
        html.append(
            f'<li class="list-group-item{active}"><a href="{escape(address)}"{aria}>{conditional_escape(title)}</a>'
            f"{done if complete else ''}</li>"
        )
    return mark_safe(  # noqa: S308 - every part is escaped above
        f'<nav aria-label="{escape(gettext("Abschnitte des Antrags"))}" class="section-nav mb-4">'
        f'<ol class="list-group list-group-numbered">{"".join(html)}</ol></nav>'
    )


@register.filter
def checklist_items(checklist):
    """The overview's checklist: one ``<li>`` per item, done or missing (said for screen readers)."""
    states = {True: ("done", escape(gettext("erledigt"))), False: ("missing", escape(gettext("fehlt noch")))}
    html = []
    for item in checklist:
        state, said = states[item.done]
        label = conditional_escape(item.label)
        html.append(f'<li class="{state}">{label}<span class="visually-hidden">: {said}</span></li>')
    return mark_safe("".join(html))  # noqa: S308 - every part is escaped above
