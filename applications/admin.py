"""Admin: thin; every status change goes through applications.services or reviews.services."""

from decimal import Decimal

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from foerderportal.exports import as_csv_response, as_xlsx_response
from foerderportal.files import file_response
from reviews import exports
from reviews import services as review_services
from reviews.admin import (
    CriterionInline,
    ReadOnlyHistoryMixin,
    choice_labels,
    decimal_formatter,
    decision_message,
    is_academy,
    two_places,
)
from reviews.forms import AssignReviewersForm, DecisionForm, RejectForm
from reviews.models import Decision, Review
from reviews.selectors import applications_for_staff, distribution, ranking, with_scores

from . import services
from .models import (
    Application,
    ApplicationEvent,
    Attachment,
    FundingRound,
    Membership,
    Organisation,
    OrganisationKind,
    Programme,
    Region,
)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "key", "county", "region", "is_active"]
    list_filter = ["region", "kind", "is_active"]
    search_fields = ["name", "key", "county"]
    show_full_result_count = False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "status", "requested_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["user__email", "user__last_name", "organisation__name", "organisation__key"]
    list_select_related = ["user", "organisation", "decided_by"]
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["user"]
    readonly_fields = ["status", "decided_by", "decided_at"]

    def get_readonly_fields(self, request, obj=None):
        # Moving a membership to another person or organisation would bypass confirmation.
        return [*self.readonly_fields, "user", "organisation"] if obj else self.readonly_fields

    actions = ["confirm", "reject"]
    show_full_result_count = False

    @admin.action(description=_("Ausgewählte Mitgliedschaften bestätigen"))
    def confirm(self, request, queryset):
        done = 0
        for membership in queryset:
            try:
                services.confirm_membership(membership=membership, by=request.user)
                done += 1
            except services.ApplicationError as error:
                self.message_user(request, f"{membership}: {error.message}", messages.ERROR)
        self.message_user(
            request, ngettext("%d Mitgliedschaft bestätigt.", "%d Mitgliedschaften bestätigt.", done) % done
        )

    @admin.action(description=_("Ausgewählte Anfragen ablehnen"))
    def reject(self, request, queryset):
        done = 0
        for membership in queryset:
            try:
                services.reject_membership(membership=membership, by=request.user)
                done += 1
            except services.ApplicationError as error:
                self.message_user(request, f"{membership}: {error.message}", messages.ERROR)
        self.message_user(request, ngettext("%d Anfrage abgelehnt.", "%d Anfragen abgelehnt.", done) % done)


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name"]
    prepopulated_fields = {"slug": ["short_name"]}


