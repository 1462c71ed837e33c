"""Applicant views: thin; rules live in services, reads in selectors.

Every object is looked up through a selector scoped to the user's confirmed
memberships, so another organisation's object answers 404.
"""

import functools
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import NotificationConsentForm
from accounts.limits import allow_mail, allow_requests
from accounts.services import give_notification_consent
from foerderportal import caching
from foerderportal.files import file_response
from foerderportal.formatting import format_deadline

from . import selectors, services
from .forms import (
    SECTIONS,
    SECTIONS_BY_SLUG,
    AttachmentForm,
    JoinOrganisationForm,
    RegistrationForm,
    SubmitForm,
    WithdrawForm,
    section_form_class,
)
from .models import Application, Attachment, FundingRound, Membership


def home(request):
    now = timezone.now()
    return render(
        request,
        "applications/home.html",
        {
            "rounds": selectors.open_rounds(now),
            "participants": selectors.participating_organisations(),
            "now": now,
        },
    )


@login_required
def dashboard(request):
    now = timezone.now()
    selectors.read_dashboard_ahead(request.user)
    memberships = list(selectors.memberships_of(request.user))
    confirmed = [m.organisation for m in memberships if m.status == Membership.Status.CONFIRMED]
    applications = list(selectors.dashboard_applications(request.user))
    started = {(a.funding_round_id, a.organisation_id) for a in applications}
    rounds = [
        {
            "round": funding_round,
            "days_left": funding_round.days_left(now),
            "organisations": [
                org for org in confirmed if (funding_round.pk, org.pk) not in started and funding_round.is_eligible(org)
            ],
        }
        for funding_round in selectors.open_rounds(now)
    ]
    term = request.GET.get("organisation_search", "")
    if term:  # a search without JavaScript: the hits as radio buttons
        join_form = JoinOrganisationForm(initial={"organisation_search": term})
        join = _organisation_search_context(join_form, searched=True, join_form=join_form)
    else:
        join = {"blank_join_search": _blank_join_search(get_language(), *caching.address_context())}
    return render(
        request,
        "applications/dashboard.html",
        {
            **join,
            "memberships": memberships,
            "applications": applications,
            "rounds": rounds,
            # The dashboard only says how many requests wait (the members page lists them).
            "pending_count": sum(m.waiting for m in memberships if m.status == Membership.Status.CONFIRMED),
        },
    )


@login_required
@require_POST
def join_organisation(request):
    form = JoinOrganisationForm(request.POST)
    if JoinOrganisationForm.SEARCH_BUTTON in request.POST:  # no JavaScript: the dashboard shows the hits
        query = urlencode({"organisation_search": request.POST.get("organisation_search", "")})
        return redirect(f"{reverse('applications:dashboard')}?{query}#beitreten")
    if form.is_valid():
        try:
            services.request_membership(user=request.user, organisation=form.cleaned_data["organisation"])
        except services.ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Ihre Anfrage wurde gesendet. Sobald sie bestätigt ist, können Sie für %(org)s Anträge stellen.")
                % {"org": form.cleaned_data["organisation"].name},
            )
    else:
        messages.error(request, _("Bitte wählen Sie eine Organisation aus der Liste."))
    return redirect("applications:dashboard")


@login_required
def members(request):
    return render(
        request,
        "applications/members.html",
        {"pending": selectors.pending_memberships_for(request.user)},
    )


@login_required
@require_POST
def decide_membership(request, pk, decision):
    if decision not in ("confirm", "reject"):
        raise Http404
    membership = get_object_or_404(selectors.pending_memberships_for(request.user), pk=pk)
    try:
        if decision == "confirm":
            services.confirm_membership(membership=membership, by=request.user)
            messages.success(request, _("%(user)s ist jetzt bestätigtes Mitglied.") % {"user": membership.user})
        else:
            services.reject_membership(membership=membership, by=request.user)
            messages.success(request, _("Die Anfrage von %(user)s wurde abgelehnt.") % {"user": membership.user})
    except services.ApplicationError as error:
        messages.error(request, error.message)
    return redirect("applications:members")


@login_required
@require_POST
def start_application(request, round_pk, organisation_pk):
    funding_round = get_object_or_404(FundingRound, pk=round_pk)
    organisation = get_object_or_404(selectors.confirmed_organisations(request.user), pk=organisation_pk)
    try:
        application = services.start_application(
            funding_round=funding_round, organisation=organisation, user=request.user
        )
    except services.ApplicationError as error:
        messages.error(request, error.message)
        return redirect("applications:dashboard")
    return redirect("applications:section", pk=application.pk, section=SECTIONS[0].slug)


def _found(application):
    """A page's application, or "not found": another organisation's looks the same as none."""
    if application is None:
        raise Http404
    return application


def _application_for(request, pk):
    return _found(selectors.application_of(request.user, pk))


def _application_page_for(request, pk):
    """For the pages that show the checklist or the attachments: with the attachments."""
    return _found(selectors.application_with_attachments(request.user, pk))


