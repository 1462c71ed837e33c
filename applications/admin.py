"""Admin of the applicant side: organisations, memberships, rounds, applications.

Thin: every status change goes through ``applications.services``. Review and decision pages
(scores, ranking, exports, decision actions) are added by ``reviews.admin``, which extends
``FundingRoundAdmin`` and ``ApplicationAdmin`` below; this module imports nothing above it.
"""

from django.contrib import admin
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from accounts.roles import is_academy
from foerderportal.admin import (
    EventInline,
    LabelledInputsMixin,
    ReadOnlyHistoryMixin,
    RecordAdminMixin,
    for_each_object,
)
from foerderportal.files import file_response

from . import services
from .models import Application, ApplicationEvent, Attachment, FundingRound, Membership, Organisation, Programme


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "key", "county", "region", "is_active"]
    list_filter = ["region", "kind", "is_active"]
    search_fields = ["name", "key", "county"]
    show_full_result_count = False


@admin.register(Membership)
class MembershipAdmin(LabelledInputsMixin, admin.ModelAdmin):
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
        done = len(
            for_each_object(
                self, request, queryset, lambda m: services.confirm_membership(membership=m, by=request.user)
            )
        )
        self.message_user(
            request, ngettext("%d Mitgliedschaft bestätigt.", "%d Mitgliedschaften bestätigt.", done) % done
        )

    @admin.action(description=_("Ausgewählte Anfragen ablehnen"))
    def reject(self, request, queryset):
        done = len(
            for_each_object(
                self, request, queryset, lambda m: services.reject_membership(membership=m, by=request.user)
            )
        )
        self.message_user(request, ngettext("%d Anfrage abgelehnt.", "%d Anfragen abgelehnt.", done) % done)


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name"]
    prepopulated_fields = {"slug": ["short_name"]}


@admin.register(FundingRound)
class FundingRoundAdmin(LabelledInputsMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    """A round's dates and limits (``reviews.admin.ranking`` adds criteria, ranking and exports,
    and locks four eyes, dates and limits once a decision was proposed).

    Every change is in the round's history ("Änderungsprotokoll"), attributed to the person;
    nothing is reverted from there.
    """

    list_display = [
        "name",
        "code",
        "opens_at",
        "deadline",
        "places",
        "budget",
        "max_per_package",
        "four_eyes",
    ]
    list_filter = ["programme"]
    search_fields = ["name", "code"]
    fieldsets = [
        (None, {"fields": ["programme", "name", "code"]}),
        (_("Antragszeitraum"), {"fields": ["opens_at", "deadline"]}),
        (
            _("Förderung"),
            {"fields": ["max_per_package", "places", "budget", "facilitation_months", "eligible_kinds"]},
        ),
        (_("Auswahlverfahren"), {"fields": ["four_eyes", "spread_threshold"]}),
        (
            _("Bescheid"),
            {
                "fields": [
                    "legal_basis",
                    "signing_officer",
                    "signing_officer_title",
                    "signed_electronically",
                    "legal_remedies",
                ]
            },
        ),
    ]
    history_list_display = ["four_eyes", "opens_at", "deadline", "places", "budget", "max_per_package"]


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


class ApplicationEventInline(EventInline):
    model = ApplicationEvent


@admin.register(Application)
class ApplicationAdmin(RecordAdminMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    """Applications, read-only: content belongs to the applicant.

    Applicants start them (staff never create one behind their back), status changes go through
    the actions and the decision form, and they are withdrawn, never deleted.

    ``reviews.admin.decisions`` extends this class with the review columns, the decision
    actions and the decision form, and scopes the list for reviewers to their assignments.
    """

    list_display = (
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

    def visible_applications(self, request):
        """The applications this staff member may read (academy staff: all)."""
        return Application.objects.all() if is_academy(request) else Application.objects.none()

    def get_queryset(self, request):
        return self.visible_applications(request).select_related("organisation", "funding_round")

    def get_readonly_fields(self, request, obj=None):
        # Content belongs to the applicant: staff read it, they do not edit it.
        if obj is not None:
            return [f.name for f in Application._meta.fields if f.name != "id"]
        return self.readonly_fields

    @admin.display(description=_("Organisation"), ordering="organisation__name")
    def organisation_name(self, obj):
        return obj.organisation.name

    @admin.display(description=_("Art"), ordering="organisation__kind")
    def organisation_kind(self, obj):
        return obj.organisation.get_kind_display()

    @admin.display(description=_("Landkreis"), ordering="organisation__county")
    def organisation_county(self, obj):
        return obj.organisation.county

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["history_url"] = reverse("admin:applications_application_history", args=[obj.pk])
            context["is_academy"] = is_academy(request)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def attachment_download_view(self, request, pk):
        """An attachment of an application this staff member may see in the list (academy staff, or a
        reviewer assigned to it without a declared conflict); anything else is a 404."""
        if not request.user.has_perm("applications.view_application"):
            raise Http404
        attachment = get_object_or_404(
            Attachment, pk=pk, application__in=self.visible_applications(request).values("pk")
        )
        return file_response(attachment.file, filename=attachment.original_name, content_type=attachment.content_type)

    def get_urls(self):
        return [
            path(
                "anlage/<int:pk>/",
                self.admin_site.admin_view(self.attachment_download_view),
                name="applications_attachment_download",
            ),
            *super().get_urls(),
        ]
