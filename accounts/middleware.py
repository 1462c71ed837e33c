from django.urls import reverse

from .twofactor import admin_gate


class AdminTwoFactorMiddleware:
    """Every admin URL (lists, forms, custom views, their POSTs, the admin's login) passes
    ``accounts.twofactor.admin_gate`` first; after ``OTPMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(reverse("admin:index")):
            response = admin_gate(request)
            if response is not None:
                return response
        return self.get_response(request)
