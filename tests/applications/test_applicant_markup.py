"""The overview's answers and check boxes written in Python (``applicant_pages.answers``,
``form_markup.checkbox``): the markup the former templates wrote, element for element."""

import pytest
from django import forms
from django.template import Context, Template
from django.utils.translation import gettext_lazy

from accounts.forms import NotificationConsentForm
from applications.forms import SECTIONS, SubmitForm, WithdrawForm
from applications.models import Organisation
from tests.foerderportal.test_form_markup import Markup

TRICKY = '<script>alert("x")</script> & Ümlaut'

# The templates these filters replace, as they were (templates/applications/overview.html and
# templates/applications/_checkbox.html before the change).
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
FORMER_CHECKBOX = Template(
    """<div class="form-check{% if spacing %} {{ spacing }}{% endif %}">
    <input type="checkbox"
           class="form-check-input"
           name="{{ field.html_name }}"
           id="{{ field.auto_id }}"
           {% if field.help_text %}aria-describedby="{{ field.auto_id }}_helptext"{% endif %}
           {% if field.value %}checked{% endif %}
           {% if field.field.required %}required{% endif %}>
    <label class="form-check-label" for="{{ field.auto_id }}">{{ field.label }}</label>
    {% if field.help_text %}
        <div id="{{ field.auto_id }}_helptext" class="form-text">{{ field.help_text }}</div>
    {% endif %}
</div>"""
)


def test_the_answers_are_written_as_the_template_wrote_them():
    sections = [
        {"section": SECTIONS[0], "values": [(gettext_lazy("Ansprechperson"), TRICKY), ("Funktion", None)]},
        {"section": SECTIONS[5], "values": [("Personaleinsatz", "12,5"), ("Räume", "")]},
    ]
    portal = Template("{% load applicant_pages %}{{ sections|answers }}").render(Context({"sections": sections}))
    former = FORMER_ANSWERS.render(Context({"sections": sections}))
    assert Markup(portal).items == Markup(former).items
    assert "&lt;script&gt;" in portal and "– keine Angabe –" in portal


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
