"""``{{ form|bootstrap_fields }}`` writes crispy's markup without crispy's templates
(foerderportal/form_markup.py): the same elements, attributes, ids and texts, in the same order."""

from html.parser import HTMLParser

import pytest
from django import forms
from django.template import Context, Template

from applications.forms import SECTIONS, section_form_class
from applications.models import Application
from foerderportal import form_markup

TRICKY = '<script>alert("x")</script> & Ümlaut'
CRISPY = Template("{% load crispy_forms_tags %}{{ form|crispy }}")
PORTAL = Template("{% load form_markup %}{{ form|bootstrap_fields }}")


class Markup(HTMLParser):
    """The document as a list: each start tag with its attributes (classes as a set), each end
    tag, each text with its white space collapsed (white space between tags is not content)."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.items = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = {name: (frozenset(value.split()) if name == "class" else value) for name, value in attrs}
        self.items.append(("<", tag, tuple(sorted(attributes.items(), key=lambda item: item[0]))))

    def handle_endtag(self, tag):
        self.items.append((">", tag))

    def handle_data(self, data):
        text = " ".join(data.split())
        if text:
            self.items.append(("text", text))


def rendered(template, form):
    return template.render(Context({"form": form}))


def assert_same_markup(make_form):
    """``make_form()`` twice: crispy changes a form's widgets as it renders, so each gets its own."""
    portal, crispy = rendered(PORTAL, make_form()), rendered(CRISPY, make_form())
    assert Markup(portal).items == Markup(crispy).items
    return portal


def validated(form):
    form.is_valid()
    return form


class RequiredFields(forms.Form):
    """Required fields (crispy's asterisk), help text with markup, a select and a form error."""

    name = forms.CharField(label="Name <Person>", max_length=20, help_text="Mit <em>Vornamen</em>.")
    body = forms.ChoiceField(label="Gremium", choices=[("", "---------"), ("rat", "Gemeinderat")])
    note = forms.CharField(label="Notiz", required=False, widget=forms.Textarea(attrs={"class": "eigene"}))
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        raise forms.ValidationError(["Erster Fehler & <zweiter>", "Noch einer"])


@pytest.mark.parametrize("section", SECTIONS, ids=lambda section: section.slug)
def test_each_section_form_has_crispys_markup_empty_filled_and_invalid(section):
    form_class = section_form_class(section)
    assert_same_markup(lambda: form_class(instance=Application()))
    data = dict.fromkeys(section.fields, TRICKY)
    html = assert_same_markup(lambda: validated(form_class(data, instance=Application())))
    if "staff_hours_per_week" in section.fields or "contact_email" in section.fields:
        assert "is-invalid" in html and 'aria-invalid="true"' in html and "invalid-feedback" in html
    assert "<script>" not in html


def test_required_fields_help_text_hidden_fields_and_form_errors_match():
    assert_same_markup(RequiredFields)
    html = assert_same_markup(lambda: validated(RequiredFields({"name": "x" * 30, "token": TRICKY})))
    assert 'class="asteriskField"' in html
    assert "<em>Vornamen</em>" in html  # help texts carry markup, as in crispy and Django
    assert "Name &lt;Person&gt;" in html and "Erster Fehler &amp; &lt;zweiter&gt;" in html
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert 'id="error_1_id_name"' in html
    assert 'class="textinput form-control is-invalid"' in html


def test_forms_with_check_boxes_radios_or_files_go_through_crispy_unchanged():
    class Special(forms.Form):
        agree = forms.BooleanField(label="Einverstanden")
        choice = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)
        upload = forms.FileField()

    for field in ("agree", "choice", "upload"):
        form = Special()
        form.fields = {field: form.fields[field]}
        assert not form_markup.supports(form)
        assert rendered(PORTAL, form) == rendered(CRISPY, form)
    assert form_markup.supports(section_form_class(SECTIONS[0])(instance=Application()))


def test_a_field_with_a_hidden_initial_input_goes_through_crispy():
    class Remembering(forms.Form):
        name = forms.CharField(show_hidden_initial=True)

    assert not form_markup.supports(Remembering())
    html = rendered(PORTAL, Remembering(initial={"name": "alt"}))
    assert html == rendered(CRISPY, Remembering(initial={"name": "alt"}))
    assert 'name="initial-name"' in html
