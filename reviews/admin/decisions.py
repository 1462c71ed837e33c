"""Decisions: the decision admin (release or discard proposals, four eyes) and the review and
decision side of the application admin (score columns, bulk actions, the decision form).

``ReviewApplicationAdmin`` extends ``applications.admin.ApplicationAdmin`` and replaces its
registration, so the application admin itself imports nothing above ``applications``.
"""

from decimal import Decimal

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.roles import is_academy
from accounts.twofactor import recent_verification_required
from applications.admin import ApplicationAdmin
from applications.models import Application
from correspondence.admin import InformationRequestInline, MessageInline
from foerderportal.admin import (
    CONFIRMATION_FIELD,
    ReadOnlyHistoryMixin,
    RecordAdminMixin,
    confirmation_token,
    for_each_object,
    is_confirmed,
)
from foerderportal.errors import DomainError
from foerderportal.formatting import format_deadline
from reviews import services
from reviews.forms import AssignReviewersForm, DecisionForm, RejectForm
from reviews.models import Decision, Review
from reviews.selectors import (
    applications_for_staff,
    applications_missing_reviews,
    proposals_awaiting_release,
    with_scores,
)

from .common import (
    ReviewerLookupsMixin,
    action_page_context,
    confirmation_row,
    decision_message,
    recipients_by_organisation,
    render_confirmation,
    two_places,
)


def _warn_if_stale(modeladmin, request):
    """A token was sent but does not match (expired, other user, changed input): say so, show the page again."""
    if request.POST.get(CONFIRMATION_FIELD):
        modeladmin.message_user(
            request,
            gettext(
                "Die Bestätigung ist abgelaufen oder passt nicht zur Auswahl. Bitte prüfen und bestätigen Sie erneut."
            ),
            messages.WARNING,
        )


class AwaitingReleaseFilter(admin.SimpleListFilter):
    """Proposals someone else made: the ones the viewer may release (four eyes)."""

    title = gettext_lazy("Freigabe")
    parameter_name = "freigabe"

    def lookups(self, request, model_admin):
        return [("durch_mich", gettext_lazy("wartet auf meine Freigabe"))]

    def queryset(self, request, queryset):
        if self.value() == "durch_mich":
            return queryset.filter(pk__in=proposals_awaiting_release(request.user).values("pk"))
        return queryset


class MissingReviewsFilter(admin.SimpleListFilter):
    """Submitted or in review with too few reviewers or unfinished reviews (academy only)."""

    title = gettext_lazy("Bewertungen")
    parameter_name = "bewertungen"

    def lookups(self, request, model_admin):
        return [("fehlen", gettext_lazy("Bewertungen fehlen"))]

    def queryset(self, request, queryset):
        if self.value() == "fehlen":
            return queryset.filter(pk__in=applications_missing_reviews().values("pk"))
        return queryset


