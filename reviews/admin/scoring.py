"""Criteria and reviews: reviewers score their own, non-conflicting assignments on a custom
page (the review's change view); academy staff read every review."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from accounts.roles import is_academy
from foerderportal.admin import LabelledInputsMixin, ReadOnlyHistoryMixin
from reviews import services
from reviews.forms import ConflictForm, ReviewScoreForm
from reviews.models import Criterion, Review
from reviews.selectors import changed_after_review, reviews_for_staff

from .common import ReviewerLookupsMixin, application_sections


class CriterionInline(LabelledInputsMixin, admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["position", "title", "guidance", "weight", "max_points"]
    ordering = ["position", "pk"]

    def _scoring_started(self, obj):
        # Stored review totals rest on these weights and maxima: freeze them once scoring began.
        return (
            obj is not None
            and Review.objects.filter(
                application__funding_round=obj, status__in=[Review.Status.OPEN, Review.Status.FINISHED]
            ).exists()
        )

    def has_add_permission(self, request, obj=None):
        return not self._scoring_started(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._scoring_started(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._scoring_started(obj) and super().has_delete_permission(request, obj)


@admin.register(Review)
class ReviewAdmin(ReviewerLookupsMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    list_display = [
        "application_reference",
        "organisation_name",
        "reviewer",
        "status",
        "recommendation",
        "total",
        "finished_at",
    ]
    list_display_links = ["application_reference", "organisation_name"]
    list_select_related = ("application__organisation", "application__funding_round", "reviewer")
    list_filter = ["status", "application__funding_round", "recommendation"]
    search_fields = ["application__reference_number", "application__organisation__name"]
    raw_id_fields = ["application", "reviewer", "assigned_by"]
    show_full_result_count = False
    list_per_page = 50
    scoring_template = "admin/reviews/review/scoring.html"

    def get_queryset(self, request):
        return reviews_for_staff(request.user)

    # Assignments come from the application action "Gutachter/innen zuweisen".
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Only the assigned reviewer changes a review (through the services); the academy reads.
        if obj is not None:
            return obj.reviewer_id == request.user.pk and super().has_change_permission(request, obj)
        return not is_academy(request) and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        # Deleting a review would silently change means and the ranking: reviews stay on record.
        return False

    @admin.display(description=gettext_lazy("Aktenzeichen"), ordering="application__reference_number")
    def application_reference(self, obj):
        return obj.application.reference_number

    @admin.display(description=gettext_lazy("Organisation"), ordering="application__organisation__name")
    def organisation_name(self, obj):
        return obj.application.organisation.name

    # --- the scoring page ----------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        review = self.get_object(request, unquote(object_id))
        if review is None:
            raise Http404(_("Diese Bewertung gibt es nicht oder sie ist Ihnen nicht zugewiesen."))
        if not self.has_view_or_change_permission(request, review):
            raise PermissionDenied
        may_score = review.reviewer_id == request.user.pk and self.has_change_permission(request, review)
        if request.method == "POST":
            if not may_score:
                raise PermissionDenied
            return self._scoring_post(request, review)
        return self._render_scoring(request, review, may_score=may_score)

    def _criteria_and_scores(self, review):
        criteria = list(Criterion.objects.filter(funding_round_id=review.application.funding_round_id))
        scores = {s.criterion_id: s for s in review.scores.all()}
        return criteria, scores

    def _scoring_post(self, request, review):
        here = request.path
        try:
            if "declare_no_conflict" in request.POST:
                services.declare_no_conflict(review=review, reviewer=request.user)
                self.message_user(request, _("Danke. Sie können den Antrag jetzt bewerten."), messages.SUCCESS)
                return HttpResponseRedirect(here)
            if "declare_conflict" in request.POST:
                form = ConflictForm(request.POST)
                reason = form.cleaned_data["reason"] if form.is_valid() else ""
                services.declare_conflict(review=review, reviewer=request.user, reason=reason)
                self.message_user(
                    request,
                    _("Sie haben Befangenheit erklärt. Die Zuweisung ist aufgehoben."),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:reviews_review_changelist"))
            criteria, scores = self._criteria_and_scores(review)
            form = ReviewScoreForm(request.POST, criteria=criteria, scores=scores, review=review)
            if not form.is_valid():
                self.message_user(request, _("Bitte korrigieren Sie die markierten Angaben."), messages.ERROR)
                return self._render_scoring(request, review, may_score=True, form=form)
            services.save_review(
                review=review,
                reviewer=request.user,
                scores=form.scores(),
                recommendation=form.cleaned_data["recommendation"],
                note=form.cleaned_data["note"],
            )
            if "_finish" in request.POST:
                services.finish_review(review=review, reviewer=request.user)
                self.message_user(request, _("Die Bewertung ist abgeschlossen. Vielen Dank!"), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:reviews_review_changelist"))
            self.message_user(request, _("Zwischengespeichert."), messages.SUCCESS)
        except services.ReviewError as error:
            self.message_user(request, error.message, messages.ERROR)
        return HttpResponseRedirect(here)

    def _render_scoring(self, request, review, *, may_score, form=None):
        application = review.application
        criteria, scores = self._criteria_and_scores(review)
        if review.status == Review.Status.ASSIGNED and may_score:
            mode = "conflict"
        elif review.status == Review.Status.OPEN and may_score:
            mode = "scoring"
        else:
            mode = "readonly"  # finished (locked), conflict, or someone else's review
        if mode == "scoring" and form is None:
            form = ReviewScoreForm(criteria=criteria, scores=scores, review=review)
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": _("Bewertung: %(application)s") % {"application": application},
            "subtitle": None,
            "opts": opts,
            "app_label": opts.app_label,
            "original": review,
            "review": review,
            "application": application,
            "mode": mode,
            "form": form,
            "conflict_form": ConflictForm() if mode == "conflict" else None,
            "score_rows": [(c, scores.get(c.pk)) for c in criteria],
            "sections": application_sections(application),
            "attachments": list(application.attachments.all()),
            "changed_after_review": changed_after_review(review),
            "is_academy": is_academy(request),
            "history_url": reverse("admin:reviews_review_history", args=[review.pk]),
            "changelist_url": reverse("admin:reviews_review_changelist"),
            "has_view_permission": True,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.scoring_template, context)
