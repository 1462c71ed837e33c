from django.urls import reverse

from .twofactor import admin_gate, staff_gate


class StaffTwoFactorMiddleware:
    """A staff session passes the second factor before it sees anything but the steps to it.

    Admin URLs (lists, forms, custom views, their POSTs, the admin's login) pass
    ``accounts.twofactor.admin_gate``; every other page passes ``staff_gate``, so the moderators'
    pages (``/prozessbegleitung/``) and a staff member's portal pages are not open on the password
    alone. After ``OTPMiddleware``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        gate = admin_gate if request.path.startswith(reverse("admin:index")) else staff_gate
        response = gate(request)
        if response is not None:
            return response
        return self.get_response(request)
