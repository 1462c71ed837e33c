from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from foerderportal.admin import RecordAdminMixin
from foerderportal.models import MailDelivery

from .models import User
from .roles import AcademyOnlyAdminMixin


def manages_staff_accounts(request):
    """Only a superuser changes, creates or deletes staff accounts (or grants rights): otherwise one
    academy account could set a colleague's password or e-mail, or make a second account, and
    release its own proposals under four eyes."""
    return request.user.is_superuser


def is_staff_account(user):
    return user.is_staff or user.is_superuser


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Academy staff edit applicant accounts; staff accounts (their own included) are a superuser's.

    Every path of this admin asks the same two permissions: the change page and its POST, the
    password page (``/<id>/password/``, which asks ``has_change_permission``), the delete page and
    the bulk delete (which asks ``has_delete_permission`` per selected account).
    """

    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "job_title", "is_active", "email_verified_at", "is_staff"]
    list_filter = ["is_active", "is_staff", "groups"]
    search_fields = ["email", "first_name", "last_name"]
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "job_title", "phone", "email_verified_at"]}),
        (_("Rechte"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Daten"), {"fields": ["last_login", "date_joined"]}),
    ]
    # A new account is an applicant account (no rights); a superuser makes it a staff account.
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    readonly_fields = ["last_login", "date_joined"]
    rights_fields = ["is_staff", "is_superuser", "groups", "user_permissions"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and is_staff_account(obj) and not manages_staff_accounts(request):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and is_staff_account(obj) and not manages_staff_accounts(request):
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        # Only superusers grant staff or superuser rights, single permissions or roles.
        if manages_staff_accounts(request):
            return self.readonly_fields
        return [*self.readonly_fields, *self.rights_fields]


@admin.register(MailDelivery)
class MailDeliveryAdmin(AcademyOnlyAdminMixin, RecordAdminMixin, admin.ModelAdmin):
    """The delivery log of every e-mail, per recipient (``foerderportal.delivery``): academy staff see what
    the mail servers answered; "gescheitert" lists the recipients to inform another way."""

    list_display = [
        "recipient",
        "subject",
        "status",
        "attempts",
        "last_response",
        "created_at",
        "accepted_at",
        "failed_at",
    ]
    list_filter = ["status", "reported_on", "created_at"]
    search_fields = ["recipient", "key", "message_id", "subject"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = [
        "recipient",
        "subject",
        "key",
        "message_id",
        "status",
        "attempts",
        "created_at",
        "first_refused_at",
        "last_attempt_at",
        "accepted_at",
        "failed_at",
        "last_code",
        "last_response",
        "attempt_history",
        "reported_on",
    ]
    readonly_fields = fields

    @admin.display(description=_("Verlauf"))
    def attempt_history(self, obj):
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in obj.history)) or "–"
