"""The footer's pages, the contact form and the public page of a call with its documents."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pages import services
from pages.models import ContactDetails, ContactMessage, Page, RoundCall, RoundDocument
from pages.rendering import render_body
from tests.conftest import make_pdf
from tests.factories import ApplicationFactory, CriterionFactory, FundingRoundFactory, MembershipFactory
from tests.pages.conftest import create_default_pages

pytestmark = pytest.mark.django_db

FOOTER = [
    "pages:impressum",
    "privacy",
    "pages:accessibility",
    "pages:easy_language",
    "pages:sign_language",
    "pages:contact",
]


def _document(funding_round, title="Richtlinie"):
    upload = SimpleUploadedFile("richtlinie.pdf", make_pdf(title), content_type="application/pdf")
    return services.save_round_document(
        document=RoundDocument(funding_round=funding_round, title=title), uploaded_file=upload
    )


@pytest.fixture
def world(db):
    open_round = FundingRoundFactory()
    future = FundingRoundFactory(opens_at=open_round.deadline, deadline=open_round.deadline.replace(year=2099))
    return {"round": open_round, "future": future, "document": _document(open_round), "other": _document(future)}


# Public rounds: a round whose period has not begun is a 404, and a document only through its own round.
PAGES_URLS = [
    ("pages:round", lambda w: {"pk": w["future"].pk}, 404),
    ("pages:round_document", lambda w: {"pk": w["future"].pk, "document_pk": w["other"].pk}, 404),
    ("pages:round_document", lambda w: {"pk": w["round"].pk, "document_pk": w["other"].pk}, 404),
]


@pytest.mark.parametrize(("name", "kwargs", "status"), PAGES_URLS)
def test_unpublished_round_and_foreign_documents_are_404(client, world, name, kwargs, status):
    assert client.get(reverse(name, kwargs=kwargs(world))).status_code == status


def test_the_data_migration_creates_the_five_pages():
    Page.objects.all().delete()
    create_default_pages()
    assert set(Page.objects.values_list("slug", flat=True)) == set(Page.Slug.values)
    statement = Page.objects.get(slug=Page.Slug.ACCESSIBILITY).body
    assert "teilweise" in statement and "Ombudsstelle" in statement and "L-BGG" in statement


def _footer_links(response):
    return [reverse(name) for name in FOOTER if f'href="{reverse(name)}"' in response.content.decode()]


def test_footer_links_on_start_login_dashboard_and_application_pages(client):
    expected = [reverse(name) for name in FOOTER]
    assert _footer_links(client.get(reverse("home"))) == expected
    assert _footer_links(client.get(reverse("accounts:login"))) == expected
    membership = MembershipFactory()
    application = ApplicationFactory(organisation=membership.organisation)
    client.force_login(membership.user)
    assert _footer_links(client.get(reverse("applications:dashboard"))) == expected
    assert _footer_links(client.get(reverse("applications:overview", args=[application.pk]))) == expected


@pytest.mark.parametrize("name", [n for n in FOOTER if n.startswith("pages:")])
def test_every_footer_page_answers(client, name):
    assert client.get(reverse(name)).status_code == 200


def test_page_body_is_escaped_and_rendered():
    html = render_body(
        "## Kopf\n\nText <script>x</script> [Kontakt](/kontakt/) [böse](javascript:alert(1))\n\n- a\n- b"
    )
    assert "<h2>Kopf</h2>" in html and "<ul><li>a</li><li>b</li></ul>" in html
    assert "&lt;script&gt;" in html and '<a href="/kontakt/">Kontakt</a>' in html
    assert 'href="javascript' not in html


def test_staff_edit_a_page_in_the_admin_with_history(client, academy):
    page = Page.objects.get(slug=Page.Slug.IMPRESSUM)
    before = page.history.count()
    client.force_login(academy)
    url = reverse("admin:pages_page_change", args=[page.pk])
    response = client.post(url, {"title": "Impressum", "body": "Neuer Text <b>fett</b>"})
    assert response.status_code == 302
    assert page.history.count() == before + 1
    assert page.history.latest().history_user == academy
    shown = client.get(reverse("pages:impressum")).content.decode()
    assert "Neuer Text &lt;b&gt;fett&lt;/b&gt;" in shown


def test_reviewers_cannot_edit_pages(client, reviewer):
    page = Page.objects.get(slug=Page.Slug.IMPRESSUM)
    client.force_login(reviewer)
    response = client.post(reverse("admin:pages_page_change", args=[page.pk]), {"title": "X", "body": "Y"})
    assert response.status_code in (302, 403, 404)
    page.refresh_from_db()
    assert page.title == "Impressum"


CONTACT = {"name": "Erika", "email": "erika@example.org", "subject": "Frage", "message": "Wann endet die Frist?"}


def test_contact_form_stores_and_mails_once(client, django_capture_on_commit_callbacks, settings):
    settings.CONTACT_EMAIL = "kontakt@akademie.example"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pages:contact"), CONTACT)
    assert response.status_code == 302
    contact = ContactMessage.objects.get()
    assert contact.sent_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["kontakt@akademie.example"]
    assert mail.outbox[0].reply_to == [] or "erika@example.org" in mail.outbox[0].extra_headers.get("Reply-To", "")
    assert "Wann endet die Frist?" in mail.outbox[0].body
    from pages.mailing import mail_contact_message

    assert mail_contact_message(contact_id=contact.pk) is False  # a rerun of the task sends nothing
    assert len(mail.outbox) == 1


def test_contact_form_honeypot_stores_nothing(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pages:contact"), {**CONTACT, "website": "http://spam.example"})
    assert response.status_code == 302
    assert not ContactMessage.objects.exists()
    assert mail.outbox == []


def test_contact_form_is_throttled(client, settings, django_capture_on_commit_callbacks):
    settings.ACCOUNT_MAIL_LIMIT_PER_ADDRESS = 2
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            assert client.post(reverse("pages:contact"), CONTACT).status_code == 302
        response = client.post(reverse("pages:contact"), CONTACT)
    assert response.status_code == 429
    assert "zu viele Nachrichten" in response.content.decode()
    assert ContactMessage.objects.count() == 2
    assert len(mail.outbox) == 2


def test_contact_form_labels_in_german(client):
    html = client.get(reverse("pages:contact")).content.decode()
    assert "Ihre Nachricht" in html and "Ihre E-Mail-Adresse" in html


def test_round_page_linked_from_start_and_dashboard(client, world):
    url = reverse("pages:round", args=[world["round"].pk])
    assert url in client.get(reverse("home")).content.decode()
    membership = MembershipFactory()
    client.force_login(membership.user)
    assert url in client.get(reverse("applications:dashboard")).content.decode()


def test_round_page_shows_documents_and_criteria_once_published(client, world):
    funding_round = world["round"]
    funding_round.legal_basis = "Förderaufruf vom 1. Juli 2026"
    funding_round.save()
    CriterionFactory(funding_round=funding_round, title="Beteiligung der Zivilgesellschaft", weight=2)
    CriterionFactory(funding_round=funding_round, title="Nachhaltigkeit", weight=Decimal("1.5"))
    url = reverse("pages:round", args=[funding_round.pk])
    html = client.get(url).content.decode()
    assert "Förderaufruf vom 1. Juli 2026" in html
    assert reverse("pages:round_document", args=[funding_round.pk, world["document"].pk]) in html
    assert "Beteiligung der Zivilgesellschaft" not in html
    RoundCall.objects.create(funding_round=funding_round, criteria_published=True)
    html = client.get(url).content.decode()
    assert "Beteiligung der Zivilgesellschaft" in html
    # Weights as printed in a call: "2" and "1,5", not "2,00" or "1,50".
    assert "<td>2</td>" in html and "<td>1,5</td>" in html and "1,50" not in html


def test_round_document_download_has_safe_headers(client, world):
    response = client.get(reverse("pages:round_document", args=[world["round"].pk, world["document"].pk]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_round_document_upload_is_checked():
    from foerderportal.files import UploadRejected

    bad = SimpleUploadedFile("x.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises(UploadRejected):
        services.save_round_document(
            document=RoundDocument(funding_round=FundingRoundFactory(), title="x"), uploaded_file=bad
        )


def test_staff_read_contact_messages_in_the_admin(client, academy, reviewer):
    services.send_contact_message(**CONTACT)
    client.force_login(academy)
    assert "erika@example.org" in client.get(reverse("admin:pages_contactmessage_changelist")).content.decode()
    contact = ContactMessage.objects.get()
    assert (
        "Wann endet die Frist?"
        in client.get(reverse("admin:pages_contactmessage_change", args=[contact.pk])).content.decode()
    )
    client.force_login(reviewer)
    assert client.get(reverse("admin:pages_contactmessage_changelist")).status_code == 403


def test_staff_upload_a_round_document_in_the_admin(client, academy):
    funding_round = FundingRoundFactory()
    client.force_login(academy)
    upload = SimpleUploadedFile("leitfaden.pdf", make_pdf("Leitfaden"), content_type="application/pdf")
    response = client.post(
        reverse("admin:pages_rounddocument_add"),
        {"funding_round": funding_round.pk, "title": "Leitfaden", "position": 0, "upload": upload},
    )
    assert response.status_code == 302
    document = RoundDocument.objects.get()
    assert document.original_name == "leitfaden.pdf" and document.content_type == "application/pdf"
    bad = SimpleUploadedFile("b.pdf", b"MZ kein PDF", content_type="application/pdf")
    response = client.post(
        reverse("admin:pages_rounddocument_add"),
        {"funding_round": funding_round.pk, "title": "Böse", "position": 1, "upload": bad},
    )
    assert response.status_code == 200 and RoundDocument.objects.count() == 1


# --- the academy's contact data (Impressum, contact page) -------------------------------------


def test_seeded_pages_name_the_academy_and_contain_no_placeholders(client):
    for slug in Page.Slug.values:
        assert "Platzhalter" not in Page.objects.get(slug=slug).body, slug
    impressum = client.get(reverse("pages:impressum")).content.decode()
    assert "Anbieter (§ 5 DDG)" in impressum
    assert "Führungsakademie Baden-Württemberg" in impressum and "Hans-Thoma-Straße 1" in impressum
    assert "76133 Karlsruhe" in impressum
    assert "Ministerium für Soziales, Gesundheit und Integration Baden-Württemberg" in impressum
    # Nothing invented: what the operator has not entered is not shown.
    assert "Telefon" not in impressum and "Vertreten durch" not in impressum and ".example" not in impressum
    assert "76133 Karlsruhe" in client.get(reverse("pages:contact")).content.decode()


CONTACT_DETAILS = {
    "organisation": "Führungsakademie Baden-Württemberg",
    "street": "Hans-Thoma-Straße 1",
    "postcode": "76133",
    "city": "Karlsruhe",
    "represented_by": "Dr. Erika Beispiel, Direktorin",
    "phone": "0721 123 456",
    "email": "foerderportal@akademie.example",
    "commissioned_by": "Ministerium für Soziales, Gesundheit und Integration Baden-Württemberg",
    "content_responsible": "Max Muster, Anschrift wie oben",
}


def test_academy_staff_edit_the_contact_data_with_history_and_confirmation(client, academy):
    details = ContactDetails.objects.get()
    url = reverse("admin:pages_contactdetails_change", args=[details.pk])
    client.force_login(academy)
    page = client.get(url).content.decode()
    assert (
        "Im Impressum fehlt noch: Vertreten durch, Verantwortlich für den Inhalt, Telefon oder E-Mail-Adresse" in page
    )
    assert "noch nicht als geprüft bestätigt" in page

    assert client.post(url, {**CONTACT_DETAILS, "confirm": "on"}).status_code == 302
    details.refresh_from_db()
    assert details.confirmed_by == academy and details.confirmed_at is not None
    assert details.history.latest().history_user == academy
    impressum = client.get(reverse("pages:impressum")).content.decode()
    assert "Dr. Erika Beispiel, Direktorin" in impressum
    assert '<a href="tel:0721123456">0721 123 456</a>' in impressum
    assert '<a href="mailto:foerderportal@akademie.example">' in impressum
    assert "Max Muster, Anschrift wie oben" in impressum
    assert '<a href="tel:0721123456">' in client.get(reverse("pages:contact")).content.decode()

    # Saved again unchanged: still confirmed. Changed without the check: the confirmation is withdrawn.
    client.post(url, CONTACT_DETAILS)
    details.refresh_from_db()
    assert details.confirmed_at is not None
    client.post(url, {**CONTACT_DETAILS, "phone": "0721 654 321"})
    details.refresh_from_db()
    assert (details.phone, details.confirmed_at, details.confirmed_by) == ("0721 654 321", None, None)


def test_contact_data_refuse_a_wrong_postcode_in_german(client, academy):
    details = ContactDetails.objects.get()
    client.force_login(academy)
    response = client.post(
        reverse("admin:pages_contactdetails_change", args=[details.pk]), {**CONTACT_DETAILS, "postcode": "7613"}
    )
    assert response.status_code == 200
    assert "Bitte geben Sie eine fünfstellige Postleitzahl an." in response.content.decode()


def test_reviewers_cannot_change_the_contact_data(client, reviewer):
    details = ContactDetails.objects.get()
    client.force_login(reviewer)
    url = reverse("admin:pages_contactdetails_change", args=[details.pk])
    assert client.post(url, {**CONTACT_DETAILS, "phone": "0"}).status_code in (302, 403, 404)
    details.refresh_from_db()
    assert details.phone == ""
