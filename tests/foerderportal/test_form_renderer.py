"""The form renderer writes Django's plain widget templates in Python: the output must be Django's,
character for character, for every widget and state (foerderportal/form_renderer.py)."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.contrib import admin
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.test import RequestFactory
from django.utils.safestring import mark_safe

from applications.forms import SECTIONS, JoinOrganisationForm, SubmitForm, section_form_class
from applications.models import Application, Organisation
from foerderportal.form_renderer import WRITERS, FormRenderer

DJANGO = DjangoTemplates()
TRICKY = "<script>alert(\"x\")</script> & 'quotes' – Ümlaut"


def both(widget, name, value, attrs=None):
    """The widget rendered by Django's templates and by the portal's renderer."""
    return (
        widget.render(name, value, attrs=attrs, renderer=DJANGO),
        widget.render(name, value, attrs=attrs, renderer=FormRenderer()),
    )


WIDGET_CASES = [
    (forms.TextInput(), None),
    (forms.TextInput(), ""),
    (forms.TextInput(), TRICKY),
    (forms.TextInput(attrs={"class": "a b", "required": True, "disabled": False, "maxlength": 200}), "x"),
    (forms.TextInput(attrs={"data-safe": mark_safe("<b>ok</b>")}), mark_safe("<i>safe</i>")),
    (forms.TextInput(), ("a", "b")),
    (forms.EmailInput(), "a@example.org"),
    (forms.NumberInput(attrs={"step": "0.1", "min": 0, "max": Decimal("400")}), Decimal("12.5")),
    (forms.NumberInput(), 0),
    (forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), datetime.date(2020, 3, 6)),
    (forms.DateInput(), datetime.date(2020, 3, 6)),
    (forms.DateTimeInput(), datetime.datetime(2020, 3, 6, 23, 59, tzinfo=datetime.UTC)),
    (forms.URLInput(), "https://example.org/?a=1&b=2"),
    (forms.PasswordInput(), "secret"),
    (forms.PasswordInput(render_value=True), "secret"),
    (forms.HiddenInput(), 42),
    (forms.CheckboxInput(), True),
    (forms.CheckboxInput(), False),
    (forms.CheckboxInput(), None),
    (forms.FileInput(), None),
    (forms.Textarea(), None),
    (forms.Textarea(), ""),
    (forms.Textarea(attrs={"rows": 3}), TRICKY + "\n\nzweite Zeile\n"),
    (forms.Select(choices=[("", "---------"), ("a", "A & B"), (1, 1), (Decimal("1.5"), Decimal("1.5"))]), "a"),
    (forms.Select(choices=[("", "---------"), ("a", "A")]), None),
    (
        forms.Select(choices=[("Gruppe <1>", [("x", "X"), ("y", TRICKY)]), ("z", "Z"), (None, "leer")]),
        "y",
    ),
    (forms.SelectMultiple(choices=[("a", "A"), ("b", "B"), ("c", "C")]), ["a", "c"]),
    (forms.NullBooleanSelect(), True),
    # Templates call callables: such a context is left to the template.
    (forms.TextInput(attrs={"data-x": lambda: "aufgerufen"}), "x"),
    (forms.Select(choices=[("a", lambda: "aufgerufen")]), "a"),
]


@pytest.mark.parametrize(("widget", "value"), WIDGET_CASES, ids=lambda case: type(case).__name__)
def test_every_plain_widget_is_written_as_djangos_templates_write_it(widget, value):
    django, portal = both(widget, "feld", value, attrs={"id": "id_feld", "aria-describedby": "id_feld_helptext"})
    assert portal == django


def test_the_writers_cover_the_templates_the_portal_renders_most():
    assert {
        "django/forms/widgets/input.html",
        "django/forms/widgets/text.html",
        "django/forms/widgets/email.html",
        "django/forms/widgets/number.html",
        "django/forms/widgets/date.html",
        "django/forms/widgets/checkbox.html",
        "django/forms/widgets/textarea.html",
        "django/forms/widgets/select.html",
    } <= set(WRITERS)


def test_it_is_the_portals_renderer_and_it_writes_without_a_template(monkeypatch):
    renderer = get_default_renderer()
    assert isinstance(renderer, FormRenderer)
    renderer.render("django/forms/widgets/text.html", {"widget": forms.TextInput().get_context("a", "b", {})["widget"]})

    def no_template(*args, **kwargs):
        raise AssertionError("a template was loaded")

    monkeypatch.setattr(renderer, "get_template", no_template)
    html = forms.TextInput().render("a", "b", renderer=renderer)
    assert html == '<input type="text" name="a" value="b">'


def test_a_widget_with_its_own_template_or_context_is_left_to_the_template():
    clearable = forms.ClearableFileInput()
    django, portal = both(clearable, "datei", None)
    assert portal == django
    date_parts = forms.SelectDateWidget(years=[2020])
    django, portal = both(date_parts, "datum", datetime.date(2020, 3, 6))
    assert portal == django


def _pairs(form):
    """Each field of ``form`` rendered with Django's templates and with the portal's renderer."""
    for field in form:
        form.renderer = DJANGO
        django = str(field)
        form.renderer = FormRenderer()
        yield field.name, django, str(field)


@pytest.mark.django_db
@pytest.mark.parametrize("section", SECTIONS, ids=lambda section: section.slug)
def test_the_section_forms_render_as_before_empty_filled_and_invalid(section):
    form_class = section_form_class(section)
    empty = form_class(instance=Application())
    data = dict.fromkeys(section.fields, TRICKY)
    invalid = form_class(data, instance=Application())
    invalid.is_valid()
    for form in (empty, invalid):
        for name, django, portal in _pairs(form):
            assert portal == django, name


@pytest.mark.django_db
def test_the_applicant_pages_other_forms_render_as_before():
    for form in (
        JoinOrganisationForm(initial={"organisation_search": TRICKY}),
        SubmitForm(organisation=Organisation(name=TRICKY)),
    ):
        for name, django, portal in _pairs(form):
            assert portal == django, name


@pytest.mark.django_db
def test_every_admin_form_renders_as_before(admin_user):
    request = RequestFactory().get("/verwaltung/")
    request.user = admin_user
    checked = 0
    for model_admin in admin.site._registry.values():
        form = model_admin.get_form(request)()
        for name, django, portal in _pairs(form):
            assert portal == django, f"{type(model_admin).__name__}.{name}"
            checked += 1
    assert checked > 100
