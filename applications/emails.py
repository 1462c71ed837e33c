"""E-mails of the applicant side; each takes primary keys so a task can call it."""

from django.urls import reverse

from accounts.roles import academy_staff_users
from foerderportal.mail import send_templated_mail

from .models import Membership
from .selectors import confirmed_member_emails


def send_membership_requested(membership_id):
    """Tell confirmed colleagues — or, for the first member, the academy — that someone asks to join."""
    membership = Membership.objects.select_related("user", "organisation").get(pk=membership_id)
    recipients = confirmed_member_emails(membership.organisation_id)
    first_member = not recipients
    if first_member:
        recipients = list(academy_staff_users().values_list("email", flat=True))
    return send_templated_mail(
        "membership_requested",
        {"membership": membership, "first_member": first_member, "url": reverse("applications:members")},
        recipients,
        key=f"mitgliedschaft.m{membership.pk}.anfrage",
    )


def send_membership_confirmed(membership_id):
    membership = Membership.objects.select_related("user", "organisation").get(pk=membership_id)
    return send_templated_mail(
        "membership_confirmed",
        {"membership": membership, "url": reverse("applications:dashboard")},
        [membership.user.email],
        key=f"mitgliedschaft.m{membership.pk}.bestaetigt",
    )
