"""Security headers the portal sets on its responses, next to Django's own (nosniff, referrer, frames)."""

from csp.middleware import CSPMiddleware
from django.conf import settings


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
