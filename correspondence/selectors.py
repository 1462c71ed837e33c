"""Reads of requests and messages; applicant reads start from ``applications_for_user`` (404 otherwise)."""

from django.utils import timezone

from .models import InformationRequest, Message


def requests_of(application):
    return InformationRequest.objects.filter(application=application).select_related("created_by", "answered_by")


def open_request_of(application):
    return requests_of(application).open().first()


def messages_of(application):
    return Message.objects.filter(application=application).select_related("author")


def overdue_requests(now=None):
    return InformationRequest.objects.overdue(timezone.localdate(now or timezone.now()))
