"""The overview's answers and check boxes written in Python (``applicant_pages.answers``,
``form_markup.checkbox``): the markup the former templates wrote, element for element."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse, set_script_prefix
from django.utils.translation import gettext_lazy

from accounts.forms import NotificationConsentForm
from applications import services
from applications.forms import SECTIONS, SubmitForm, WithdrawForm
from applications.models import Application, Organisation
from tests.foerderportal.test_form_markup import Markup

TRICKY = '<script>alert("x")</script> & Ümlaut'

# The templates these filters and tags replace, as they were: the loops of
# templates/applications/overview.html here, the removed includes in tests/data/former_templates.
FORMER = Path(__file__).resolve().parent.parent / "data" / "former_templates"
FORMER_ANSWERS = Template(
    """{% load i18n %}{% for item in sections %}
<h3 class="h5 mt-3">{{ item.section.title }}</h3>
<dl class="row">
    {% for label, value in item.values %}
        <dt class="col-sm-4">{{ label }}</dt>
        <dd class="col-sm-8 readonly-value">{% if value is None %}<span class="text-body-secondary">"""
    """{% translate "– keine Angabe –" %}</span>{% else %}{{ value }}{% endif %}</dd>
    {% endfor %}
</dl>
{% endfor %}"""
)
FORMER_CHECKBOX = Template((FORMER / "_checkbox.html").read_text(encoding="utf-8"))


FORMER_NAV = Template((FORMER / "_nav.html").read_text(encoding="utf-8"))
FORMER_CHECKLIST = Template(
    """{% load i18n %}{% for item in checklist %}
<li class="{% if item.done %}done{% else %}missing{% endif %}">{{ item.label }}<span class="visually-hidden">"""
    """{% if item.done %}: {% translate "erledigt" %}{% else %}: {% translate "fehlt noch" %}{% endif %}</span></li>
{% endfor %}"""
)


@pytest.mark.parametrize("current", [SECTIONS[1].slug, "attachments", "overview"])
def test_the_section_navigation_is_written_as_the_template_wrote_it(current):
    application = Application(pk=4711)
    navigation = [{"slug": s.slug, "title": s.title, "done": index % 2 == 0} for index, s in enumerate(SECTIONS)]
    portal = Template("{% load applicant_pages %}{% section_nav application navigation current %}").render(
        Context({"application": application, "navigation": navigation, "current": current})
    )
    # The former template read the current section from the view's list, the other steps from ``current``.
    marked = [{**item, "current": item["slug"] == current} for item in navigation]
    former = FORMER_NAV.render(Context({"application": application, "navigation": marked, "current": current}))
    assert Markup(portal).items == Markup(former).items
    assert portal.count('aria-current="page"') == 1
    for section in SECTIONS:
        assert f'href="{reverse("applications:section", args=[4711, section.slug])}"' in portal


def test_the_section_navigation_follows_the_script_prefix_and_each_applications_id():
    """The steps' addresses are reversed once per script prefix (a portal served under a path)."""
    navigation = [{"slug": s.slug, "title": s.title, "done": False} for s in SECTIONS]
    nav = Template("{% load applicant_pages %}{% section_nav application navigation 'overview' %}")
    for prefix in ("/", "/foerderung/", "/"):
        set_script_prefix(prefix)
        try:
            for pk in (7, 2_147_480_647, 123456):
                portal = nav.render(Context({"application": Application(pk=pk), "navigation": navigation}))
                hrefs = re.findall(r'href="([^"]+)"', portal)
                expected = [reverse("applications:section", args=[pk, s.slug]) for s in SECTIONS]
                expected += [reverse(f"applications:{step}", args=[pk]) for step in ("attachments", "overview")]
                assert hrefs == expected and all(href.startswith(prefix) for href in hrefs)
        finally:
            set_script_prefix("/")


def test_the_checklist_is_written_as_the_template_wrote_it():
    application = complete_draft()
    checklist = services.checklist(application)
    assert {item.done for item in checklist} == {True, False}
    portal = Template("{% load applicant_pages %}{{ checklist|checklist_items }}").render(
        Context({"checklist": checklist})
    )
    assert Markup(portal).items == Markup(FORMER_CHECKLIST.render(Context({"checklist": checklist}))).items


def complete_draft():
    """A draft with some of the checklist done: the contact, not the rest."""
    application = Application(contact_name="Frau <Muster>", contact_email="muster@example.org")
    application.has_resolution = False
    return application


def test_the_answers_are_written_as_the_template_wrote_them():
    sections = [
        {"section": SECTIONS[0], "values": [(gettext_lazy("Ansprechperson"), TRICKY), ("Funktion", None)]},
        {"section": SECTIONS[4], "values": [("Datum des Beschlusses", datetime.date(2020, 3, 6))]},
        {"section": SECTIONS[5], "values": [("Personaleinsatz", Decimal("12.5")), ("Räume", "")]},
    ]
    portal = Template("{% load applicant_pages %}{{ sections|answers }}").render(Context({"sections": sections}))
    former = FORMER_ANSWERS.render(Context({"sections": sections}))
    assert Markup(portal).items == Markup(former).items
    assert "&lt;script&gt;" in portal and "– keine Angabe –" in portal
    assert "6. März 2020" in portal and "12,5" in portal


class Agreement(forms.Form):
    optional = forms.BooleanField(required=False, label="Freiwillig", help_text=f"Hilfe {TRICKY}")
    required = forms.BooleanField(label=TRICKY)


@pytest.mark.parametrize("spacing", ["", "mb-2"])
@pytest.mark.parametrize("data", [None, {"optional": "on", "required": "on"}], ids=["empty", "checked"])
def test_a_check_box_is_written_as_the_template_wrote_it(spacing, data):
    form = Agreement(data)
    for field in form:
        portal = Template("{% load form_markup %}{{ field|checkbox:spacing }}").render(
            Context({"field": field, "spacing": spacing})
        )
        former = FORMER_CHECKBOX.render(Context({"field": field, "spacing": spacing}))
        assert Markup(portal).items == Markup(former).items, field.name
        assert "<script>" not in portal


def test_the_overviews_own_check_boxes_are_written_as_before():
    for field in (
        SubmitForm(organisation=Organisation(name=TRICKY))["declaration"],
        WithdrawForm()["confirm"],
        NotificationConsentForm()["notification_consent"],
    ):
        portal = Template('{% load form_markup %}{{ field|checkbox:"mb-3" }}').render(Context({"field": field}))
        former = FORMER_CHECKBOX.render(Context({"field": field, "spacing": "mb-3"}))
        assert Markup(portal).items == Markup(former).items, field.name
