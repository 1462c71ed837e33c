"""Applicant pages of requests and messages: thin; rules in services, reads in selectors.

The application is looked up through ``applications_for_user`` (confirmed memberships), so another
organisation, a reviewer or a moderator gets a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.forms import SECTIONS_BY_SLUG
from applications.models import Attachment
from applications.selectors import applications_for_user
from foerderportal.files import file_response

from . import selectors, services
from .forms import AnswerForm, MessageForm


def _application_for(request, pk):
    application = get_object_or_404(applications_for_user(request.user), pk=pk)
    if application.submitted_at is None:
        raise Http404  # a draft has no correspondence yet
    return application


@login_required
def requests(request, pk):
    application = _application_for(request, pk)
    return render(
        request,
        "correspondence/requests.html",
        {
            "application": application,
            "requests": selectors.requests_of(application),
            "open_request": selectors.open_request_of(application),
            "reopened_sections": [SECTIONS_BY_SLUG[slug] for slug in application.reopened_sections],
            "reopened_kinds": [Attachment.Kind(kind).label for kind in application.reopened_attachment_kinds],
            "form": AnswerForm(),
        },
    )


@login_required
@require_POST
def answer(request, pk):
    application = _application_for(request, pk)
    information_request = selectors.open_request_of(application)
    if information_request is None:
        raise Http404
    form = AnswerForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else ""
    try:
        services.answer_information_request(information_request=information_request, user=request.user, text=text)
    except services.CorrespondenceError as error:
        messages.error(request, error.message)
        return redirect("correspondence:requests", pk=application.pk)
    messages.success(
        request,
        _("Der Antrag ist erneut eingereicht. Aktenzeichen: %(ref)s.") % {"ref": application.reference_number},
    )
    return redirect("applications:overview", pk=application.pk)


@login_required
def thread(request, pk):
    application = _application_for(request, pk)
    form = MessageForm()
    if request.method == "POST":
        form = MessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.post_message(
                    application=application,
                    author=request.user,
                    text=form.cleaned_data["text"],
                    uploaded_file=form.cleaned_data["file"],
                )
            except ValidationError as error:
                form.add_error("file", error)
            except services.CorrespondenceError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Ihre Nachricht wurde gesendet."))
                return redirect("correspondence:messages", pk=application.pk)
    return render(
        request,
        "correspondence/messages.html",
        {"application": application, "thread": selectors.messages_of(application), "form": form},
    )


@login_required
def download(request, pk, message_pk):
    application = _application_for(request, pk)
    message = get_object_or_404(selectors.messages_of(application).exclude(file=""), pk=message_pk)
    return file_response(message.file, filename=message.original_name, content_type=message.content_type)
