"""Security headers the portal sets on its responses, next to Django's own (nosniff, referrer, frames),
and the German answer to a download whose storage is down."""

import logging

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.shortcuts import render

from .files import StorageUnavailable

logger = logging.getLogger(__name__)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy (``CONTENT_SECURITY_POLICY``) on every page, never on a file.

    Downloads and inline files (``foerderportal.files.responses``: anything with a
    ``Content-Disposition``) carry their own policy, the sandbox for downloads; the portal's
    policy would neither add to it nor belong on a PDF shown in the browser's viewer.
    """

    def process_response(self, request, response):
        if response.has_header("Content-Disposition"):
            response._csp_exempt = True
            response._csp_exempt_ro = True
        return super().process_response(request, response)


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` (settings.PERMISSIONS_POLICY) on every response that has none yet."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy and not response.has_header("Permissions-Policy"):
            response["Permissions-Policy"] = policy
        return response


class StorageUnavailableMiddleware:
    """A download whose storage does not answer (``files.StorageUnavailable``): a German page with
    503 and ``Retry-After`` instead of a 500; the cause goes to the log for the operators."""

    RETRY_AFTER_SECONDS = 120

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, StorageUnavailable):
            return None
        logger.error("Dateispeicher nicht erreichbar beim Abruf von %s", exception, exc_info=exception)
        response = render(request, "503.html", status=503)
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
