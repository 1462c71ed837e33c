"""The footer's pages, the contact form and the public page of a call with its documents."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.limits import allow_mail
from foerderportal.files import file_response

from . import selectors, services
from .forms import ContactForm
from .models import Page
from .rendering import render_body


@require_safe
def page(request, slug):
    shown = selectors.page(slug)
    return render(
        request,
        "pages/page.html",
        {
            "page": shown,
            "body": render_body(shown.body),
            "is_accessibility": slug == Page.Slug.ACCESSIBILITY,
            # The Impressum's mandatory parts come from the contact data, not from the page text.
            "contact": selectors.contact_details() if slug == Page.Slug.IMPRESSUM else None,
        },
    )


def contact(request):
    intro = Page.objects.filter(slug=Page.Slug.CONTACT).first()
    form = ContactForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.is_spam():  # the honeypot: answered like a success, nothing stored or sent
            messages.success(request, _("Vielen Dank. Ihre Nachricht ist bei uns eingegangen."))
            return redirect("pages:contact")
        data = form.cleaned_data
        if allow_mail(request, kind="contact", address=data["email"]):
            services.send_contact_message(
                name=data["name"],
                email=data["email"],
                subject=data["subject"],
                message=data["message"],
                page=request.headers.get("Referer", "")[:300],
            )
            messages.success(request, _("Vielen Dank. Ihre Nachricht ist bei uns eingegangen."))
            return redirect("pages:contact")
        form.add_error(
            None,
            _("Sie haben in kurzer Zeit zu viele Nachrichten gesendet. Bitte versuchen Sie es in einer Stunde erneut."),
        )
        status = 429
    body = render_body(intro.body) if intro else ""
    context = {"form": form, "intro": intro, "body": body, "contact": selectors.contact_details()}
    return render(request, "pages/contact.html", context, status=status)


@require_safe
def funding_round(request, pk):
    now = timezone.now()
    shown = selectors.public_round(pk, now)
    return render(
        request,
        "pages/round.html",
        {
            "round": shown,
            "documents": selectors.round_documents(shown),
            "criteria": selectors.published_criteria(shown),
            "is_open": shown.accepts_submissions_at(now),
        },
    )


@require_safe
def round_document(request, pk, document_pk):
    document = selectors.round_document(selectors.public_round(pk, timezone.now()), document_pk)
    return file_response(document.file, filename=document.original_name, content_type=document.content_type)
