"""Facilitation pages under /prozessbegleitung/: thin; rules live in services, reads in selectors.

Every object is looked up through a user-scoped selector; what a role may not do answers 404,
so nothing tells a moderator or a municipality that someone else's facilitation exists.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from foerderportal.exports import as_csv_response
from foerderportal.files import file_response
from foerderportal.formatting import euro

from . import exports, selectors, services
from .forms import MilestoneDoneForm, RegistrationForm, ReportDecisionForm, ReportForm, SessionForm
from .rules import is_facilitator_of, is_member_of_facilitated


def _staff(request):
    """``facilitation.see_overview`` (academy staff) once per request."""
    if not hasattr(request, "_facilitation_staff"):
        request._facilitation_staff = request.user.has_perm("facilitation.see_overview")
    return request._facilitation_staff


def _facilitation_for(request, pk):
    return get_object_or_404(selectors.facilitations_for_user(request.user), pk=pk)


def _loggable_facilitation(request, pk):
    """For moderators' and staff's writes: 404 for anyone else (municipal staff included)."""
    facilitation = _facilitation_for(request, pk)
    if not request.user.has_perm("facilitation.log_sessions", facilitation):
        raise Http404
    return facilitation


@login_required
def index(request):
    facilitations = selectors.with_budget(selectors.facilitations_for_user(request.user)).order_by(
        "application__funding_round__name", "application__organisation__name"
    )
    return render(
        request,
        "facilitation/index.html",
        {
            "facilitations": facilitations.prefetch_related(selectors.FACILITATORS_WITH_USERS),
            "meetings": selectors.meetings_for_user(request.user).order_by("-date"),
            "is_staff": _staff(request),
        },
    )


@login_required
def detail(request, pk):
    facilitation = _facilitation_for(request, pk)
    today = timezone.localdate()
    staff = _staff(request)
    moderator = is_facilitator_of(request.user, facilitation)
    budget = selectors.with_budget(type(facilitation).objects.filter(pk=facilitation.pk)).get()
    return render(
        request,
        "facilitation/detail.html",
        {
            "facilitation": facilitation,
            "budget": budget,
            "milestones": selectors.plan(facilitation),
            "sessions": selectors.sessions(facilitation),
            "reports": selectors.reports(facilitation),
            "meeting": selectors.meetings_for_user(request.user)
            .filter(funding_round_id=facilitation.application.funding_round_id)
            .first(),
            "facilitators": facilitation.facilitators.select_related("user"),
            "today": today,
            "is_staff": staff,
            "show_notes": staff or moderator,
            "can_log": facilitation.is_active and request.user.has_perm("facilitation.log_sessions", facilitation),
        },
    )


@login_required
def book_session(request, pk):
    facilitation = _loggable_facilitation(request, pk)
    choose = _staff(request)
    form = SessionForm(request.POST or None, facilitation=facilitation, choose_facilitator=choose)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.book_session(
                facilitation=facilitation,
                by=request.user,
                facilitator=data.get("facilitator"),
                date=data["date"],
                format=data["format"],
                duration=data["duration"],
                unit=data["unit"],
                travel_costs=data["travel_costs"] or 0,
                participants=data["participants"] or 0,
                notes=data["notes"],
            )
        except services.FacilitationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Einsatz am %(date)s gebucht: %(cost)s.")
                % {"date": session.date.strftime("%d.%m.%Y"), "cost": euro(session.cost)},
            )
            return redirect("facilitation:detail", pk=facilitation.pk)
    budget = selectors.with_budget(type(facilitation).objects.filter(pk=facilitation.pk)).get()
    return render(
        request, "facilitation/session_form.html", {"facilitation": facilitation, "form": form, "budget": budget}
    )


@login_required
@require_POST
def cancel_session(request, pk, session_pk):
    facilitation = _loggable_facilitation(request, pk)
    session = get_object_or_404(facilitation.sessions, pk=session_pk)
    try:
        services.cancel_session(session=session, by=request.user)
    except services.FacilitationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Der Einsatz wurde storniert; seine Kosten sind wieder frei."))
    return redirect("facilitation:detail", pk=facilitation.pk)


@login_required
@require_POST
def milestone(request, pk, milestone_pk, action):
    facilitation = _loggable_facilitation(request, pk)
    item = get_object_or_404(facilitation.milestones, pk=milestone_pk)
    form = MilestoneDoneForm(request.POST)
    try:
        if action == "erledigt":
            done_on = form.cleaned_data["done_on"] if form.is_valid() else None
            services.complete_milestone(milestone=item, by=request.user, done_on=done_on)
            messages.success(request, _("Meilenstein „%(title)s“ ist erledigt.") % {"title": item.title})
        elif action == "offen":
            services.reopen_milestone(milestone=item, by=request.user)
            messages.success(request, _("Meilenstein „%(title)s“ ist wieder offen.") % {"title": item.title})
        else:
            raise Http404
    except services.FacilitationError as error:
        messages.error(request, error.message)
    return redirect("facilitation:detail", pk=facilitation.pk)


def _report_for(request, pk, report_pk):
    facilitation = _facilitation_for(request, pk)
    return facilitation, get_object_or_404(facilitation.reports, pk=report_pk)


@login_required
def report(request, pk, report_pk):
    facilitation, item = _report_for(request, pk, report_pk)
    member = is_member_of_facilitated(request.user, facilitation)
    can_submit = member and item.is_outstanding and facilitation.status != facilitation.Status.CANCELLED
    form = ReportForm(initial={"text": item.text})
    if request.method == "POST":
        if not can_submit:
            raise Http404
        form = ReportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.submit_report(
                    report=item,
                    by=request.user,
                    text=form.cleaned_data["text"],
                    uploaded_file=form.cleaned_data["attachment"],
                )
            except ValidationError as error:
                form.add_error("attachment", error)
            except services.FacilitationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Der %(kind)s ist eingereicht.") % {"kind": item.get_kind_display()})
                return redirect("facilitation:report", pk=facilitation.pk, report_pk=item.pk)
    return render(
        request,
        "facilitation/report.html",
        {
            "facilitation": facilitation,
            "report": item,
            "form": form if can_submit else None,
            "decision_form": ReportDecisionForm() if _staff(request) and item.status == "submitted" else None,
            "overdue": item.is_overdue(timezone.localdate()),
        },
    )


@login_required
@require_POST
def decide_report(request, pk, report_pk):
    facilitation, item = _report_for(request, pk, report_pk)
    if not request.user.has_perm("facilitation.decide_report", item):
        raise Http404
    form = ReportDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte wählen Sie, ob Sie den Bericht annehmen oder zurückgeben."))
        return redirect("facilitation:report", pk=facilitation.pk, report_pk=item.pk)
    try:
        if form.cleaned_data["decision"] == ReportDecisionForm.ACCEPT:
            services.accept_report(report=item, by=request.user, comment=form.cleaned_data["comment"])
            messages.success(request, _("Der Bericht ist angenommen."))
        else:
            services.return_report(report=item, by=request.user, comment=form.cleaned_data["comment"])
            messages.success(request, _("Der Bericht ist zur Überarbeitung zurückgegeben."))
    except services.FacilitationError as error:
        messages.error(request, error.message)
    return redirect("facilitation:report", pk=facilitation.pk, report_pk=item.pk)


@login_required
def report_download(request, pk, report_pk):
    _facilitation, item = _report_for(request, pk, report_pk)
    return file_response(item.file, filename=item.original_name, content_type=item.content_type)


# --- the academy's overview --------------------------------------------------------------------


def _overview_rows(request):
    if not _staff(request):
        raise Http404
    sort = request.GET.get("sortierung", "organisation")
    round_id = request.GET.get("runde")
    return selectors.overview(
        today=timezone.localdate(), sort=sort, funding_round_id=int(round_id) if (round_id or "").isdigit() else None
    )


@login_required
def overview(request):
    rows = _overview_rows(request)
    key, descending = selectors.parse_sort(request.GET.get("sortierung"))
    return render(
        request,
        "facilitation/overview.html",
        {
            "rows": rows,
            "sort_key": key,
            "descending": descending,
            "columns": exports.SORTABLE_COLUMNS,
            "round_id": request.GET.get("runde", ""),
        },
    )


@login_required
def overview_csv(request):
    header, values = exports.overview_table(_overview_rows(request))
    filename = f"prozessbegleitungen-{timezone.localdate():%Y-%m-%d}.csv"
    return as_csv_response(filename, header, values)


# --- network meeting -------------------------------------------------------------------------------


def _meeting_for(request, pk):
    return get_object_or_404(selectors.meetings_for_user(request.user), pk=pk)


@login_required
def meeting(request, pk):
    item = _meeting_for(request, pk)
    organisations = list(selectors.registrable_organisations(request.user, item).order_by("name"))
    registrations = {r.organisation_id: r for r in item.registrations.filter(organisation__in=organisations)}
    return render(
        request,
        "facilitation/meeting.html",
        {
            "meeting": item,
            "own": [(org, registrations.get(org.pk)) for org in organisations],
            "all_registrations": item.registrations.select_related("organisation") if _staff(request) else None,
            "open": item.date >= timezone.localdate(),
        },
    )


@login_required
def register(request, pk, organisation_pk):
    item = _meeting_for(request, pk)
    organisation = get_object_or_404(selectors.registrable_organisations(request.user, item), pk=organisation_pk)
    existing = item.registrations.filter(organisation=organisation).first()
    initial = (
        {"delegates": existing.delegates, "delegate_count": existing.delegate_count, "talk_title": existing.talk_title}
        if existing
        else {"delegate_count": 1}
    )
    form = RegistrationForm(initial=initial)
    if request.method == "POST":
        form = RegistrationForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.register_for_network_meeting(
                    meeting=item,
                    organisation=organisation,
                    by=request.user,
                    delegates=data["delegates"],
                    delegate_count=data["delegate_count"],
                    talk_title=data["talk_title"],
                    poster=data["poster"],
                )
            except ValidationError as error:
                form.add_error("poster", error)
            except services.FacilitationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("%(organisation)s ist zum Netzwerktreffen angemeldet.") % {"organisation": organisation.name},
                )
                return redirect("facilitation:meeting", pk=item.pk)
    return render(
        request,
        "facilitation/registration_form.html",
        {"meeting": item, "organisation": organisation, "form": form, "registration": existing},
    )


@login_required
def gallery(request, pk):
    item = _meeting_for(request, pk)
    return render(request, "facilitation/gallery.html", {"meeting": item, "posters": selectors.posters(item)})


@login_required
def poster_download(request, pk, registration_pk):
    item = _meeting_for(request, pk)
    registration = get_object_or_404(selectors.posters(item), pk=registration_pk)
    return file_response(
        registration.poster, filename=registration.poster_name, content_type=registration.poster_content_type
    )
