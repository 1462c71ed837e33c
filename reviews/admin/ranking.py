"""The ranking of a round with the funding line, its "Bewilligen" buttons and the CSV/XLSX
exports; ``ReviewFundingRoundAdmin`` extends ``applications.admin.FundingRoundAdmin`` with them
and with the round's criteria."""

from decimal import Decimal

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_academy
from accounts.twofactor import recent_verification_required
from applications.admin import FundingRoundAdmin
from applications.models import Application, FundingRound, OrganisationKind, Region
from foerderportal.admin import confirmation_token, is_confirmed
from foerderportal.errors import DomainError
from foerderportal.exports import as_csv_response, as_xlsx_response
from foerderportal.formatting import format_deadline
from reviews import exports, services
from reviews.models import Decision
from reviews.selectors import distribution, ranking

from .common import choice_labels, confirmation_row, decimal_formatter, decision_message, render_confirmation
from .scoring import CriterionInline


class ReviewFundingRoundAdmin(FundingRoundAdmin):
    change_form_template = "admin/reviews/fundinground/change_form.html"
    list_display = [*FundingRoundAdmin.list_display, "ranking_link"]
    inlines = [CriterionInline]
    ranking_template = "admin/reviews/fundinground/ranking.html"

    # --- four eyes, dates and limits are fixed once a decision was proposed ----------

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += services.locked_round_fields(funding_round=obj, user=request.user)
        return fields

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["round_locked"] = bool(services.locked_round_fields(funding_round=obj, user=request.user))
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        try:
            # The service re-checks the lock on the locked row (a proposal may have come in meanwhile).
            services.change_round(
                funding_round=obj, by=request.user, changes={name: getattr(obj, name) for name in form.changed_data}
            )
        except DomainError as error:
            raise PermissionDenied(error.message) from error

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
        # No "Bewilligen" button before the deadline has passed (the page says why).
        decisions_open = funding_round.decisions_open_at(timezone.now())
        awardable = {Application.Status.IN_REVIEW, Application.Status.WAITLISTED} if decisions_open else set()
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
            "decisions_open": decisions_open,
            "deadline_text": format_deadline(funding_round.deadline),
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

    @recent_verification_required(
        back=lambda request: reverse(
            "admin:applications_fundinground_ranking", args=[request.resolver_match.kwargs["pk"]]
        )
    )
    def award_view(self, request, pk, application_id):
        """The "Bewilligen" button of a ranking row: award with the round's maximum, after the
        confirmation page (the first POST shows it, its signed token makes the second POST award)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        funding_round = self._round_for_academy(request, pk)
        application = get_object_or_404(
            Application.objects.select_related("organisation", "funding_round"),
            pk=application_id,
            funding_round=funding_round,
        )
        ranking_url = reverse("admin:applications_fundinground_ranking", args=[funding_round.pk])
        if not is_confirmed(request, "ranking-award", [application.pk]):
            return render_confirmation(
                self,
                request,
                title=gettext("Bewilligen: %(application)s") % {"application": application},
                rows=[confirmation_row(application, Decision.Kind.AWARD)],
                hidden=[],
                token=confirmation_token(request, "ranking-award", [application.pk]),
                back_url=ranking_url,
            )
        try:
            decision = services.award_application(application=application, by=request.user)
        except DomainError as error:
            self.message_user(request, f"{application}: {error.message}", messages.ERROR)
        else:
            self.message_user(request, decision_message(decision), messages.SUCCESS)
        return HttpResponseRedirect(ranking_url)

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


admin.site.unregister(FundingRound)
admin.site.register(FundingRound, ReviewFundingRoundAdmin)