@admin.register(FundingRound)
class FundingRoundAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "opens_at",
        "deadline",
        "places",
        "budget",
        "max_per_package",
        "four_eyes",
        "ranking_link",
    ]
    list_filter = ["programme"]
    search_fields = ["name", "code"]
    inlines = [CriterionInline]
    fieldsets = [
        (None, {"fields": ["programme", "name", "code"]}),
        (_("Antragszeitraum"), {"fields": ["opens_at", "deadline"]}),
        (
            _("Förderung"),
            {"fields": ["max_per_package", "places", "budget", "facilitation_months", "eligible_kinds"]},
        ),
        (_("Auswahlverfahren"), {"fields": ["four_eyes", "spread_threshold"]}),
    ]
    ranking_template = "admin/applications/fundinground/ranking.html"

    @admin.display(description=_("Rangliste"))
    def ranking_link(self, obj):
        url = reverse("admin:applications_fundinground_ranking", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Rangliste"))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/ranking/", view(self.ranking_view), name="applications_fundinground_ranking"),
            path(
                "<int:pk>/ranking/<int:application_id>/bewilligen/",
                view(self.award_view),
                name="applications_fundinground_award",
            ),
            path("<int:pk>/ranking.csv", view(self.ranking_csv_view), name="applications_fundinground_ranking_csv"),
            path("<int:pk>/ranking.xlsx", view(self.ranking_xlsx_view), name="applications_fundinground_ranking_xlsx"),
            path(
                "<int:pk>/applications.csv",
                view(self.applications_csv_view),
                name="applications_fundinground_applications_csv",
            ),
            path(
                "<int:pk>/applications.xlsx",
                view(self.applications_xlsx_view),
                name="applications_fundinground_applications_xlsx",
            ),
            *super().get_urls(),
        ]

    def _round_for_academy(self, request, pk):
        """Ranking and exports are for academy staff only (reviewers get 403)."""
        if not is_academy(request):
            raise PermissionDenied
        return get_object_or_404(FundingRound, pk=pk)

    def ranking_view(self, request, pk):
        funding_round = self._round_for_academy(request, pk)
        rows = ranking(funding_round)
        by_region, by_kind = distribution(rows)
        pending = dict(
            Decision.objects.filter(
                application__funding_round=funding_round, status=Decision.Status.PROPOSED
            ).values_list("application_id", "kind")
        )
        # The funding line goes below the last row within funding (above all rows if none is).
        last_within = max((index for index, row in enumerate(rows) if row.within_funding), default=-1)
        awardable = {Application.Status.IN_REVIEW, Application.Status.WAITLISTED}
        # Everything per row is prepared here, cheaply: a round can have thousands of rows.
        decimal = decimal_formatter()
        decision_kinds = choice_labels(Decision.Kind.choices)
        kinds, regions = choice_labels(OrganisationKind.choices), choice_labels(Region.choices)
        statuses = choice_labels(Application.Status.choices)
        # URLs reversed once with a placeholder id, filled in per row.
        change_url = reverse("admin:applications_application_change", args=[0]).replace("/0/", "/{}/")
        award_url = reverse("admin:applications_fundinground_award", args=[funding_round.pk, 0]).replace("/0/", "/{}/")
        entries = []
        for index, row in enumerate(rows):
            application, organisation = row.application, row.application.organisation
            entries.append(
                {
                    "row": row,
                    "reference": application.reference_number,
                    "organisation": organisation.name,
                    "kind": kinds.get(organisation.kind),
                    "region": regions.get(organisation.region),
                    "status": statuses.get(application.status),
                    "mean_score": decimal(application.mean_score),
                    "reviews": f"{application.reviews_finished}/{application.reviews_assigned}",
                    "requested": decimal(row.requested),
                    "cumulative": decimal(row.cumulative) if row.within_funding else None,
                    "change_url": change_url.format(application.pk),
                    "award_url": award_url.format(application.pk)
                    if application.status in awardable and application.pk not in pending
                    else None,
                    "pending": decision_kinds.get(pending.get(application.pk)),
                    "line_after": index == last_within,
                }
            )
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Rangliste: %(round)s") % {"round": funding_round},
            "opts": opts,
            "app_label": opts.app_label,
            "original": funding_round,
            "funding_round": funding_round,
            "entries": entries,
            "line_at_top": last_within == -1,
            "within_count": sum(row.within_funding for row in rows),
            "within_amount": decimal(rows[last_within].cumulative if last_within >= 0 else Decimal(0)),
            "budget": decimal(funding_round.budget),
            "spread_text": gettext("abweichend"),
            "within_text": gettext("innerhalb"),
            "outside_text": gettext("außerhalb"),
            "award_text": gettext("Bewilligen"),
            "distribution_tables": [
                (gettext("Regierungsbezirk"), by_region),
                (gettext("Art der Organisation"), by_kind),
            ],
            "has_view_permission": True,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.ranking_template, context)

    def award_view(self, request, pk, application_id):
        """The "Bewilligen" button of a ranking row: award with the round's maximum."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        funding_round = self._round_for_academy(request, pk)
        application = get_object_or_404(
            Application.objects.select_related("organisation"), pk=application_id, funding_round=funding_round
        )
        try:
            decision = review_services.award_application(application=application, by=request.user)
        except review_services.ReviewError as error:
            self.message_user(request, f"{application}: {error.message}", messages.ERROR)
        else:
            self.message_user(request, decision_message(decision), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:applications_fundinground_ranking", args=[funding_round.pk]))

    def _ranking_table(self, request, pk):
        funding_round = self._round_for_academy(request, pk)
        return funding_round, exports.ranking_table(ranking(funding_round))

    def _applications_table(self, request, pk):
        funding_round = self._round_for_academy(request, pk)
        return funding_round, exports.applications_table(exports.applications_for_export(funding_round))

    def ranking_csv_view(self, request, pk):
        funding_round, (header, rows) = self._ranking_table(request, pk)
        return as_csv_response(f"rangliste-{funding_round.code}.csv", header, rows)

    def ranking_xlsx_view(self, request, pk):
        funding_round, (header, rows) = self._ranking_table(request, pk)
        return as_xlsx_response(f"rangliste-{funding_round.code}.xlsx", header, rows, title=gettext("Rangliste"))

    def applications_csv_view(self, request, pk):
        funding_round, (header, rows) = self._applications_table(request, pk)
        return as_csv_response(f"antraege-{funding_round.code}.csv", header, rows)

    def applications_xlsx_view(self, request, pk):
        funding_round, (header, rows) = self._applications_table(request, pk)
        return as_xlsx_response(f"antraege-{funding_round.code}.xlsx", header, rows, title=gettext("Anträge"))


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")

    fields = ["download", "kind", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Datei"))
    def download(self, obj):
        url = reverse("admin:applications_attachment_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)


class ApplicationEventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    fields = ["created_at", "actor", "action", "data"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    """Applications for the academy (everything) and for reviewers (their assignments, read-only).

    Content belongs to the applicant and is read-only; status changes happen through the
    actions and the decision form, which call reviews.services.
    """

    list_display = (
        "reference_number",
        "organisation_name",
        "organisation_kind",
        "organisation_county",
        "status",
        "mean_score_display",
        "reviews_display",
        "spread_display",
        "submitted_at",
    )
    # Reviewers do not see other reviewers' scores.
    reviewer_list_display = (
        "reference_number",
        "organisation_name",
        "organisation_kind",
        "organisation_county",
        "status",
        "submitted_at",
    )
    list_display_links = ("reference_number", "organisation_name")
    list_filter = ("funding_round", "status", "organisation__kind", "organisation__region")
    search_fields = ("organisation__name", "organisation__key", "reference_number")
    list_select_related = ("organisation", "funding_round")
    autocomplete_fields = ("organisation", "funding_round")
    readonly_fields = ["status", "reference_number", "submitted_at", "submitted_by", "withdrawn_at", "created_at"]
    inlines = [AttachmentInline, ApplicationEventInline]
    show_full_result_count = False
    list_per_page = 50

    def get_inlines(self, request, obj):
        # Reviewers read the application and its attachments, not the decision trail.
        return self.inlines if is_academy(request) else [AttachmentInline]

    actions = ("move_to_review", "assign_reviewers", "award", "waitlist", "promote", "reject")

    def get_queryset(self, request):
        # One query for the list: scores are annotations, organisation and round are joined.
        return with_scores(applications_for_staff(request.user)).select_related("organisation", "funding_round")

    def get_list_display(self, request):
        return self.list_display if is_academy(request) else self.reviewer_list_display

    def has_add_permission(self, request):
        # Applications are started by the applicant; staff never create one behind their back.
        return False

    def has_change_permission(self, request, obj=None):
        # Content belongs to the applicant; status changes go through actions and the decision form.
        return False

    def has_delete_permission(self, request, obj=None):
        # Applications are records of the funding procedure; they are withdrawn, not deleted.
        return False

    def has_decide_permission(self, request):
        return is_academy(request)

    def get_readonly_fields(self, request, obj=None):
        # Content belongs to the applicant: staff read it, they do not edit it.
        if obj is not None:
            return [f.name for f in Application._meta.fields if f.name != "id"]
        return self.readonly_fields

    # --- list columns (annotations from with_scores; no per-row queries) ---------------

    @admin.display(description=_("Organisation"), ordering="organisation__name")
    def organisation_name(self, obj):
        return obj.organisation.name

    @admin.display(description=_("Art"), ordering="organisation__kind")
    def organisation_kind(self, obj):
        return obj.organisation.get_kind_display()

    @admin.display(description=_("Landkreis"), ordering="organisation__county")
    def organisation_county(self, obj):
        return obj.organisation.county

    @admin.display(description=_("Mittelwert (%)"), ordering="mean_score")
    def mean_score_display(self, obj):
        return two_places(obj.mean_score)

    @admin.display(description=_("Bewertungen"), ordering="reviews_finished")
    def reviews_display(self, obj):
        return f"{obj.reviews_finished}/{obj.reviews_assigned}"

    @admin.display(description=_("Abweichung"), ordering="score_spread")
    def spread_display(self, obj):
        spread = obj.score_spread
        if spread is not None and Decimal(str(spread)) > obj.funding_round.spread_threshold:
            return gettext("abweichend")
        return ""

    # --- actions (academy staff; each calls the service per application) ----------------

    def _for_each(self, request, queryset, call):
        """Call ``call(application)`` per application; report errors per application."""
        done = proposed = 0
        for application in queryset:
            try:
                result = call(application)
            except review_services.ReviewError as error:
                self.message_user(request, f"{application}: {error.message}", messages.ERROR)
                continue
            if isinstance(result, Decision) and result.status == Decision.Status.PROPOSED:
                proposed += 1
            else:
                done += 1
        return done, proposed

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

    def _action_page(self, request, queryset, *, action, form, title, template):
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": opts,
            "app_label": opts.app_label,
            "applications": queryset,
            "form": form,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, template, context)

    @admin.action(description=_("In Prüfung geben"), permissions=["decide"])
    def move_to_review(self, request, queryset):
        done, proposed = self._for_each(
            request, queryset, lambda a: review_services.move_to_review(application=a, by=request.user)
        )
        self._report(
            request,
            done,
            proposed,
            lambda n: (
                ngettext(
                    "%d Antrag in Prüfung gegeben.",
                    "%d Anträge in Prüfung gegeben.",
                    n,
                )
                % n
            ),
        )

    @admin.action(description=_("Gutachter/innen zuweisen"), permissions=["decide"])
    def assign_reviewers(self, request, queryset):
        form = AssignReviewersForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reviewers = list(form.cleaned_data["reviewers"])
            created = 0
            for application in queryset:
                try:
                    created += review_services.assign_reviewers(
                        applications=[application], reviewers=reviewers, by=request.user
                    )
                except review_services.ReviewError as error:
                    self.message_user(request, f"{application}: {error.message}", messages.ERROR)
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
            template="admin/applications/application/assign_reviewers.html",
        )

    @admin.action(description=_("Bewilligen (Höchstbetrag)"), permissions=["decide"])
    def award(self, request, queryset):
        done, proposed = self._for_each(
            request, queryset, lambda a: review_services.award_application(application=a, by=request.user)
        )
        self._report(
            request,
            done,
            proposed,
            lambda n: (
                ngettext(
                    "%d Antrag bewilligt.",
                    "%d Anträge bewilligt.",
                    n,
                )
                % n
            ),
        )

    @admin.action(description=_("Auf die Nachrückliste"), permissions=["decide"])
    def waitlist(self, request, queryset):
        done, proposed = self._for_each(
            request, queryset, lambda a: review_services.waitlist_application(application=a, by=request.user)
        )
        self._report(
            request,
            done,
            proposed,
            lambda n: (
                ngettext(
                    "%d Antrag auf die Nachrückliste gesetzt.",
                    "%d Anträge auf die Nachrückliste gesetzt.",
                    n,
                )
                % n
            ),
        )

    @admin.action(description=_("Nachrücken lassen"), permissions=["decide"])
    def promote(self, request, queryset):
        done, proposed = self._for_each(
            request, queryset, lambda a: review_services.promote_from_waitlist(application=a, by=request.user)
        )
        self._report(
            request,
            done,
            proposed,
            lambda n: (
                ngettext(
                    "%d Antrag ist nachgerückt und bewilligt.",
                    "%d Anträge sind nachgerückt und bewilligt.",
                    n,
                )
                % n
            ),
        )

    @admin.action(description=_("Ablehnen…"), permissions=["decide"])
    def reject(self, request, queryset):
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reasons = form.cleaned_data["reasons"]
            done, proposed = self._for_each(
                request,
                queryset,
                lambda a: review_services.reject_application(application=a, by=request.user, reasons=reasons),
            )
            self._report(
                request,
                done,
                proposed,
                lambda n: (
                    ngettext(
                        "%d Antrag abgelehnt.",
                        "%d Anträge abgelehnt.",
                        n,
                    )
                    % n
                ),
            )
            return None
        return self._action_page(
            request,
            queryset,
            action="reject",
            form=form,
            title=gettext("Anträge ablehnen"),
            template="admin/applications/application/reject.html",
        )

    # --- change page: reviews, decision form, history ----------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self._decision_context(request, obj))
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def _decision_context(self, request, application):
        context = {
            "history_url": reverse("admin:applications_application_history", args=[application.pk]),
            "is_academy": is_academy(request),
        }
        if is_academy(request):
            context.update(
                {
                    "reviews": list(application.reviews.select_related("reviewer").order_by("assigned_at")),
                    "pending_decisions": list(
                        application.decisions.filter(status=Decision.Status.PROPOSED).select_related("proposed_by")
                    ),
                    "decision_form": DecisionForm(funding_round=application.funding_round),
                    "decide_url": reverse("admin:applications_application_decide", args=[application.pk]),
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

    def decide_view(self, request, object_id):
        """The decision form on the change page: award (amount), reject (reasons) or waitlist."""
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
        try:
            if kind == Decision.Kind.AWARD:
                decision = review_services.award_application(
                    application=application, by=request.user, amount=data["amount"]
                )
            elif kind == Decision.Kind.REJECT:
                decision = review_services.reject_application(
                    application=application, by=request.user, reasons=data["reasons"]
                )
            else:
                decision = review_services.waitlist_application(application=application, by=request.user)
        except review_services.ReviewError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(request, decision_message(decision), messages.SUCCESS)
        return HttpResponseRedirect(change_url)

    def get_urls(self):
        return [
            path(
                "anlage/<int:pk>/",
                self.admin_site.admin_view(download_attachment_for_staff),
                name="applications_attachment_download",
            ),
            path(
                "<path:object_id>/entscheidung/",
                self.admin_site.admin_view(self.decide_view),
                name="applications_application_decide",
            ),
            *super().get_urls(),
        ]


@staff_member_required
def download_attachment_for_staff(request, pk):
    """Academy staff, or reviewers assigned to the application (not after a declared conflict); else 404."""
    if not request.user.has_perm("applications.view_application"):
        raise Http404
    attachment = get_object_or_404(Attachment, pk=pk, application__in=applications_for_staff(request.user))
    return file_response(attachment.file, filename=attachment.original_name, content_type=attachment.content_type)
