"""One way to send an e-mail: subject, text and HTML from templates, in German."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.translation import override


def send_templated_mail(template, context, recipients):
    """Render ``emails/<template>_subject.txt``, ``.txt`` and ``.html`` and send them."""
    recipients = [r for r in recipients if r]
    if not recipients:
        return 0
    context = {"site_url": settings.SITE_URL, **context}
    with override("de"):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, recipients)
    message.attach_alternative(html, "text/html")
    return message.send()
