"""The form renderer: Django's own, with its plainest widget templates written in Python.

Every input, text area and select of every form is rendered through a template of Django's
(``django/forms/widgets/input.html`` and ``attrs.html``, about 0.1 ms each); a section page of
the application renders up to nine of them on every request. For the templates below, this
renderer writes the identical string from the same widget context, with Django's own escaping,
localisation and filters; ``tests/foerderportal/test_form_renderer.py`` proves the output equal,
character for character, for every widget type and state the portal uses. Django's template
renderer reads its own folder before any app's, so these templates cannot be overridden under it;
a widget context that a template would treat in a way not written here (a callable value, which
templates call) is rendered by the template.
"""

from pathlib import Path
from types import SimpleNamespace

from django import forms
from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.utils.safestring import SafeData, mark_safe

WIDGETS = "django/forms/widgets/"
INPUT = WIDGETS + "input.html"
DJANGO_FORM_TEMPLATES = Path(forms.__file__).resolve().parent / "templates"
# What a template context of the form renderer is for rendering a value (escaping on, settings'
# time zone and localisation): Django's own ``render_value_in_context`` reads these three.
CONTEXT = SimpleNamespace(autoescape=True, use_tz=None, use_l10n=None)


def render_value(value):
    """``{{ value }}``: a value as a template writes it (localised, escaped unless safe)."""
    return render_value_in_context(value, CONTEXT)


def _stringformat(value):
    """``{{ value|stringformat:'s' }}`` (the filter keeps safe text safe)."""
    text = str(value) if isinstance(value, tuple) else value
    try:
        text = "%s" % text  # noqa: UP031 - exactly the filter's formatting
    except (ValueError, TypeError):
        text = ""
    return render_value(mark_safe(text) if isinstance(value, SafeData) else text)


def _attrs(attrs):
    """``django/forms/widgets/attrs.html``."""
    parts = []
    for name, value in attrs.items():
        if value is not False:
            name = render_value(name)
            parts.append(f" {name}" if value is True else f' {name}="{_stringformat(value)}"')
    return "".join(parts)


def _input(widget):
    value = f' value="{_stringformat(widget["value"])}"' if widget["value"] is not None else ""
    kind, name = render_value(widget["type"]), render_value(widget["name"])
    return f'<input type="{kind}" name="{name}"{value}{_attrs(widget["attrs"])}>'


def _textarea(widget):
    value = render_value(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{render_value(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _select(widget):
    parts = [f'<select name="{render_value(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{render_value(group_name)}">')
        for option in group_choices:
            parts.append(
                f'\n  <option value="{_stringformat(option["value"])}"{_attrs(option["attrs"])}>'
                f"{render_value(option['label'])}</option>\n"  # the option template's own line end
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _templates_that_include_input():
    """Django's widget templates that are nothing but ``{% include "…/input.html" %}``."""
    folder = DJANGO_FORM_TEMPLATES / WIDGETS
    include = '{% include "django/forms/widgets/input.html" %}'
    return {WIDGETS + path.name for path in folder.glob("*.html") if path.read_text().strip() == include}


WRITERS = {INPUT: _input, WIDGETS + "textarea.html": _textarea, WIDGETS + "select.html": _select}
WRITERS.update(dict.fromkeys(_templates_that_include_input(), _input))


def _written_like_the_template(widget):
    """Whether nothing in the context is callable (a template would call it) and, for a select,
    every option uses Django's option template."""
    values = [widget["value"], *widget["attrs"].values()]
    for _name, choices, _index in widget.get("optgroups", ()):
        for option in choices:
            if option["template_name"] != WIDGETS + "select_option.html":
                return False
            values.extend((option["value"], option["label"], *option["attrs"].values()))
    return not any(callable(value) for value in values)


class FormRenderer(DjangoTemplates):
    """``FORM_RENDERER``: Django's template renderer, the plain widgets written in Python."""

    def render(self, template_name, context, request=None):
        write = WRITERS.get(template_name)
        widget = context.get("widget") if write is not None and len(context) == 1 else None
        if widget is not None and _written_like_the_template(widget):
            return write(widget)
        return super().render(template_name, context, request)