def _navigation(application, items=None):
    """The sections with whether each is complete; the page says which step is current (section_nav)."""
    items = services.checklist(application) if items is None else items
    return [
        {"slug": s.slug, "title": s.title, "done": all(i.done for i in items if i.section == s.slug)} for s in SECTIONS
    ]


@login_required
def overview(request, pk):
    application = _application_page_for(request, pk)
    items = services.checklist(application)
    return render(
        request,
        "applications/overview.html",
        {
            "application": application,
            "checklist": items,
            "missing": [i for i in items if not i.done],
            "sections": [
                {"section": s, "values": [(label, _display(application, f)) for f, label in _labels(s)]}
                for s in SECTIONS
            ],
            "navigation": _navigation(application, items),
            "reopened_sections": [SECTIONS_BY_SLUG[slug] for slug in application.reopened_sections],
            "accepts": application.funding_round.accepts_submissions_at(timezone.now()),
            "deadline_text": format_deadline(application.funding_round.deadline),
            "consent_form": None if request.user.has_notification_consent else NotificationConsentForm(),
            "submit_form": SubmitForm(organisation=application.organisation),
            "withdraw_form": WithdrawForm(),
        },
    )


def _labels(section):
    """A section's fields with their labels as the overview prints them (first letter capital), in
    the request's language."""
    return _translated_labels(section, get_language())


@functools.cache
def _translated_labels(section, language):
    # Translated once per section and language: the overview is opened on every step of deadline day.
    with override(language):
        return [(name, str(capfirst(Application._meta.get_field(name).verbose_name))) for name in section.fields]


def _display(application, field):
    display = getattr(application, f"get_{field}_display", None)
    value = display() if display else getattr(application, field)
    return value if value not in (None, "") else None


@login_required
def section(request, pk, section):
    # The checklist of the navigation needs only whether the resolution is attached (no attachment rows).
    application = _found(selectors.application_with_resolution_flag(request.user, pk))
    current = SECTIONS_BY_SLUG.get(section)
    if current is None:
        raise Http404
    if not application.may_edit_section(current.slug):
        if application.is_reopened:
            messages.error(request, _("Dieser Abschnitt ist nicht zur Änderung freigegeben."))
        return redirect("applications:overview", pk=application.pk)
    form_class = section_form_class(current)
    if request.method == "POST":
        form = form_class(request.POST, instance=Application.objects.get(pk=application.pk))
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in current.fields}
            try:
                services.update_application(application=application, user=request.user, data=data)
            except services.ApplicationError as error:
                messages.error(request, error.message)
                return redirect("applications:overview", pk=application.pk)
            messages.success(
                request, _("Änderung gespeichert.") if application.is_reopened else _("Entwurf gespeichert.")
            )
            if application.is_reopened:
                return redirect("applications:overview", pk=application.pk)
            if "next" in request.POST:
                index = SECTIONS.index(current)
                if index + 1 < len(SECTIONS):
                    return redirect("applications:section", pk=application.pk, section=SECTIONS[index + 1].slug)
                return redirect("applications:attachments", pk=application.pk)
            return redirect("applications:section", pk=application.pk, section=current.slug)
        # Keep what is valid: a typo in one field must not cost the applicant the rest.
        valid = {name: form.cleaned_data[name] for name in current.fields if name in form.cleaned_data}
        if valid:
            try:
                services.update_application(application=application, user=request.user, data=valid)
            except services.ApplicationError as error:
                messages.error(request, error.message)
        messages.error(
            request,
            _("Bitte prüfen Sie die markierten Angaben. Alle übrigen Angaben sind als Entwurf gespeichert."),
        )
    else:
        form = form_class(instance=application)
    return render(
        request,
        "applications/section.html",
        {
            "application": application,
            "section": current,
            "form": form,
            "navigation": _navigation(application),
        },
    )


@login_required
def attachments(request, pk):
    application = _application_page_for(request, pk)
    kinds = [
        (value, label) for value, label in Attachment.Kind.choices if application.may_change_attachment_kind(value)
    ]
    form = AttachmentForm(kinds=kinds)
    if request.method == "POST":
        if not application.may_change_attachments:
            messages.error(request, _("Der Antrag ist eingereicht und kann nicht mehr geändert werden."))
            return redirect("applications:overview", pk=application.pk)
        form = AttachmentForm(request.POST, request.FILES, kinds=kinds)
        if form.is_valid():
            try:
                attachment = services.add_attachment(
                    application=application,
                    user=request.user,
                    uploaded_file=form.cleaned_data["file"],
                    kind=form.cleaned_data["kind"],
                )
            except ValidationError as error:
                form.add_error("file", error)
            except services.ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request, _("Die Anlage „%(name)s“ wurde gespeichert.") % {"name": attachment.original_name}
                )
                return redirect("applications:attachments", pk=application.pk)
    return render(
        request,
        "applications/attachments.html",
        {
            "application": application,
            "form": form,
            "attachments": application.attachments.all(),
            "changeable_kinds": [value for value, _label in kinds],
            "navigation": _navigation(application),
        },
    )


