"""The reminder log for staff: read-only, written only by the engine (``reminders.engine``)."""

from django.contrib import admin

from foerderportal.admin import RecordAdminMixin

from .models import Reminder


@admin.register(Reminder)
class ReminderAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = [
        "funding_round",
        "organisation",
        "offset_days",
        "status",
        "claimed_at",
        "sent_at",
        "attempts",
        "last_error",
    ]
    list_filter = ["status", "funding_round", "offset_days"]
    list_select_related = ["funding_round", "organisation"]
    search_fields = ["organisation__name", "organisation__key", "funding_round__name", "funding_round__code"]
    date_hierarchy = "claimed_at"
    ordering = ["-claimed_at", "-pk"]
    fields = [
        "funding_round",
        "organisation",
        "application",
        "offset_days",
        "status",
        "claimed_at",
        "sent_at",
        "attempts",
        "recipients",
        "message_id",
        "last_error",
    ]
    readonly_fields = fields