@admin.register(Decision)
class DecisionAdmin(RecordAdminMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    list_display = [
        "application",
        "kind",
        "amount",
        "status",
        "proposed_by",
        "proposed_at",
        "released_by",
        "released_at",
    ]
    list_select_related = ("application__organisation", "proposed_by", "released_by")
    list_filter = [AwaitingReleaseFilter, "status", "kind", "application__funding_round"]
    search_fields = ["application__reference_number", "application__organisation__name"]
    readonly_fields = [
        "application",
        "kind",
        "amount",
        "reasons",
        "status",
        "proposed_by",
        "proposed_at",
        "released_by",
        "released_at",
    ]
    fields = readonly_fields
    actions = ["release", "cancel"]
    show_full_result_count = False
    list_per_page = 50

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if is_academy(request) else queryset.none()

    def has_decide_permission(self, request):
        return is_academy(request)

    @admin.action(description=gettext_lazy("Ausgewählte Entscheidungen freigeben…"), permissions=["decide"])
    @recent_verification_required
    def release(self, request, queryset):
        """Releasing reaches the applicant (Bescheid and e-mail): only through the confirmation page."""
        decisions = list(queryset.select_related("application__organisation", "application__funding_round"))
        ids = [d.pk for d in decisions]
        if not is_confirmed(request, "release", ids):
            _warn_if_stale(self, request)
            recipients = recipients_by_organisation(d.application for d in decisions)
            return render_confirmation(
                self,
                request,
                title=gettext("Entscheidungen freigeben"),
                rows=[
                    confirmation_row(
                        d.application,
                        d.kind,
                        amount=d.amount,
                        reasons=d.reasons,
                        releasing=True,
                        recipients=recipients[d.application.organisation_id],
                    )
                    for d in decisions
                ],
                hidden=[("action", "release"), *((helpers.ACTION_CHECKBOX_NAME, pk) for pk in ids)],
                token=confirmation_token(request, "release", ids),
                back_url=reverse("admin:reviews_decision_changelist"),
            )
        done = len(
            for_each_object(
                self,
                request,
                decisions,
                lambda d: services.release_decision(decision=d, by=request.user),
                label=lambda d: d.application,
            )
        )
        if done:
            self.message_user(
                request,
                ngettext("%d Entscheidung freigegeben.", "%d Entscheidungen freigegeben.", done) % done,
                messages.SUCCESS,
            )

    @admin.action(description=gettext_lazy("Ausgewählte Entscheidungsvorschläge verwerfen"), permissions=["decide"])
    def cancel(self, request, queryset):
        done = len(
            for_each_object(
                self,
                request,
                queryset,
                lambda d: services.cancel_decision(decision=d, by=request.user),
                label=lambda d: d.application,
            )
        )
        if done:
            self.message_user(
                request,
                ngettext("%d Vorschlag verworfen.", "%d Vorschläge verworfen.", done) % done,
                messages.SUCCESS,
            )


class ReviewApplicationAdmin(ReviewerLookupsMixin, ApplicationAdmin):
    """Applications for the academy (everything, with scores and decisions) and for reviewers
    (their assignments, read-only, without other reviewers' scores: no score annotations, and
    no query parameter beyond the list filters)."""

    change_form_template = "admin/reviews/application/change_form.html"
    score_columns = ("mean_score_display", "reviews_display", "spread_display")
    actions = ("move_to_review", "assign_reviewers", "award", "waitlist", "promote", "reject")

    def visible_applications(self, request):
        # Academy staff: all; reviewers: their assignments without a declared conflict.
        return applications_for_staff(request.user)

    def get_queryset(self, request):
        # One query for the list: scores are annotations (academy only), organisation and round are joined.
        queryset = self.visible_applications(request).select_related("organisation", "funding_round")
        return with_scores(queryset) if is_academy(request) else queryset

    def get_list_filter(self, request):
        # Reviewers do not learn how far other reviewers are.
        base = list(super().get_list_filter(request))
        return [MissingReviewsFilter, *base] if is_academy(request) else base

    def get_list_display(self, request):
        # Reviewers do not see other reviewers' scores.
        base = list(super().get_list_display(request))
        if not is_academy(request):
            return base
        at = base.index("submitted_at")
        return (*base[:at], *self.score_columns, *base[at:])

    def has_decide_permission(self, request):
        return is_academy(request)

    # --- list columns (annotations from with_scores; no per-row queries) ---------------

    @admin.display(description=gettext_lazy("Mittelwert (%)"), ordering="mean_score")
    def mean_score_display(self, obj):
        return two_places(obj.mean_score)

    @admin.display(description=gettext_lazy("Bewertungen"), ordering="reviews_finished")
    def reviews_display(self, obj):
        return f"{obj.reviews_finished}/{obj.reviews_assigned}"

    @admin.display(description=gettext_lazy("Abweichung"), ordering="score_spread")
    def spread_display(self, obj):
        spread = obj.score_spread
        if spread is not None and Decimal(str(spread)) > obj.funding_round.spread_threshold:
            return gettext("abweichend")
        return ""

    # --- actions (academy staff; each calls the service per application) ----------------

    def _for_each(self, request, queryset, call):
        """Call ``call(application)`` per application; count applied and merely proposed decisions."""
        results = for_each_object(self, request, queryset, call)
        proposed = sum(isinstance(r, Decision) and r.status == Decision.Status.PROPOSED for r in results)
        return len(results) - proposed, proposed

    def _decide_each(self, request, queryset, call, message):
        """Apply ``call`` per application and report what was applied and what awaits a second person."""
        done, proposed = self._for_each(request, queryset, call)
        self._report(request, done, proposed, message)

    def _report(self, request, done, proposed, message):
        """``message(n)``: the success text for n applied changes."""
        if done:
            self.message_user(request, message(done), messages.SUCCESS)
        if proposed:
            self.message_user(
                request,
                ngettext(
                    "%d Entscheidung vorgeschlagen. Vier-Augen-Prinzip: Eine andere Person muss sie freigeben.",
                    "%d Entscheidungen vorgeschlagen. Vier-Augen-Prinzip: Eine andere Person muss sie freigeben.",
                    proposed,
                )
                % proposed,
                messages.WARNING,
            )

    def _confirm_then_decide(self, request, queryset, *, action, kind, title, call, message, reasons="", hidden=()):
        """Bulk decisions: the confirmation page first; only a POST with its valid token decides."""
        applications = list(queryset.select_related("organisation", "funding_round"))
        ids = [a.pk for a in applications]
        if is_confirmed(request, action, ids, reasons=reasons):
            self._decide_each(request, applications, call, message)
            return None
        _warn_if_stale(self, request)
        recipients = recipients_by_organisation(applications)
        return render_confirmation(
            self,
            request,
            title=title,
            rows=[
                confirmation_row(a, kind, reasons=reasons, recipients=recipients[a.organisation_id])
                for a in applications
            ],
            hidden=[("action", action), *((helpers.ACTION_CHECKBOX_NAME, pk) for pk in ids), *hidden],
            token=confirmation_token(request, action, ids, reasons=reasons),
            back_url=reverse("admin:applications_application_changelist"),
        )

    def _action_page(self, request, queryset, *, action, form, title, template):
        context = {
            **action_page_context(self, request, title),
            "applications": queryset,
            "form": form,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, template, context)

    @admin.action(description=_("In Prüfung geben"), permissions=["decide"])
    def move_to_review(self, request, queryset):
        self._decide_each(
            request,
            queryset,
            lambda a: services.move_to_review(application=a, by=request.user),
            lambda n: ngettext("%d Antrag in Prüfung gegeben.", "%d Anträge in Prüfung gegeben.", n) % n,
        )

    @admin.action(description=_("Gutachter/innen zuweisen"), permissions=["decide"])
    def assign_reviewers(self, request, queryset):
        form = AssignReviewersForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reviewers = list(form.cleaned_data["reviewers"])
            created = sum(
                for_each_object(
                    self,
                    request,
                    queryset,
                    lambda a: services.assign_reviewers(applications=[a], reviewers=reviewers, by=request.user),
                )
            )
            self.message_user(
                request,
                ngettext("%d neue Zuweisung angelegt.", "%d neue Zuweisungen angelegt.", created) % created,
                messages.SUCCESS,
            )
            return None
        return self._action_page(
            request,
            queryset,
            action="assign_reviewers",
            form=form,
            title=gettext("Gutachter/innen zuweisen"),
            template="admin/reviews/application/assign_reviewers.html",
        )

    @admin.action(description=_("Bewilligen (Höchstbetrag)…"), permissions=["decide"])
    @recent_verification_required
    def award(self, request, queryset):
        return self._confirm_then_decide(
            request,
            queryset,
            action="award",
            kind=Decision.Kind.AWARD,
            title=gettext("Anträge bewilligen (Höchstbetrag)"),
            call=lambda a: services.award_application(application=a, by=request.user),
            message=lambda n: ngettext("%d Antrag bewilligt.", "%d Anträge bewilligt.", n) % n,
        )

    @admin.action(description=_("Auf die Nachrückliste…"), permissions=["decide"])
    @recent_verification_required
    def waitlist(self, request, queryset):
        return self._confirm_then_decide(
            request,
            queryset,
            action="waitlist",
            kind=Decision.Kind.WAITLIST,
            title=gettext("Anträge auf die Nachrückliste setzen"),
            call=lambda a: services.waitlist_application(application=a, by=request.user),
            message=lambda n: (
                ngettext("%d Antrag auf die Nachrückliste gesetzt.", "%d Anträge auf die Nachrückliste gesetzt.", n) % n
            ),
        )

    @admin.action(description=_("Nachrücken lassen…"), permissions=["decide"])
    @recent_verification_required
    def promote(self, request, queryset):
        return self._confirm_then_decide(
            request,
            queryset,
            action="promote",
            kind=Decision.Kind.AWARD,
            title=gettext("Von der Nachrückliste nachrücken lassen (Höchstbetrag)"),
            call=lambda a: services.promote_from_waitlist(application=a, by=request.user),
            message=lambda n: (
                ngettext("%d Antrag ist nachgerückt und bewilligt.", "%d Anträge sind nachgerückt und bewilligt.", n)
                % n
            ),
        )

    @admin.action(description=_("Ablehnen…"), permissions=["decide"])
    @recent_verification_required
    def reject(self, request, queryset):
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reasons = form.cleaned_data["reasons"]
            return self._confirm_then_decide(
                request,
                queryset,
                action="reject",
                kind=Decision.Kind.REJECT,
                title=gettext("Anträge ablehnen"),
                call=lambda a: services.reject_application(application=a, by=request.user, reasons=reasons),
                message=lambda n: ngettext("%d Antrag abgelehnt.", "%d Anträge abgelehnt.", n) % n,
                reasons=reasons,
                hidden=[("apply", "1"), ("reasons", reasons)],
            )
        return self._action_page(
            request,
            queryset,
            action="reject",
            form=form,
            title=gettext("Anträge ablehnen"),
            template="admin/reviews/application/reject.html",
        )

    # --- change page: reviews, decision form, history ----------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self._decision_context(request, obj))
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def get_inlines(self, request, obj):
        # The academy also reads the correspondence with the municipality; reviewers never do.
        inlines = list(super().get_inlines(request, obj))
        return [*inlines, InformationRequestInline, MessageInline] if is_academy(request) else inlines

    def _decision_context(self, request, application):
        context = {}
        if is_academy(request):
            context.update(
                {
                    "request_add_url": reverse("admin:correspondence_informationrequest_add")
                    + f"?application={application.pk}",
                    "message_add_url": reverse("admin:correspondence_message_add") + f"?application={application.pk}",
                    "reviews": list(application.reviews.select_related("reviewer").order_by("assigned_at")),
                    "pending_decisions": list(
                        application.decisions.filter(status=Decision.Status.PROPOSED).select_related("proposed_by")
                    ),
                    "decision_form": DecisionForm(funding_round=application.funding_round),
                    "decide_url": reverse("admin:applications_application_decide", args=[application.pk]),
                    "decisions_open": application.funding_round.decisions_open_at(timezone.now()),
                    "deadline_text": format_deadline(application.funding_round.deadline),
                    "can_decide": application.status in (Application.Status.IN_REVIEW, Application.Status.WAITLISTED),
                    "ranking_url": reverse(
                        "admin:applications_fundinground_ranking", args=[application.funding_round_id]
                    ),
                    "mean_score": two_places(getattr(application, "mean_score", None)),
                }
            )
        else:
            own = (
                Review.objects.filter(application=application, reviewer=request.user)
                .exclude(status=Review.Status.CONFLICT)
                .first()
            )
            context["own_review_url"] = own and reverse("admin:reviews_review_change", args=[own.pk])
        return context

    @recent_verification_required(
        back=lambda request: reverse(
            "admin:applications_application_change", args=[request.resolver_match.kwargs["object_id"]]
        )
    )
    def decide_view(self, request, object_id):
        """The decision form on the change page: award (amount), reject (reasons) or waitlist; the first
        POST shows the confirmation page, its signed token makes the second POST decide."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not is_academy(request):
            raise PermissionDenied
        application = self.get_object(request, unquote(object_id))
        if application is None:
            raise Http404
        change_url = reverse("admin:applications_application_change", args=[application.pk])
        form = DecisionForm(request.POST, funding_round=application.funding_round)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    self.message_user(request, error, messages.ERROR)
            return HttpResponseRedirect(change_url)
        kind, data = form.cleaned_data["kind"], form.cleaned_data
        bound = {"amount": data["amount"], "reasons": data["reasons"]}
        if not is_confirmed(request, f"decide-{kind}", [application.pk], **bound):
            row = confirmation_row(application, kind, amount=data["amount"], reasons=data["reasons"])
            if row["refusal"]:
                # Nothing to confirm: say why at once, on the page where the input can be corrected.
                self.message_user(request, row["refusal"], messages.ERROR)
                return HttpResponseRedirect(change_url)
            _warn_if_stale(self, request)
            return render_confirmation(
                self,
                request,
                title=gettext("Entscheidung bestätigen: %(application)s") % {"application": application},
                rows=[row],
                hidden=[
                    ("kind", kind),
                    ("amount", request.POST.get("amount", "")),
                    ("reasons", request.POST.get("reasons", "")),
                ],
                token=confirmation_token(request, f"decide-{kind}", [application.pk], **bound),
                back_url=change_url,
            )
        try:
            if kind == Decision.Kind.AWARD:
                decision = services.award_application(application=application, by=request.user, amount=data["amount"])
            elif kind == Decision.Kind.REJECT:
                decision = services.reject_application(
                    application=application, by=request.user, reasons=data["reasons"]
                )
            else:
                decision = services.waitlist_application(application=application, by=request.user)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(request, decision_message(decision), messages.SUCCESS)
        return HttpResponseRedirect(change_url)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/entscheidung/",
                self.admin_site.admin_view(self.decide_view),
                name="applications_application_decide",
            ),
            *super().get_urls(),
        ]


admin.site.unregister(Application)
admin.site.register(Application, ReviewApplicationAdmin)
