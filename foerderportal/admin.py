"""Admin helpers shared by every app: per-object actions, confirmation tokens and read-only history."""

import hashlib
import secrets

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from .errors import DomainError


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


class ReadOnlyHistoryMixin:
    """simple_history's pages, restricted to what ``get_queryset`` lets the user see.

    simple_history falls back to the historical records when the object is not in the
    queryset, and its per-version page can "revert" an object. Both would bypass our
    rules: the history is only shown for visible objects, and nothing is ever reverted
    (status changes happen in the services only).
    """

    def revert_disabled(self, request, obj=None):
        return True

    def _check_visible(self, request, object_id):
        try:
            visible = self.get_queryset(request).filter(pk=unquote(object_id)).exists()
        except (ValueError, ValidationError):
            visible = False
        if not visible:
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._check_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        self._check_visible(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


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
