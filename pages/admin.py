"""Pages, contact messages and the documents of a call for academy staff (superusers too).

Thin: uploads go through ``pages.services.add_round_document`` (``check_upload``); contact
messages are records, read only. Reviewers and moderators see nothing here.
"""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.roles import AcademyOnlyAdminMixin, is_academy
from foerderportal.admin import LabelledInputsMixin, ReadOnlyHistoryMixin, RecordAdminMixin

from . import services
from .forms import ContactDetailsAdminForm, RoundDocumentAdminForm
from .models import ContactDetails, ContactMessage, Page, RoundCall, RoundDocument


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


#: What an operator checks before going live, besides the contact data themselves: facts in the
#: seeded page texts that the portal cannot know (shown on the contact data's admin page).
OPERATOR_CHECKS = [
    _("Anbieter, Anschrift und Vertretung mit dem Impressum der Führungsakademie abgleichen."),
    _("Telefon und E-Mail-Adresse eintragen, unter denen das Förderportal erreichbar ist."),
    _("Erklärung zur Barrierefreiheit: Anschrift der Schlichtungsstelle (§ 10 Abs. 3 L-BGG) und Datum prüfen."),
    _("Gebärdensprache: auf die Seite des Landes mit Informationen in DGS verlinken."),
]


@admin.register(ContactDetails)
class ContactDetailsAdmin(AcademyMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    """One row (a data migration creates it): edited, never added or deleted; saved through the service."""

    form = ContactDetailsAdminForm
    list_display = ["organisation", "city", "confirmed_at", "missing_display"]
    readonly_fields = ["confirmed_at", "confirmed_by", "operator_checks"]
    fieldsets = [
        (_("Anbieter (§ 5 DDG)"), {"fields": ["organisation", "street", "postcode", "city", "represented_by"]}),
        (_("Erreichbarkeit"), {"fields": ["phone", "email"]}),
        (_("Weitere Angaben im Impressum"), {"fields": ["commissioned_by", "content_responsible"]}),
        (_("Prüfung vor dem Betrieb"), {"fields": ["operator_checks", "confirm", "confirmed_at", "confirmed_by"]}),
    ]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Im Impressum fehlt noch"))
    def missing_display(self, obj):
        return ", ".join(obj.missing()) or "–"

    @admin.display(description=_("Vor dem Betrieb zu prüfen"))
    def operator_checks(self, obj):
        return format_html_join("\n", "<p>{}</p>", ((str(check),) for check in OPERATOR_CHECKS))

    def save_model(self, request, obj, form, change):
        services.save_contact_details(
            details=obj,
            changed=bool(set(form.changed_data) - {"confirm"}),
            confirm=form.cleaned_data["confirm"],
            by=request.user,
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and request.method == "GET":
            if obj.missing():
                self.message_user(
                    request,
                    _("Im Impressum fehlt noch: %(fields)s.") % {"fields": ", ".join(obj.missing())},
                    messages.WARNING,
                )
            if obj.confirmed_at is None:
                self.message_user(request, _("Die Angaben sind noch nicht als geprüft bestätigt."), messages.WARNING)
        return super().render_change_form(request, context, add, change, form_url, obj)


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
class RoundCallAdmin(AcademyMixin, LabelledInputsMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin):
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
