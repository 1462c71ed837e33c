"""Requests for missing items and the message thread: every write, in a transaction, on locked rows.

A request reopens the named sections and attachment kinds through ``applications.services``
(``reopen_for_request``; the application shows "Rückfrage offen"); the answer re-submits it
(``resubmit_application``: same reference number, the change recorded as a diff). Every message goes
to the other side by e-mail, once per recipient (``notify_message``), and everything is in the
application's audit trail.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import is_academy_staff
from applications import services as application_services
from applications.models import Application
from applications.selectors import confirmed_members
from foerderportal.audit import log_event
from foerderportal.errors import DomainError
from foerderportal.files import store_upload

from . import tasks
from .models import InformationRequest, Message


class CorrespondenceError(DomainError):
    """A rule of requests and messages refused the action; ``message`` is German."""


def _is_confirmed_member(user, application):
    return confirmed_members(application.organisation_id).filter(user=user).exists()


# --- requests for missing items ----------------------------------------------------


@transaction.atomic
def send_information_request(
    *,
    application: Application,
    text: str,
    due_on: date,
    by,
    sections: list[str] = (),
    attachment_kinds: list[str] = (),
    now=None,
) -> InformationRequest:
    """Academy staff ask for missing items: the named sections and attachment kinds reopen until the
    applicant re-submits; the request goes to the municipality as a message in the thread."""
    now = now or timezone.now()
    if not is_academy_staff(by):
        raise CorrespondenceError(_("Nur Mitarbeitende der Akademie können Unterlagen nachfordern."))
    if not text.strip():
        raise CorrespondenceError(_("Bitte beschreiben Sie, was fehlt oder zu klären ist."))
    if due_on <= timezone.localdate(now):
        raise CorrespondenceError(_("Die Frist muss in der Zukunft liegen."))
    try:
        application_services.reopen_for_request(
            application=application,
            sections=list(sections),
            attachment_kinds=list(attachment_kinds),
            by=by,
            due_on=due_on,
        )
    except application_services.ApplicationError as error:
        raise CorrespondenceError(error.message) from error
    request = InformationRequest.objects.create(
        application=application,
        text=text,
        due_on=due_on,
        sections=list(sections),
        attachment_kinds=list(attachment_kinds),
        created_by=by,
    )
    _create_message(
        application=application,
        author=by,
        from_academy=True,
        text=_("Rückfrage der Akademie (Frist: %(due)s):\n\n%(text)s")
        % {"due": due_on.strftime("%d.%m.%Y"), "text": text},
    )
    return request


@transaction.atomic
def answer_information_request(
    *, information_request: InformationRequest, user, text: str = "", now=None
) -> InformationRequest:
    """A confirmed member answers and re-submits; the reference number stays, the diff is recorded."""
    now = now or timezone.now()
    request = (
        InformationRequest.objects.select_for_update().select_related("application").get(pk=information_request.pk)
    )
    if request.status != InformationRequest.Status.OPEN:
        raise CorrespondenceError(_("Diese Rückfrage ist bereits beantwortet."))
    try:
        application = application_services.resubmit_application(application=request.application, user=user, now=now)
    except application_services.ApplicationError as error:
        raise CorrespondenceError(error.message, missing=error.missing) from error
    request.status = InformationRequest.Status.ANSWERED
    request.answer, request.answered_by, request.answered_at = text.strip(), user, now
    request.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    log_event(application, user, "request_answered", message=request.answer)
    if request.answer:
        _create_message(application=application, author=user, from_academy=False, text=request.answer)
    return request


# --- the thread ----------------------------------------------------------------------


@transaction.atomic
def post_message(*, application: Application, author, text: str, uploaded_file=None) -> Message:
    """A message from a confirmed member or from academy staff, with an optional checked attachment."""
    if is_academy_staff(author):
        from_academy = True
    elif _is_confirmed_member(author, application):
        from_academy = False
    else:
        raise CorrespondenceError(_("Nachrichten zu diesem Antrag können Sie nicht senden."))
    if not text.strip():
        raise CorrespondenceError(_("Bitte geben Sie eine Nachricht ein."))
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.submitted_at is None:
        raise CorrespondenceError(_("Nachrichten gibt es erst zu eingereichten Anträgen."))
    return _create_message(
        application=application, author=author, from_academy=from_academy, text=text, uploaded_file=uploaded_file
    )


def _create_message(*, application, author, from_academy, text, uploaded_file=None):
    message = Message(application=application, author=author, from_academy=from_academy, text=text)
    facts = {}
    if uploaded_file is not None:
        checked = store_upload(message, uploaded_file)  # raises UploadRejected with a German message
        facts = {"name": checked.safe_name, "sha256": checked.sha256}
    message.save()
    log_event(application, author, "message_sent", **facts)
    transaction.on_commit(lambda: tasks.notify_message.delay(message.pk), robust=True)
    return message
