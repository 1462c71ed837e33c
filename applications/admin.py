"""Admin: thin; every status change goes through applications.services."""

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Application, ApplicationEvent, Attachment, FundingRound, Membership, Organisation, Programme


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
    list_display = ["name", "code", "opens_at", "deadline", "places", "budget", "max_per_package"]
    list_filter = ["programme"]
    search_fields = ["name", "code"]


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    can_delete = False
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
    fields = ["created_at", "actor", "action", "data"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["reference_number", "organisation", "funding_round", "status", "submitted_at"]
    list_filter = ["funding_round", "status", "organisation__kind", "organisation__region"]
    search_fields = ["reference_number", "organisation__name", "organisation__key"]
    list_select_related = ["organisation", "funding_round"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["status", "reference_number", "submitted_at", "submitted_by", "withdrawn_at", "created_at"]
    inlines = [AttachmentInline, ApplicationEventInline]
    show_full_result_count = False
    date_hierarchy = "submitted_at"

    def has_add_permission(self, request):
        # Applications are started by the applicant; staff never create one behind their back.
        return False

    def get_readonly_fields(self, request, obj=None):
        # Content belongs to the applicant: staff read it, they do not edit it.
        if obj is not None:
            return [f.name for f in Application._meta.fields if f.name != "id"]
        return self.readonly_fields

    def get_urls(self):
        return [
            path(
                "anlage/<int:pk>/",
                self.admin_site.admin_view(download_attachment_for_staff),
                name="applications_attachment_download",
            ),
            *super().get_urls(),
        ]


@staff_member_required
def download_attachment_for_staff(request, pk):
    if not request.user.has_perm("applications.view_application"):
        raise Http404
    attachment = get_object_or_404(Attachment, pk=pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
