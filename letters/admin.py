"""Letters in the admin: read-only records for academy staff, a staff-only download, a
preview of a proposed decision's letter, corrections through the services, and the notification
(Bekanntgabe): the overview per round, the list of letters to notify another way, the form to
record that."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.roles import is_academy
from accounts.twofactor import recent_verification_required
from applications.models import FundingRound
from foerderportal.admin import RecordAdminMixin, for_each_object
from foerderportal.files import bytes_response
from reviews.models import Decision

from . import selectors, services
from .forms import OtherNotificationForm
from .models import Letter, LetterDownload
from .notification import format_day
from .views import pdf_response, recorded


class NeedsOtherWayFilter(admin.SimpleListFilter):
    title = gettext_lazy("Bekanntgabe")
    parameter_name = "bekanntgabe"

    def lookups(self, request, model_admin):
        return [
            ("anderer_weg", gettext_lazy("auf anderem Weg bekanntzugeben")),
            ("nicht_abgerufen", gettext_lazy("nicht rechtzeitig abgerufen")),
            ("post", gettext_lazy("per Post bekanntzugeben")),
        ]

    def queryset(self, request, queryset):
        needing = selectors.needing_other_way(timezone.localdate())
        if self.value() == "nicht_abgerufen":
            needing = needing.filter(postal_dispatch=False)
        elif self.value() == "post":
            needing = needing.filter(postal_dispatch=True)
        elif self.value() != "anderer_weg":
            return queryset
        return queryset.filter(pk__in=needing.values("pk"))


class LetterDownloadInline(RecordAdminMixin, admin.TabularInline):
    model = LetterDownload
    fields = ["downloaded_at", "user_email", "notifies", "sha256"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = gettext_lazy("Abrufe")

    def has_view_permission(self, request, obj=None):
        return is_academy(request)


@admin.register(Letter)
class LetterAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "organisation",
        "kind",
        "status",
        "released_at",
        "notified_at",
        "notification_state",
        "short_sha256",
        "supersedes",
        "download_link",
    ]
    list_select_related = ("application__organisation", "supersedes__application")
    list_filter = [NeedsOtherWayFilter, "kind", "status", "application__funding_round"]
    inlines = [LetterDownloadInline]
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
        "notification_state",
        "postal_dispatch",
        "other_notified_on",
        "other_notification_way",
        "other_notification_by",
        "other_recorded_at",
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

    def get_queryset(self, request):
        return selectors.with_notification(super().get_queryset(request))

    @admin.display(description=gettext_lazy("Bekanntgabe"))
    def notification_state(self, obj):
        if not obj.pk:
            return "–"
        note = obj.notification()
        if note.state == note.state.NOT_APPLICABLE:
            return "–"
        text = note.state.label
        if note.notified_on:
            text = _("%(state)s, bekanntgegeben am %(day)s, Rechtsbehelfsfrist bis %(end)s") % {
                "state": note.state.label,
                "day": format_day(note.notified_on),
                "end": format_day(note.remedy_period_ends_on),
            }
        overview = reverse("admin:letters_notification_overview", args=[obj.application.funding_round_id])
        return format_html('{} · <a href="{}">{}</a>', text, overview, _("Übersicht der Runde"))

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
            path(
                "bekanntgabe/<int:round_id>/",
                view(self.notification_overview_view),
                name="letters_notification_overview",
            ),
            path(
                "<int:pk>/andere-bekanntgabe/",
                view(self.other_notification_view),
                name="letters_letter_other_notification",
            ),
            *super().get_urls(),
        ]

    def pdf_view(self, request, pk):
        if not is_academy(request):
            raise PermissionDenied
        letter = get_object_or_404(Letter.objects.select_related("application"), pk=pk)
        response = pdf_response(letter)
        if letter.is_released:
            # Recorded like every download (once the file is open); a staff download never notifies.
            return recorded(response, letter=letter, user=request.user)
        return response

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

    def notification_overview_view(self, request, round_id):
        """ "Bekanntgabe": every released Bescheid of a round with its notification, in a fixed number of queries."""
        if not is_academy(request):
            raise PermissionDenied
        funding_round = get_object_or_404(FundingRound, pk=round_id)
        today = timezone.localdate()
        rows = [(letter, letter.notification(today)) for letter in selectors.notification_overview(funding_round.pk)]
        return TemplateResponse(
            request,
            "admin/letters/notification_overview.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Bekanntgabe – %(round)s") % {"round": funding_round.name},
                "funding_round": funding_round,
                "rows": rows,
                "today": today,
                "needs_other_way": sum(1 for _letter, note in rows if note.needs_other_way),
            },
        )

    def other_notification_view(self, request, pk):
        """Record the day and the way of a notification another way (``services.record_other_notification``)."""
        if not is_academy(request):
            raise PermissionDenied
        letter = get_object_or_404(Letter.objects.select_related("application__organisation"), pk=pk)
        overview = reverse("admin:letters_notification_overview", args=[letter.application.funding_round_id])
        form = OtherNotificationForm(request.POST or None, initial={"notified_on": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            try:
                services.record_other_notification(
                    letter=letter,
                    by=request.user,
                    notified_on=form.cleaned_data["notified_on"],
                    way=form.cleaned_data["way"],
                )
            except services.LetterError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, _("Die Bekanntgabe auf anderem Weg ist erfasst."), messages.SUCCESS)
                return HttpResponseRedirect(overview)
        return TemplateResponse(
            request,
            "admin/letters/other_notification.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Bekanntgabe auf anderem Weg erfassen"),
                "letter": letter,
                "form": form,
                "overview_url": overview,
            },
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
    @recent_verification_required
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