@login_required
@require_POST
def remove_attachment(request, pk, attachment_pk):
    application = _application_for(request, pk)
    attachment = get_object_or_404(application.attachments, pk=attachment_pk)
    try:
        services.remove_attachment(attachment=attachment, user=request.user)
    except services.ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Die Anlage „%(name)s“ wurde entfernt.") % {"name": attachment.original_name})
    return redirect("applications:attachments", pk=application.pk)


@login_required
def download_attachment(request, pk, attachment_pk):
    application = _application_for(request, pk)
    attachment = get_object_or_404(application.attachments, pk=attachment_pk)
    return file_response(attachment.file, filename=attachment.original_name, content_type=attachment.content_type)


@login_required
@require_POST
def submit(request, pk):
    application = _application_for(request, pk)
    consent = NotificationConsentForm(request.POST)
    if consent.is_valid() and consent.cleaned_data["notification_consent"]:
        give_notification_consent(user=request.user)
    declared = SubmitForm(request.POST, organisation=application.organisation).is_valid()
    try:
        # The service checks deadline, completeness and then the declaration, and says what is missing.
        application = services.submit_application(application=application, user=request.user, declared=declared)
    except services.ApplicationError as error:
        messages.error(request, error.message)
        return redirect("applications:overview", pk=application.pk)
    messages.success(
        request,
        _("Ihr Antrag ist eingegangen. Aktenzeichen: %(ref)s. Eine Eingangsbestätigung wurde per E-Mail versandt.")
        % {"ref": application.reference_number},
    )
    return redirect("applications:receipt", pk=application.pk)


@login_required
@require_POST
def withdraw(request, pk):
    application = _application_for(request, pk)
    if not WithdrawForm(request.POST).is_valid():
        messages.error(request, _("Bitte bestätigen Sie, dass Sie den Antrag zurückziehen möchten."))
        return redirect("applications:overview", pk=application.pk)
    try:
        services.withdraw_application(application=application, user=request.user)
    except services.ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Der Antrag wurde zurückgezogen."))
    return redirect("applications:overview", pk=application.pk)


@login_required
def receipt(request, pk):
    application = _found(selectors.application_with_documents(request.user, pk))
    if not application.submitted_at:
        raise Http404
    return render(
        request,
        "applications/receipt.html",
        {"application": application, "attachments": application.attachments.all()},
    )


def register(request):
    """Registration of municipal staff: an account and a request to join an organisation."""
    if request.user.is_authenticated:
        return redirect("applications:dashboard")
    searching = RegistrationForm.SEARCH_BUTTON in request.POST
    if searching:  # no JavaScript: "Suchen" shows the hits and keeps what was typed (not the passwords)
        form = RegistrationForm(initial=request.POST.dict())
    else:
        form = RegistrationForm(request.POST or None)
    if request.method == "POST" and not searching and form.is_valid():
        data = form.cleaned_data
        # New address, known address or over the mail limit: the same page (nothing to enumerate).
        if not allow_mail(request, kind="register", address=data["email"]):
            return render(request, "accounts/register_done.html", {"email": data["email"]})
        services.register_applicant(
            email=data["email"],
            password=data["password1"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            job_title=data["job_title"],
            phone=data["phone"],
            organisation=data["organisation"],
            notification_consent=data["notification_consent"],
        )
        return render(request, "accounts/register_done.html", {"email": data["email"]})
    return render(request, "accounts/register.html", _organisation_search_context(form, searched=searching))


@functools.lru_cache(maxsize=8)
def _blank_join_search(language, *address_context):
    """The dashboard's organisation search before anything is typed: the same for every member (no
    value, no hits, no token), so it is rendered once per language and address prefix."""
    with override(language):
        context = _organisation_search_context(JoinOrganisationForm(), searched=False)
        return render_to_string("applications/_organisation_search.html", context)


def _organisation_search_context(form, *, searched, **context):
    hits, chosen = form.organisation_choices()
    return {"form": form, "hits": hits, "chosen": chosen, "searched": searched, **context}


@require_GET
def organisation_search(request):
    """The organisation search as JSON for the combobox: public data of at most 20 active organisations.

    Limited per client (one request per keystroke is plenty; a scraper gets 429 in German)."""
    if not allow_requests(request, kind="organisation-search", limit=settings.ORGANISATION_SEARCH_PER_MINUTE):
        return JsonResponse({"error": _("Zu viele Suchanfragen. Bitte warten Sie einen Moment.")}, status=429)
    hits = selectors.search_organisations(request.GET.get("q", ""), limit=selectors.SEARCH_LIMIT)
    results = [
        {
            "id": organisation.pk,
            "name": organisation.name,
            "kind": organisation.get_kind_display(),
            "county": organisation.county,
            "key": organisation.key or "",
            "label": organisation.choice_label,
        }
        for organisation in hits
    ]
    return JsonResponse({"results": results})
