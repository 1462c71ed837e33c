"""Pages, contact messages and the documents of a call for academy staff (superusers too).

Thin: uploads go through ``pages.services.add_round_document`` (``check_upload``); contact
messages are records, read only. Reviewers and moderators see nothing here.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.roles import AcademyOnlyAdminMixin, is_academy
from foerderportal.admin import ReadOnlyHistoryMixin, RecordAdminMixin

from . import services
from .forms import RoundDocumentAdminForm
from .models import ContactMessage, Page, RoundCall, RoundDocument


class AcademyMixin(AcademyOnlyAdminMixin):
    """Academy staff (and superusers) only; they edit the pages."""

    def has_change_permission(self, request, obj=None):
        return is_academy(request)

    def has_add_permission(self, request, obj=None):
        return is_academy(request)

    def has_delete_permission(self, request, obj=None):
        return is_academy(request)


@admin.register(Page)
class PageAdmin(AcademyMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    """The five footer pages are fixed (the data migration creates them): edited, never added or deleted."""

    list_display = ["title", "slug", "updated_at"]
    fields = ["slug", "title", "body"]
    readonly_fields = ["slug"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ContactMessage)
class ContactMessageAdmin(AcademyMixin, RecordAdminMixin, admin.ModelAdmin):
    list_display = ["subject", "name", "email", "created_at", "sent_at"]
    list_filter = ["created_at"]
    search_fields = ["subject", "name", "email", "message"]
    date_hierarchy = "created_at"

    has_add_permission = RecordAdminMixin.has_add_permission
    has_change_permission = RecordAdminMixin.has_change_permission
    has_delete_permission = RecordAdminMixin.has_delete_permission


@admin.register(RoundCall)
class RoundCallAdmin(AcademyMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    list_display = ["funding_round", "criteria_published"]
    list_editable = ["criteria_published"]


@admin.register(RoundDocument)
class RoundDocumentAdmin(AcademyMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    form = RoundDocumentAdminForm
    list_display = ["title", "funding_round", "position", "public_link"]
    list_filter = ["funding_round"]
    readonly_fields = ["original_name", "content_type", "size", "sha256"]

    @admin.display(description=_("öffentlicher Link"))
    def public_link(self, obj):
        url = reverse("pages:round_document", args=[obj.funding_round_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)

    def save_model(self, request, obj, form, change):
        services.save_round_document(document=obj, uploaded_file=form.cleaned_data.get("upload"))
