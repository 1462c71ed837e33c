"""Bootstrap 5 markup for a form's fields, written in Python for the pages that are asked most.

crispy-forms renders each field through a template of some fifty tags (``bootstrap5/field.html``
and its includes): on an application's section page that is a quarter of the request's time, on
deadline day the busiest page of the portal. ``form_fields(form)`` writes the same markup crispy
writes for a plain form (``{{ form|crispy }}`` without a layout): the same wrapper, label, widget
classes, error and help-text elements and ids, and the widget's own ``aria-invalid`` and
``aria-describedby`` from Django, so assistive technology and the tests see no difference.
Widgets crispy treats specially (check boxes, radio buttons, files, multi-widgets) are left to
crispy: ``supports(form)`` says whether a form can take this path.
"""

from django import forms
from django.forms import widgets
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe

# Widgets written here; any other (check box, radio, file, multi-widget) goes through crispy.
PLAIN_WIDGETS = (widgets.Input, widgets.Textarea, widgets.Select)
SPECIAL_WIDGETS = (
    forms.CheckboxInput,
    forms.FileInput,
    forms.RadioSelect,
    forms.CheckboxSelectMultiple,
    forms.MultiWidget,
    forms.HiddenInput,
)


def supports(form):
    """Whether every visible field of ``form`` has a plain widget (input, text area, select) and
    none renders a second, hidden input with its initial value (``show_hidden_initial``)."""
    return all(_plain(field.field.widget) and not field.field.show_hidden_initial for field in form.visible_fields())


def _plain(widget):
    return isinstance(widget, PLAIN_WIDGETS) and not isinstance(widget, SPECIAL_WIDGETS)


def _widget_class(field):
    """crispy's classes: the widget's own, its class name in lower case, Bootstrap's control class."""
    widget = field.field.widget
    own = widget.attrs.get("class", "")
    name = type(widget).__name__.lower()
    classes = own.split()
    if name not in own:
        classes.append(name)
    classes.append("form-select" if isinstance(widget, forms.Select) else "form-control")
    if field.errors:
        classes.append("is-invalid")
    return " ".join(dict.fromkeys(classes))


def field_markup(field):
    """One visible field: label, widget, errors, help text, in crispy's Bootstrap 5 markup."""
    required = field.field.required
    label = ""
    if field.label:
        label = format_html(
            '<label{} class="form-label{}">{}{}</label>',
            flatatt({"for": field.id_for_label}) if field.id_for_label else "",
            " requiredField" if required else "",
            field.label,
            mark_safe('<span class="asteriskField">*</span>') if required else "",
        )
    errors = ""
    if field.errors:
        errors = format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            field.errors.field_id,
            format_html_join(
                "",
                '<p id="error_{}_{}"><strong>{}</strong></p>',
                ((number, field.auto_id, error) for number, error in enumerate(field.errors, start=1)),
            ),
        )
    help_text = ""
    if field.help_text:
        # Help texts are the developers' own and may carry markup, as crispy and Django treat them.
        help_text = format_html(
            '<div{} class="form-text">{}</div>',
            flatatt({"id": f"{field.auto_id}_helptext"}) if field.auto_id else "",
            mark_safe(field.help_text),  # noqa: S308 - developer-written text, rendered unescaped by Django too
        )
    css_classes = field.css_classes()
    css = f" {css_classes}" if css_classes else ""
    return format_html(
        '<div id="div_{}" class="mb-3{}">{}{}{}{}</div>',
        field.auto_id,
        css,
        label,
        field.as_widget(attrs={"class": _widget_class(field)}),
        errors,
        help_text,
    )


def form_fields(form):
    """The whole form as crispy's ``{{ form|crispy }}`` writes it: the form's own errors, then
    each field in order (a hidden one as its input alone)."""
    parts = []
    non_field = form.non_field_errors()
    if non_field:
        parts.append(
            format_html(
                '<div class="alert alert-block alert-danger"><ul class="m-0">{}</ul></div>',
                format_html_join("", "<li>{}</li>", ((error,) for error in non_field)),
            )
        )
    parts.extend(conditional_escape(field) if field.is_hidden else field_markup(field) for field in form)
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


def checkbox_markup(field, spacing=""):
    """One check box of a form written out as the applicant pages show it (Bootstrap's form-check):
    the label, the help text tied to it, ``required`` from the field; ``spacing``: extra classes."""
    auto_id = field.auto_id
    help_text = field.help_text
    return format_html(
        '<div class="form-check{}"><input type="checkbox" class="form-check-input" name="{}" id="{}"{}{}{}>'
        '<label class="form-check-label" for="{}">{}</label>{}</div>',
        f" {spacing}" if spacing else "",
        field.html_name,
        auto_id,
        format_html(' aria-describedby="{}_helptext"', auto_id) if help_text else "",
        mark_safe(" checked") if field.value() else "",
        mark_safe(" required") if field.field.required else "",
        auto_id,
        field.label,
        format_html('<div id="{}_helptext" class="form-text">{}</div>', auto_id, help_text) if help_text else "",
    )
