from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from foerderportal.admin import RecordAdminMixin, for_each_object
from foerderportal.models import MailDelivery

from . import services
from .models import AccountEvent, User
from .roles import AcademyOnlyAdminMixin, is_academy
from .twofactor import recent_verification_required

# django-otp's own device admins show secrets and recovery codes: devices are only set up by their
# owner (accounts.views) and reset by the academy (the action below), never edited in the admin.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


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
        (_("Zwei-Faktor-Anmeldung"), {"fields": ["two_factor", "two_factor_history"]}),
    ]
    # A new account is an applicant account (no rights); a superuser makes it a staff account.
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    readonly_fields = ["last_login", "date_joined", "two_factor", "two_factor_history"]
    actions = ["reset_two_factor"]
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

    @admin.display(description=_("Zwei-Faktor-Anmeldung"))
    def two_factor(self, user):
        device = services.confirmed_totp_device(user)
        if device is None:
            return _("nicht eingerichtet")
        return _("eingerichtet, %(n)d Wiederherstellungscodes übrig") % {"n": services.remaining_recovery_codes(user)}

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        view = super().changeform_view
        if manages_staff_accounts(request):  # a superuser's form edits roles and rights
            view = recent_verification_required(view)
        return view(request, object_id, form_url, extra_context)

    @admin.display(description=_("Verlauf"))
    def two_factor_history(self, user):
        # Read-only facts, not an inline: the change form's POST then needs no formset.
        events = AccountEvent.objects.filter(user=user).select_related("actor").order_by("-created_at")[:20]
        if not events:
            return "–"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "", "<li>{}: {} ({})</li>", ((e.local_time, e.action_label, e.actor or "–") for e in events)
            ),
        )

    def has_reset_two_factor_permission(self, request):
        return is_academy(request)

    @admin.action(
        description=_("Zwei-Faktor-Anmeldung zurücksetzen (verlorenes Telefon)"), permissions=["reset_two_factor"]
    )
    @recent_verification_required
    def reset_two_factor(self, request, queryset):
        done = for_each_object(
            self, request, queryset, lambda user: services.reset_two_factor(user=user, by=request.user)
        )
        if done:
            self.message_user(
                request,
                ngettext(
                    "%d Zwei-Faktor-Anmeldung zurückgesetzt (bei der nächsten Anmeldung neu einzurichten).",
                    "%d Zwei-Faktor-Anmeldungen zurückgesetzt (bei der nächsten Anmeldung neu einzurichten).",
                    len(done),
                )
                % len(done),
                messages.SUCCESS,
            )


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    """Roles are groups: creating, changing or deleting one needs a recent second factor."""

    @recent_verification_required
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)

    @recent_verification_required
    def delete_view(self, request, object_id, extra_context=None):
        return super().delete_view(request, object_id, extra_context)

    @recent_verification_required(methods=["POST"])
    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, extra_context)


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
