"""Admin helpers shared by every app: per-object actions, confirmation tokens, read-only history in
German, and links only to objects the viewer may open."""

import hashlib
import secrets

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers, widgets
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.template_utils import HistoricalRecordContextHelper

from .errors import DomainError
from .formatting import display_value


def for_each_object(modeladmin, request, queryset, call, *, label=str):
    """Call ``call(obj)`` per selected object through its service; returns the results that succeeded.

    A refused object (``DomainError``) gets its own error message naming it (``label(obj)``);
    the others go ahead. Admin actions stay thin: the rule is in the service.
    """
    results = []
    for obj in queryset:
        try:
            results.append(call(obj))
        except DomainError as error:
            modeladmin.message_user(request, f"{label(obj)}: {error.message}", messages.ERROR)
    return results


CONFIRMATION_FIELD = "confirmation"
CONFIRMATION_MAX_AGE = 30 * 60  # seconds: a confirmation page left open longer must be loaded again
_CONFIRMATION_SALT = "foerderportal.admin.confirmation"


def _confirmation_payload(request, action, ids, data):
    return {
        "user": request.user.pk,
        "action": action,
        "ids": sorted(str(pk) for pk in ids),
        "data": {key: "" if value is None else str(value) for key, value in sorted(data.items())},
    }


def confirmation_token(request, action, ids, **data):
    """A signed token for a confirmation page: binds the user, the action, the object ids and the data
    (amount, reasons …) so that only exactly what the page showed can be confirmed, for half an hour."""
    # A random part makes every page's token unique, so that using one never blocks the next page.
    payload = {"what": _confirmation_payload(request, action, ids, data), "nonce": secrets.token_hex(8)}
    return signing.dumps(payload, salt=_CONFIRMATION_SALT)


