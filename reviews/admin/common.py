"""Helpers of the review admin pages: number formatting for long tables, decision messages."""

from decimal import ROUND_HALF_UP, Decimal

from django.template.response import TemplateResponse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import is_academy
from applications.forms import SECTIONS
from applications.models import Application
from applications.selectors import confirmed_member_emails, confirmed_member_emails_by_organisation
from foerderportal.admin import CONFIRMATION_FIELD
from foerderportal.formatting import display_value, euro, german_decimal
from reviews.models import Decision
from reviews.services import decision_refusal


def two_places(value):
    """A mean score as text with two decimals in the active locale ("66,67"); None stays None."""
    if value is None:
        return None
    return number_format(Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP), 2)


def decimal_formatter():
    """A fast formatter for long tables: two decimals, grouped, German ("40.000,00"); None stays None."""
    return german_decimal


def choice_labels(choices):
    """{value: label} with the labels translated once (``get_FOO_display`` re-translates every call)."""
    return {value: str(label) for value, label in choices}


RESULTING_STATUS = {
    Decision.Kind.AWARD: Application.Status.AWARDED,
    Decision.Kind.REJECT: Application.Status.REJECTED,
    Decision.Kind.WAITLIST: Application.Status.WAITLISTED,
}


def decision_message(decision):
    """What happened to a decision just taken: applied, or waiting for the second person."""
    if decision.status == Decision.Status.PROPOSED:
        return _(
            "„%(kind)s“ für %(application)s ist vorgeschlagen. Vier-Augen-Prinzip: Eine andere Person "
            "muss die Entscheidung unter „Entscheidungen“ freigeben."
        ) % {"kind": decision.get_kind_display(), "application": decision.application}
    status = RESULTING_STATUS[decision.kind]
    return _("„%(kind)s“ für %(application)s ist freigegeben; der Antrag hat jetzt den Status „%(status)s“.") % {
        "kind": decision.get_kind_display(),
        "application": decision.application,
        "status": status.label,
    }


def application_sections(application):
    """The application's content, section by section, for read-only display."""
    sections = []
    for section in SECTIONS:
        values = []
        for name in section.fields:
            field = application._meta.get_field(name)
            display = getattr(application, f"get_{name}_display", None)
            value = display() if display and getattr(application, name) else getattr(application, name)
            values.append((field.verbose_name, display_value(value) if value not in ("", None) else None))
        sections.append({"title": section.title, "values": values})
    return sections


# The query parameters Django's own list filters (field, related and choices filters) use.
FILTER_PARAM_SUFFIXES = ("", "__exact", "__isnull", "__id__exact")


class ReviewerLookupsMixin:
    """A reviewer filters a changelist only through its list filters.

    Django allows lookups on local fields and annotations by default, so ``?mean_score__lt=60``
    would filter by other reviewers' scores without any column showing them. For anyone but the
    academy, every other query parameter is refused (``DisallowedModelAdminLookup``: HTTP 400).
    """

    def reviewer_filter_params(self, request):
        return {
            f"{name}{suffix}"
            for name in self.get_list_filter(request)
            if isinstance(name, str)
            for suffix in FILTER_PARAM_SUFFIXES
        }

    def lookup_allowed(self, lookup, value, request):
        if is_academy(request):
            return super().lookup_allowed(lookup, value, request)
        return lookup in self.reviewer_filter_params(request)


# --- confirmation pages: every decision that can reach an applicant is confirmed first ---------

LETTER_TITLES = {
    Decision.Kind.AWARD: gettext_lazy("Bescheid – Aufnahme in die Prozessbegleitung"),
    Decision.Kind.REJECT: gettext_lazy("Bescheid – Ablehnung"),
    Decision.Kind.WAITLIST: gettext_lazy("Mitteilung: Aufnahme in die Nachrückliste"),
}


def confirmation_row(application, kind, *, amount=None, reasons="", releasing=False, now=None, recipients=None):
    """What a decision will do to one application, for the confirmation page.

    ``releasing``: the release of a proposal (it reaches the applicant). Otherwise the round's
    four-eyes rule decides whether the decision is only proposed (nothing reaches the applicant yet).
    ``recipients``: the organisation's addresses when the caller fetched them for many rows at once
    (``recipients_by_organisation``); otherwise one query for this row.
    """
    funding_round = application.funding_round
    if kind == Decision.Kind.AWARD and amount is None:
        amount = funding_round.max_per_package
    refusal = decision_refusal(application=application, kind=kind, amount=amount, reasons=reasons, now=now)
    return {
        "organisation": application.organisation.name,
        "reference": application.reference_number or "–",
        "status": application.get_status_display(),
        "kind": Decision.Kind(kind).label,
        "amount": euro(amount) if kind == Decision.Kind.AWARD else None,
        "reasons": reasons if kind == Decision.Kind.REJECT else "",
        "letter": LETTER_TITLES[kind],
        "recipients": confirmed_member_emails(application.organisation_id) if recipients is None else recipients,
        "reaches_applicant": releasing or not funding_round.four_eyes,
        "refusal": refusal,
    }


def recipients_by_organisation(applications):
    """The recipients of every row of a bulk confirmation page in one query: {organisation id: addresses}."""
    return confirmed_member_emails_by_organisation(a.organisation_id for a in applications)


def action_page_context(modeladmin, request, title):
    """The context every intermediate page of the review admin needs (and the admin site as current app)."""
    opts = modeladmin.model._meta
    request.current_app = modeladmin.admin_site.name
    return {**modeladmin.admin_site.each_context(request), "title": title, "opts": opts, "app_label": opts.app_label}


def render_confirmation(modeladmin, request, *, title, rows, hidden, token, back_url):
    """The confirmation page: what will happen, to whom, which letter and e-mail go out.

    ``hidden``: (name, value) pairs re-posted with the token (the action, the selected ids, the input).
    """
    context = {
        **action_page_context(modeladmin, request, title),
        "rows": rows,
        "reaches_applicant": any(row["reaches_applicant"] for row in rows),
        "hidden": hidden,
        "token": token,
        "confirmation_field": CONFIRMATION_FIELD,
        "back_url": back_url,
        "has_view_permission": True,
    }
    return TemplateResponse(request, "admin/reviews/confirm_decision.html", context)
