"""Requests and messages for academy staff: thin; every write goes through ``correspondence.services``.

"Rückfragen" lists every request with an "überfällig" filter; a new request or message is a small
form page (``add_view``) that calls the service. Reviewers and moderators see nothing here.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import AcademyOnlyAdminMixin, is_academy
from applications.models import Application
from foerderportal.admin import RecordAdminMixin
from foerderportal.files import file_response

from . import services
from .forms import InformationRequestForm, MessageForm
from .models import InformationRequest, Message, RequestReminder

ASKABLE = (Application.Status.SUBMITTED, Application.Status.IN_REVIEW)


class AcademyOnlyMixin(AcademyOnlyAdminMixin, RecordAdminMixin):
    """Only academy staff read correspondence; nothing is changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return is_academy(request)

    def _form_page(self, request, form, title):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "changelist_url": reverse(f"admin:correspondence_{self.model._meta.model_name}_changelist"),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/correspondence/form.html", context)


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("Frist")
    parameter_name = "frist"

    def lookups(self, request, model_admin):
        return [("overdue", gettext_lazy("überfällig")), ("open", gettext_lazy("offen, Frist läuft"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.overdue(today)
        if self.value() == "open":
            return queryset.open().filter(due_on__gte=today)
        return queryset


def _application_field(initial_pk, statuses=None):
    queryset = Application.objects.exclude(submitted_at=None).select_related("organisation")
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    return forms.ModelChoiceField(label=_("Antrag"), queryset=queryset, initial=initial_pk)


@admin.register(InformationRequest)
class InformationRequestAdmin(AcademyOnlyMixin, admin.ModelAdmin):
    list_display = ["application", "created_at", "due_on", "state", "created_by", "answered_at"]
    list_filter = [OverdueFilter, "status"]
    list_select_related = ["application__organisation", "created_by"]
    search_fields = ["application__reference_number", "application__organisation__name"]
    fields = [
        "application",
        "text",
        "due_on",
        "sections",
        "attachment_kinds",
        "status",
        "created_by",
        "created_at",
        "answer",
        "answered_by",
        "answered_at",
    ]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("Status"), ordering="status")
    def state(self, obj):
        if obj.status == InformationRequest.Status.OPEN and obj.due_on < timezone.localdate():
            return format_html('<strong class="errornote">{}</strong>', _("überfällig"))
        return obj.get_status_display()

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise Http404
        form = InformationRequestForm(request.POST or None)
        form.fields = {"application": _application_field(request.GET.get("application"), ASKABLE), **form.fields}
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.send_information_request(
                    application=data["application"],
                    text=data["text"],
                    due_on=data["due_on"],
                    sections=data["sections"],
                    attachment_kinds=data["attachment_kinds"],
                    by=request.user,
                )
            except services.CorrespondenceError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, _("Die Rückfrage wurde gesendet."), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:correspondence_informationrequest_changelist"))
        return self._form_page(request, form, _("Unterlagen nachfordern"))


@admin.register(Message)
class MessageAdmin(AcademyOnlyMixin, admin.ModelAdmin):
    list_display = ["application", "created_at", "sender", "short_text", "attachment"]
    list_filter = ["from_academy"]
    list_select_related = ["application__organisation", "author"]
    search_fields = ["application__reference_number", "application__organisation__name", "text"]
    fields = ["application", "author", "from_academy", "created_at", "text", "attachment", "sha256"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("von"))
    def sender(self, obj):
        return _("Akademie: %(user)s") % {"user": obj.author} if obj.from_academy else obj.author

    @admin.display(description=gettext_lazy("Nachricht"))
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 80 else obj.text[:79] + "…"

    @admin.display(description=gettext_lazy("Anlage"))
    def attachment(self, obj):
        if not obj.file:
            return "–"
        url = reverse("admin:correspondence_message_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise Http404
        form = MessageForm(request.POST or None, request.FILES or None)
        form.fields = {"application": _application_field(request.GET.get("application")), **form.fields}
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.post_message(
                    application=data["application"], author=request.user, text=data["text"], uploaded_file=data["file"]
                )
            except ValidationError as error:
                form.add_error("file", error)
            except services.CorrespondenceError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, _("Die Nachricht wurde gesendet."), messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:correspondence_message_changelist")
                    + f"?application__id__exact={data['application'].pk}"
                )
        return self._form_page(request, form, _("Nachricht an die Kommune"))

    def download_view(self, request, pk):
        message = get_object_or_404(self.get_queryset(request).exclude(file=""), pk=pk)
        return file_response(message.file, filename=message.original_name, content_type=message.content_type)

    def get_urls(self):
        return [
            path(
                "<int:pk>/anlage/",
                self.admin_site.admin_view(self.download_view),
                name="correspondence_message_download",
            ),
            *super().get_urls(),
        ]


class MessageInline(RecordAdminMixin, admin.TabularInline):
    """The thread with the municipality on the application's admin page (academy staff only)."""

    model = Message
    extra = 0
    fields = ["created_at", "sender", "text", "attachment"]
    readonly_fields = fields
    ordering = ["created_at", "pk"]
    verbose_name = gettext_lazy("Nachricht")
    verbose_name_plural = gettext_lazy("Nachrichten mit der Kommune")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    sender = MessageAdmin.sender
    attachment = MessageAdmin.attachment


class InformationRequestInline(RecordAdminMixin, admin.TabularInline):
    """The application's requests for missing items (academy staff only)."""

    model = InformationRequest
    extra = 0
    fields = ["created_at", "text", "due_on", "status", "answered_at", "answer"]
    readonly_fields = fields
    ordering = ["created_at", "pk"]


@admin.register(RequestReminder)
class RequestReminderAdmin(AcademyOnlyMixin, admin.ModelAdmin):
    list_display = ["request", "due_on", "status", "claimed_at", "sent_at", "attempts", "last_error"]
    list_filter = ["status"]
    list_select_related = ["request__application__organisation"]
    fields = [
        "request",
        "due_on",
        "status",
        "claimed_at",
        "sent_at",
        "attempts",
        "recipients",
        "message_id",
        "last_error",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False