def is_confirmed(request, action, ids, **data):
    """True when the POST carries a valid, unexpired confirmation token for exactly this action."""
    token = request.POST.get(CONFIRMATION_FIELD, "")
    if not token:
        return False
    try:
        payload = signing.loads(token, salt=_CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        return False
    if not isinstance(payload, dict) or payload.get("what") != _confirmation_payload(request, action, ids, data):
        return False
    # Single use: a page confirmed once (then, say, the proposal discarded) cannot be re-posted.
    used = "confirmation-used:" + hashlib.sha256(token.encode()).hexdigest()
    return cache.add(used, True, timeout=CONFIRMATION_MAX_AGE)


def may_open(admin_site, request, obj):
    """True when ``request.user`` may open ``obj``'s admin page: its admin grants the view permission and
    its queryset (which the apps restrict per role) contains it. Links to anything else would end in 403/404."""
    model_admin = admin_site._registry.get(type(obj))
    if model_admin is None or not model_admin.has_view_permission(request, obj):
        return False
    return model_admin.get_queryset(request).filter(pk=obj.pk).exists()


class PermittedLinkReadonlyField(helpers.AdminReadonlyField):
    """A read-only foreign key links to its admin page only when the viewer may open it.

    Django links every read-only foreign key to the related change page, whatever the viewer may
    see, so reviewers and moderators met links that answer 403 (the user who acted, the round, the
    organisation). Installed for every admin page in ``foerderportal.apps``; the request comes from
    simple_history's middleware, which holds it for the whole request, rendering included.
    """

    def get_admin_url(self, remote_field, remote_obj):
        request = getattr(HistoricalRecords.context, "request", None)
        if request is not None and not may_open(self.model_admin.admin_site, request, remote_obj):
            return str(remote_obj)
        return super().get_admin_url(remote_field, remote_obj)


def install_permitted_links():
    helpers.AdminReadonlyField = PermittedLinkReadonlyField


def _german(field, value):
    """A stored value as a person reads it: the choice's label, German dates and numbers, "–" for nothing."""
    if value is None or value == "" or value == []:
        return "–"
    choices = dict(field.flatchoices) if getattr(field, "flatchoices", None) else None
    if choices:
        if isinstance(value, list):
            return ", ".join(str(choices.get(item, item)) for item in value)
        return str(choices.get(value, value))
    return display_value(value)


class GermanHistoryContextHelper(HistoricalRecordContextHelper):
    """The "Änderungen" column of a history page: field labels with German values (no raw codes, no "None")."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        return _german(self.model._meta.get_field(change.field), value)


class ReadOnlyHistoryMixin:
    """simple_history's pages, restricted to what ``get_queryset`` lets the user see, in German.

    simple_history falls back to the historical records when the object is not in the
    queryset, and its per-version page can "revert" an object. Both would bypass our
    rules: the history is only shown for visible objects, and nothing is ever reverted
    (status changes happen in the services only). A version page shows every field read-only,
    also to a reviewer who may change the current review. The list names who changed what, with
    a link to that person only for viewers who may open accounts.
    """

    object_history_list_template = "admin/history/object_history_list.html"

    def revert_disabled(self, request, obj=None):
        return True

    def history_view_title(self, request, obj):
        return gettext("Änderungsprotokoll: %(object)s") % {"object": obj}

    def history_form_view_title(self, request, obj):
        return gettext("Stand vom %(time)s: %(object)s") % {
            "time": display_value(request._history_version_date),
            "object": obj,
        }

    def get_historical_record_context_helper(self, request, historical_record):
        return GermanHistoryContextHelper(self.model, historical_record)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        # The extra columns (``history_list_display``) as labels and German values.
        for record in historical_records:
            record.history_columns = [
                _german(self._history_field(column), getattr(record, column, None))
                for column in self.history_list_display
            ]

    def _history_field(self, name):
        try:
            return self.model._meta.get_field(name)
        except Exception:  # a method column: no choices to translate
            return None

    def _check_visible(self, request, object_id):
        try:
            visible = self.get_queryset(request).filter(pk=unquote(object_id)).exists()
        except (ValueError, ValidationError):
            visible = False
        if not visible:
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._check_visible(request, object_id)
        user_admin = self.admin_site._registry.get(get_user_model())
        context = {
            "history_columns": [
                capfirst(field.verbose_name) if (field := self._history_field(column)) else column
                for column in self.history_list_display
            ],
            "link_users": bool(user_admin and user_admin.has_view_permission(request)),
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, context)

    def get_readonly_fields(self, request, obj=None):
        if getattr(request, "_history_version_date", None):
            # Every field of the form, as text: a past version is read, never edited.
            editable = [f.name for f in self.model._meta.fields if f.editable and not f.auto_created]
            return [*dict.fromkeys([*super().get_readonly_fields(request, obj), *editable])]
        return super().get_readonly_fields(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        self._check_visible(request, object_id)
        history = getattr(self.model, self.model._meta.simple_history_manager_attribute)
        try:
            version = history.filter(
                **{self.model._meta.pk.attname: unquote(object_id), "history_id": version_id}
            ).first()
        except (ValueError, ValidationError):
            version = None
        if version is None:
            raise Http404
        request._history_version_date = version.history_date
        return super().history_form_view(request, object_id, version_id, extra_context)


def _part_names(widget):
    if isinstance(widget, widgets.AdminSplitDateTime):
        return [gettext("Datum"), gettext("Zeit")]
    return [gettext("Teil %(number)s") % {"number": n} for n in range(1, len(widget.widgets) + 1)]


def _name_widget(widget, name):
    """``aria-label`` on the widget, or on each input of a widget made of several ("Frist (Datum)")."""
    if isinstance(widget, forms.MultiWidget):
        for part, subwidget in zip(_part_names(widget), widget.widgets, strict=True):
            subwidget.attrs["aria-label"] = f"{name} ({part})"
    else:
        widget.attrs["aria-label"] = name


def _labelled(formset_class):
    """The formset class with an accessible name on every input of every row: "<column>: <row>"
    (a cell's input has no <label>, and the column header alone does not say which row it is)."""

    class LabelledFormSet(formset_class):
        def add_fields(self, form, index):
            super().add_fields(form, index)
            if form.instance.pk:
                row = str(form.instance)
            elif index is None:  # the template row that "add another" copies
                row = gettext("neue Zeile")
            else:
                row = gettext("neue Zeile %(number)s") % {"number": index + 1}
            for name, field in form.fields.items():
                if not field.widget.is_hidden:
                    _name_widget(field.widget, f"{field.label or capfirst(name)}: {row}")

    LabelledFormSet.__name__ = formset_class.__name__
    return LabelledFormSet


class LabelledInputsMixin:
    """Accessible names for the inputs the admin renders without a <label> (axe: "label", critical).

    - inline-editable list columns (``list_editable``) and tabular inlines: "<column>: <row>";
    - split date/time fields (Django's ``AdminSplitDateTime``: since Django 4 its label points at
      neither input): "<field> (Datum)", "<field> (Zeit)".
    For a ``ModelAdmin`` and for an ``InlineModelAdmin`` alike.
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(formfield.widget, forms.MultiWidget):
            _name_widget(formfield.widget, str(formfield.label or capfirst(db_field.verbose_name)))
        return formfield

    def get_changelist_formset(self, request, **kwargs):
        return _labelled(super().get_changelist_formset(request, **kwargs))

    def get_formset(self, request, obj=None, **kwargs):
        return _labelled(super().get_formset(request, obj, **kwargs))


class RecordAdminMixin:
    """Records of the procedure (applications, decisions, letters, reminder logs): staff read them;
    they come from the services and are never added, edited or deleted in the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    """An object's audit trail, read-only, in German: local time, person, action, facts."""

    extra = 0
    can_delete = False
    fields = ["when", "actor", "what", "details"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Zeitpunkt"))
    def when(self, event):
        return event.local_time

    @admin.display(description=_("Aktion"))
    def what(self, event):
        return event.action_label

    @admin.display(description=_("Angaben"))
    def details(self, event):
        return event.details
