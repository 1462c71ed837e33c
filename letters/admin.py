"""Letters in the admin: read-only records for academy staff, a staff-only download, a
preview of a proposed decision's letter, and corrections through the services."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.roles import is_academy
from foerderportal.admin import RecordAdminMixin, for_each_object
from foerderportal.files import bytes_response
from reviews.models import Decision

from . import services
from .models import Letter
from .views import pdf_response


@admin.register(Letter)
class LetterAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "organisation",
        "kind",
        "status",
        "released_at",
        "notified_at",
        "short_sha256",
        "supersedes",
        "download_link",
    ]
    list_select_related = ("application__organisation", "supersedes__application")
    list_filter = ["kind", "status", "application__funding_round"]
    search_fields = ["application__reference_number", "application__organisation__name", "sha256"]
    fields = [
        "application",
        "decision",
        "kind",
        "status",
        "created_at",
        "released_at",
        "notified_at",
        "sha256",
        "size",
        "supersedes",
        "note",
        "rendered_by",
        "download_link",
    ]
    readonly_fields = fields
    actions = ["prepare_correction", "release_drafts"]
    show_full_result_count = False
    list_per_page = 50

    # Permissions follow the academy role (rules), not per-model grants.
    def has_module_permission(self, request):
        return is_academy(request)

    def has_view_permission(self, request, obj=None):
        return is_academy(request)

    def has_decide_permission(self, request):
        return is_academy(request)

    @admin.display(description=gettext_lazy("Aktenzeichen"), ordering="application__reference_number")
    def reference(self, obj):
        return obj.application.reference_number

    @admin.display(description=gettext_lazy("Organisation"), ordering="application__organisation__name")
    def organisation(self, obj):
        return obj.application.organisation.name

    @admin.display(description=gettext_lazy("SHA-256"))
    def short_sha256(self, obj):
        return format_html('<code title="{}">{}…</code>', obj.sha256, obj.sha256[:12]) if obj.sha256 else "–"

    @admin.display(description=gettext_lazy("PDF"))
    def download_link(self, obj):
        if not obj.pk or not obj.file:
            return "–"
        return format_html('<a href="{}">{}</a>', reverse("admin:letters_letter_pdf", args=[obj.pk]), _("PDF laden"))

    # --- staff-only URLs ------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/pdf/", view(self.pdf_view), name="letters_letter_pdf"),
            path("vorschau/<int:decision_id>/", view(self.preview_view), name="letters_preview_decision"),
            *super().get_urls(),
        ]

    def pdf_view(self, request, pk):
        if not is_academy(request):
            raise PermissionDenied
        return pdf_response(get_object_or_404(Letter.objects.select_related("application"), pk=pk))

    def preview_view(self, request, decision_id):
        """The letter a proposed decision would produce (marked as a draft), before release."""
        if not is_academy(request):
            raise PermissionDenied
        decision = get_object_or_404(Decision, pk=decision_id)
        try:
            pdf = services.preview_decision_letter(decision)
        except services.LetterError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:reviews_decision_change", args=[decision.pk]))
        return bytes_response(
            pdf, filename=f"Vorschau-Bescheid-{decision.pk}.pdf", content_type="application/pdf", as_attachment=False
        )

    # --- actions: every change goes through letters.services --------------------------

    @admin.action(description=gettext_lazy("Berichtigung als Entwurf erstellen"), permissions=["decide"])
    def prepare_correction(self, request, queryset):
        done = len(
            for_each_object(
                self, request, queryset, lambda x: services.issue_correction(letter=x, by=request.user, release=False)
            )
        )
        if done:
            self.message_user(
                request,
                ngettext(
                    "%d Berichtigung als Entwurf erstellt. Prüfen Sie das PDF und geben Sie es dann frei.",
                    "%d Berichtigungen als Entwurf erstellt. Prüfen Sie die PDFs und geben Sie sie dann frei.",
                    done,
                )
                % done,
                messages.SUCCESS,
            )

    @admin.action(description=gettext_lazy("Entwürfe freigeben und per E-Mail ankündigen"), permissions=["decide"])
    def release_drafts(self, request, queryset):
        done = len(
            for_each_object(self, request, queryset, lambda x: services.release_letter(letter=x, by=request.user))
        )
        if done:
            self.message_user(
                request,
                ngettext("%d Dokument freigegeben.", "%d Dokumente freigegeben.", done) % done,
                messages.SUCCESS,
            )
