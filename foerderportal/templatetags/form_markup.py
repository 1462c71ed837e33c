"""``{% load form_markup %}``: ``{{ form|bootstrap_fields }}`` writes what ``{{ form|crispy }}`` writes,
without crispy's template per field (``foerderportal/form_markup.py``); a form with a check box,
radio buttons or a file goes through crispy as before."""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import template

from foerderportal import form_markup

register = template.Library()


@register.filter
def bootstrap_fields(form):
    return form_markup.form_fields(form) if form_markup.supports(form) else as_crispy_form(form)


@register.filter
def checkbox(field, spacing=""):
    """``{{ form.field|checkbox:"mb-2" }}``: one check box in Bootstrap's form-check markup."""
    return form_markup.checkbox_markup(field, spacing)
