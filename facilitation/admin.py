"""Admin of the facilitation: thin; every change goes through ``facilitation.services``.

Academy staff see every facilitation with budget figures annotated in the changelist (no query
per row); moderators (group "Prozessbegleitung", view permissions only) see just their own.
Inlines are read-only: sessions, milestones and reports are logged on the portal pages.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.roles import is_academy
from foerderportal.admin import EventInline, LabelledInputsMixin, RecordAdminMixin, for_each_object
from foerderportal.formatting import euro

from . import selectors, services
from .exports import facilitator_names, percent
from .models import (
    Facilitation,
    FacilitationEvent,
    Facilitator,
    Milestone,
    MilestoneTemplate,
    NetworkMeeting,
    NetworkMeetingRegistration,
    Report,
    ReportReminder,
    Session,
)


class FacilitatorForm(forms.ModelForm):
    class Meta:
        model = Facilitator
        fields = ["user", "region", "phone", "daily_rate", "active"]


@admin.register(Facilitator)
class FacilitatorAdmin(admin.ModelAdmin):
    form = FacilitatorForm
    list_display = ["__str__", "email", "region", "phone", "daily_rate", "active"]
    list_filter = ["active", "region"]
    search_fields = ["user__email", "user__last_name", "user__first_name"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]

    @admin.display(description=gettext_lazy("E-Mail"), ordering="user__email")
    def email(self, obj):
        return obj.user.email

    def save_model(self, request, obj, form, change):
        # The service also puts the person into the group "Prozessbegleitung".
        saved = services.ensure_facilitator(
            user=obj.user,
            by=request.user,
            daily_rate=obj.daily_rate,
            region=obj.region,
            phone=obj.phone,
            active=obj.active,
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MilestoneInline(ReadOnlyInline):
    model = Milestone
    fields = ["position", "phase", "title", "due_on", "done_on", "done_by"]
    readonly_fields = fields


class SessionInline(ReadOnlyInline):
    model = Session
    fields = ["date", "facilitator", "format", "duration", "unit", "travel_costs", "cost", "participants", "notes"]
    readonly_fields = [*fields, "cancelled_at"]
    fields = [*fields, "cancelled_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("facilitator__user")


class ReportInline(ReadOnlyInline):
    model = Report
    fields = ["kind", "due_on", "status", "submitted_at", "decided_at", "portal_link"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("im Portal"))
    def portal_link(self, obj):
        if not obj.pk:
            return "–"
        url = reverse("facilitation:report", args=[obj.facilitation_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Bericht öffnen"))


class FacilitationEventInline(EventInline):
    model = FacilitationEvent
    classes = ["collapse"]


class FacilitationForm(forms.ModelForm):
    class Meta:
        model = Facilitation
        fields = ["facilitators", "starts_on", "lead_name", "lead_function", "lead_email", "lead_phone"]

    def clean_facilitators(self):
        facilitators = self.cleaned_data["facilitators"]
        try:
            services.check_facilitator_choice(facilitators)
        except services.FacilitationError as error:
            raise ValidationError(error.message) from None
        return facilitators


class OverdueFilter(admin.SimpleListFilter):
    """Facilitations with an overdue report or an overdue open milestone."""

    title = gettext_lazy("Überfällig")
    parameter_name = "ueberfaellig"

    def lookups(self, request, model_admin):
        return [
            ("berichte", gettext_lazy("Bericht überfällig")),
            ("meilensteine", gettext_lazy("Meilenstein überfällig")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "berichte":
            return queryset.filter(pk__in=selectors.facilitations_with_overdue_reports(today).values("pk"))
        if self.value() == "meilensteine":
            return queryset.filter(pk__in=selectors.facilitations_with_overdue_milestones(today).values("pk"))
        return queryset


@admin.register(Facilitation)
class FacilitationAdmin(LabelledInputsMixin, admin.ModelAdmin):
    form = FacilitationForm
    list_display = [
        "organisation",
        "funding_round",
        "status",
        "facilitator_list",
        "budget_display",
        "used_display",
        "used_percent_display",
        "remaining_display",
        "next_milestone",
        "overdue_reports_display",
        "portal_link",
    ]
    list_filter = [OverdueFilter, "status", "application__funding_round"]
    search_fields = ["application__organisation__name", "application__reference_number", "lead_name"]
    list_select_related = ["application__organisation", "application__funding_round"]
    filter_horizontal = ["facilitators"]
    readonly_fields = ["application", "status", "ends_on", "budget", "budget_summary", "created_at", "created_by"]
    fieldsets = [
        (None, {"fields": ["application", "status", "facilitators"]}),
        (gettext_lazy("Zeitraum und Budget"), {"fields": ["starts_on", "ends_on", "budget", "budget_summary"]}),
        (
            gettext_lazy("Interne Projektleitung der Kommune"),
            {"fields": ["lead_name", "lead_function", "lead_email", "lead_phone"]},
        ),
        (gettext_lazy("Angelegt"), {"fields": ["created_at", "created_by"]}),
    ]
    inlines = [MilestoneInline, SessionInline, ReportInline, FacilitationEventInline]
    actions = ["complete"]
    show_full_result_count = False

    def get_queryset(self, request):
        queryset = selectors.with_overview(super().get_queryset(request), timezone.localdate()).prefetch_related(
            selectors.FACILITATORS_WITH_USERS
        )
        if not is_academy(request):
            queryset = queryset.filter(pk__in=selectors.moderated_facilitations(request.user).values("pk"))
        return queryset

    def has_add_permission(self, request):
        return False  # created by the award's release

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return is_academy(request) and super().has_change_permission(request, obj)

    @admin.display(description=gettext_lazy("Organisation"), ordering="application__organisation__name")
    def organisation(self, obj):
        return obj.application.organisation.name

    @admin.display(description=gettext_lazy("Förderrunde"), ordering="application__funding_round__name")
    def funding_round(self, obj):
        return obj.application.funding_round.name

    @admin.display(description=gettext_lazy("Prozessbegleiter/innen"))
    def facilitator_list(self, obj):
        return facilitator_names(obj) or "–"

    @admin.display(description=gettext_lazy("Budget"), ordering="budget")
    def budget_display(self, obj):
        return euro(obj.budget)

    @admin.display(description=gettext_lazy("verbraucht"), ordering="used")
    def used_display(self, obj):
        return euro(obj.used)

    @admin.display(description=gettext_lazy("verbraucht (%)"), ordering="used_percent")
    def used_percent_display(self, obj):
        value = percent(obj.used_percent)
        return "–" if value is None else f"{value} %".replace(".", ",")

    @admin.display(description=gettext_lazy("frei"), ordering="remaining")
    def remaining_display(self, obj):
        return euro(obj.remaining)

    @admin.display(description=gettext_lazy("nächster offener Meilenstein"), ordering="next_milestone_due")
    def next_milestone(self, obj):
        if not obj.next_milestone_due:
            return "–"
        return f"{obj.next_milestone_due:%d.%m.%Y}: {obj.next_milestone_title}"

    @admin.display(description=gettext_lazy("überfällige Berichte"), ordering="overdue_reports")
    def overdue_reports_display(self, obj):
        return obj.overdue_reports

    @admin.display(description=gettext_lazy("im Portal"))
    def portal_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("facilitation:detail", args=[obj.pk]), _("öffnen"))

    @admin.display(description=gettext_lazy("Budget: verbraucht / frei"))
    def budget_summary(self, obj):
        return _("%(used)s verbraucht, %(left)s frei") % {"used": euro(obj.used), "left": euro(obj.remaining)}

    def save_model(self, request, obj, form, change):
        # Only through the services: the period (milestones and report due dates follow) and the lead.
        try:
            if "starts_on" in form.changed_data:
                services.reschedule_facilitation(facilitation=obj, starts_on=obj.starts_on, by=request.user)
            if {"lead_name", "lead_function", "lead_email", "lead_phone"} & set(form.changed_data):
                services.update_project_lead(
                    facilitation=obj,
                    by=request.user,
                    name=obj.lead_name,
                    function=obj.lead_function,
                    email=obj.lead_email,
                    phone=obj.lead_phone,
                )
        except services.FacilitationError as error:
            self.message_user(request, error.message, messages.ERROR)

    def save_related(self, request, form, formsets, change):
        if "facilitators" in form.changed_data:
            try:
                services.assign_facilitators(
                    facilitation=form.instance, facilitators=form.cleaned_data["facilitators"], by=request.user
                )
            except services.FacilitationError as error:
                self.message_user(request, error.message, messages.ERROR)
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description=gettext_lazy("Ausgewählte Prozessbegleitungen abschließen"))
    def complete(self, request, queryset):
        done = len(
            for_each_object(
                self, request, queryset, lambda f: services.complete_facilitation(facilitation=f, by=request.user)
            )
        )
        self.message_user(
            request,
            ngettext("%d Prozessbegleitung abgeschlossen.", "%d Prozessbegleitungen abgeschlossen.", done) % done,
        )


@admin.register(MilestoneTemplate)
class MilestoneTemplateAdmin(LabelledInputsMixin, admin.ModelAdmin):
    list_display = ["title", "funding_round", "phase", "month_offset", "position"]
    list_editable = ["month_offset", "position"]
    list_filter = ["funding_round", "phase"]
    list_select_related = ["funding_round"]
    ordering = ["funding_round", "position"]


class RegistrationInline(ReadOnlyInline):
    model = NetworkMeetingRegistration
    fields = ["organisation", "delegate_count", "delegates", "talk_title", "poster_link", "registered_at"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("Poster"))
    def poster_link(self, obj):
        if not obj.poster:
            return "–"
        url = reverse("facilitation:poster_download", args=[obj.meeting_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.poster_name)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")


@admin.register(NetworkMeeting)
class NetworkMeetingAdmin(LabelledInputsMixin, admin.ModelAdmin):
    list_display = ["__str__", "date", "venue", "registration_count"]
    list_select_related = ["funding_round"]
    fields = ["funding_round", "date", "venue", "programme"]
    inlines = [RegistrationInline]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(registration_count=Count("registrations"))

    @admin.display(description=gettext_lazy("Anmeldungen"), ordering="registration_count")
    def registration_count(self, obj):
        return obj.registration_count

    def save_model(self, request, obj, form, change):
        saved = services.schedule_network_meeting(
            funding_round=obj.funding_round, date=obj.date, venue=obj.venue, programme=obj.programme, by=request.user
        )
        obj.pk = saved.pk


@admin.register(ReportReminder)
class ReportReminderAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = ["report", "kind", "due_on", "status", "claimed_at", "sent_at", "attempts"]
    list_filter = ["kind", "status"]
    list_select_related = ["report__facilitation__application__organisation"]
    readonly_fields = [
        "id",
        "report",
        "kind",
        "due_on",
        "status",
        "claim_token",
        "claimed_at",
        "sent_at",
        "attempts",
        "recipients",
        "last_error",
    ]
