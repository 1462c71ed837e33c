"""Load demo data: idempotent, so `make run` can call it every time."""

import csv
import hashlib
import io
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from pypdf import PdfWriter

from accounts.roles import ACADEMY_GROUP, REVIEWER_GROUP, ensure_roles
from applications import services
from applications.models import (
    Application,
    Attachment,
    FundingRound,
    Membership,
    Organisation,
    OrganisationKind,
    Programme,
    Region,
)
from demo import facilitation as facilitation_demo
from demo.twofactor import current_demo_code, ensure_demo_device, grouped_secret
from reviews import services as review_services
from reviews.models import Criterion, Recommendation

BERLIN = ZoneInfo("Europe/Berlin")
DEMO_CSV = Path(__file__).resolve().parents[2] / "organisations.csv"
KINDS = {
    "Gemeinde": OrganisationKind.GEMEINDE,
    "Stadt": OrganisationKind.STADT,
    "Große Kreisstadt": OrganisationKind.GROSSE_KREISSTADT,
    "Stadtkreis": OrganisationKind.STADTKREIS,
    "Landkreis": OrganisationKind.LANDKREIS,
}
REGIONS = {label: value for value, label in Region.choices}
# A real Gemeindeverwaltungsverband; its 12-digit key is left to the GV100AD import.
EXTRA_ORGANISATIONS = [
    {
        "name": "Gemeindeverwaltungsverband Plochingen",
        "kind": OrganisationKind.GVV,
        "key": None,
        "county": "Landkreis Esslingen",
        "region": Region.STUTTGART,
        "selected": False,
    },
]
APPLICANT_EMAIL = "antrag@demo.example"
APPLICANT_PASSWORD = "Demo-Antrag-2020"
STAFF_EMAIL = "akademie@demo.example"
STAFF_PASSWORD = "Demo-Akademie-2020"
REVIEWER_EMAIL = "gutachter@demo.example"
REVIEWER_PASSWORD = "Demo-Gutachter-2020"
CRITERIA = [
    ("Bedarf und Ausgangslage", "Wie klar sind Integrationssituation und Bedarf vor Ort beschrieben?", 3, 10),
    (
        "Beteiligung von Zivilgesellschaft und Migrantenorganisationen",
        "Wie werden Engagierte, Vereine und Menschen mit Migrationsgeschichte einbezogen?",
        3,
        10,
    ),
    ("Politische Rückendeckung", "Beschluss des Gremiums, Unterstützung durch Verwaltungsspitze.", 2, 10),
    ("Umsetzbarkeit und Nachhaltigkeit", "Ressourcen, Projektleitung, Verstetigung der Strukturen.", 2, 10),
]
DEMO_TEXT = (
    "Demo-Text: In unserer Kommune leben Menschen aus über 90 Nationen. Vereine, Kirchengemeinden, "
    "ein Freundeskreis Asyl und zwei Migrantenorganisationen engagieren sich bereits."
)


def end_of_day(day):
    return datetime.combine(day, time(23, 59, 59), tzinfo=BERLIN)


class Command(BaseCommand):
    help = "Lädt Demo-Daten (Programm, Förderrunden, Kommunen, Demo-Konten). Mehrfach ausführbar."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Auch ohne DEBUG ausführen.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo-Daten werden nur mit DEBUG=true geladen (oder mit --force).")
        # Demo accounts are fictitious: their notification e-mails go nowhere.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), transaction.atomic():
            self.load()

    def load(self):
        organisations = self.load_organisations()
        programme, rounds = self.load_rounds()
        ensure_roles()
        applicant, staff = self.load_users(organisations)
        reviewer = self.load_reviewer()
        for funding_round in rounds.values():
            self.load_criteria(funding_round)
        self.load_applications(rounds, organisations, applicant, staff)
        self.review_and_award(rounds["IBE-2020"], staff, reviewer)
        self.stdout.write(
            self.style.SUCCESS(f"Demo-Daten geladen: {len(organisations)} Organisationen, {len(rounds)} Förderrunden.")
        )
        self.stdout.write("Demo-Zugänge (nur für die lokale Entwicklung):")
        self.stdout.write(f"  Antragsteller/in:  {APPLICANT_EMAIL} / {APPLICANT_PASSWORD}  (Böblingen)")
        self.stdout.write(f"  Akademie (Admin):  {STAFF_EMAIL} / {STAFF_PASSWORD}  → /admin/")
        self.stdout.write(f"  Gutachter/in:      {REVIEWER_EMAIL} / {REVIEWER_PASSWORD}  → /admin/")
        moderators = self.load_facilitations(rounds["IBE-2020"], staff)
        self.load_demo_devices([staff, reviewer, *moderators])

    def load_facilitations(self, funding_round, staff):
        """Round 2's facilitations (created by the awards): moderators, sessions, reports, network meeting."""
        accounts = facilitation_demo.load(funding_round, staff)
        for email in accounts["moderators"]:
            self.stdout.write(f"  Moderator/in:      {email} / {accounts['moderator_password']}  → /prozessbegleitung/")
        email, password, organisation = accounts["municipal"]
        self.stdout.write(f"  Kommune:           {email} / {password}  ({organisation}) → /prozessbegleitung/")
        return list(get_user_model().objects.filter(email__in=accounts["moderators"]))

    def load_demo_devices(self, staff_accounts):
        """Staff accounts need a second factor: the demo ones share one published secret."""
        for user in staff_accounts:
            ensure_demo_device(user)
        self.stdout.write("Zwei-Faktor-Anmeldung der Verwaltungskonten (Akademie, Gutachter/in, Moderation):")
        self.stdout.write(f"  Schlüssel {grouped_secret()} in einer Authenticator-App einrichten")
        self.stdout.write(
            f"  oder `manage.py demo_otp_code` ausführen (Code jetzt: {current_demo_code()}, alle 30 Sekunden neu)."
        )

    def load_organisations(self):
        rows = []
        with DEMO_CSV.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                rows.append(
                    {
                        "name": row["name"],
                        "kind": KINDS[row["kind"]],
                        "key": row["key"] or None,
                        "county": row["county"],
                        "region": REGIONS[row["region"]],
                        "selected": row["round_2_selected"] == "yes",
                    }
                )
        organisations = {}
        for row in rows + EXTRA_ORGANISATIONS:
            defaults = {"kind": row["kind"], "county": row["county"], "region": row["region"], "name": row["name"]}
            if row["key"]:
                org, _ = Organisation.objects.update_or_create(key=row["key"], defaults=defaults)
            else:
                org = Organisation.objects.filter(name=row["name"], kind=row["kind"], county=row["county"]).first()
                if org is None:
                    org = Organisation.objects.create(key=None, **defaults)
            org.selected_in_round_2 = row["selected"]
            organisations[row["name"]] = org
        return organisations

    def load_rounds(self):
        programme, _ = Programme.objects.update_or_create(
            slug="integration-engagement",
            defaults={
                "name": "Integration durch bürgerschaftliches Engagement und Zivilgesellschaft – "
                "Prozessbegleitung für Kommunen und Landkreise",
                "short_name": "Integration durch Engagement",
                "funding_body": "Ministerium für Soziales, Gesundheit und Integration Baden-Württemberg",
                "operator": "Führungsakademie Baden-Württemberg",
            },
        )
        today = timezone.localdate()
        specs = [
            # Round 1: exact dates of the first call are not public here; plausible values, clearly demo.
            (
                "IBE-2018",
                "1. Runde 2018–2019",
                datetime(2017, 11, 1, tzinfo=BERLIN),
                end_of_day(datetime(2018, 1, 31)),
                23,
            ),
            (
                "IBE-2020",
                "2. Runde 2020–2022",
                datetime(2019, 12, 2, tzinfo=BERLIN),
                end_of_day(datetime(2020, 3, 6)),
                13,
            ),
            (
                "DEMO",
                "Demo-Ausschreibung (offen)",
                datetime.combine(today - timedelta(days=14), time(0, 0), tzinfo=BERLIN),
                end_of_day(today + timedelta(days=30)),
                10,
            ),
        ]
        rounds = {}
        for code, name, opens_at, deadline, places in specs:
            rounds[code], _ = FundingRound.objects.update_or_create(
                code=code,
                defaults={
                    "programme": programme,
                    "name": name,
                    "opens_at": opens_at,
                    "deadline": deadline,
                    "places": places,
                    "budget": Decimal(places) * Decimal("40000.00"),
                    "max_per_package": Decimal("40000.00"),
                    "facilitation_months": 24,
                    "signing_officer": "Dr. Petra Beispiel",
                    "signing_officer_title": "Leiterin des Bereichs Kommunale Förderung (Demo)",
                    # The past rounds were decided by one person (the demo has one academy account);
                    # the open round shows the default: decisions need a second person.
                    "four_eyes": code == "DEMO",
                },
            )
        return programme, rounds

    def load_users(self, organisations):
        User = get_user_model()
        staff, _ = User.objects.get_or_create(
            email=STAFF_EMAIL, defaults={"first_name": "Anna", "last_name": "Akademie"}
        )
        staff.is_staff = staff.is_superuser = staff.is_active = True
        staff.email_verified_at = staff.email_verified_at or timezone.now()
        staff.set_password(STAFF_PASSWORD)
        staff.save()
        staff.groups.add(Group.objects.get(name=ACADEMY_GROUP))
        applicant, _ = User.objects.get_or_create(
            email=APPLICANT_EMAIL,
            defaults={"first_name": "Bernd", "last_name": "Beispiel", "job_title": "Integrationsbeauftragter"},
        )
        applicant.is_active = True
        applicant.email_verified_at = applicant.email_verified_at or timezone.now()
        applicant.set_password(APPLICANT_PASSWORD)
        applicant.save()
        membership, _ = Membership.objects.get_or_create(user=applicant, organisation=organisations["Böblingen"])
        if membership.status != Membership.Status.CONFIRMED:
            services.confirm_membership(membership=membership, by=staff)
        return applicant, staff

    def load_reviewer(self):
        User = get_user_model()
        reviewer, _ = User.objects.get_or_create(
            email=REVIEWER_EMAIL,
            defaults={"first_name": "Gerd", "last_name": "Gutachter", "job_title": "Lenkungskreis"},
        )
        reviewer.is_active = reviewer.is_staff = True
        reviewer.email_verified_at = reviewer.email_verified_at or timezone.now()
        reviewer.set_password(REVIEWER_PASSWORD)
        reviewer.save()
        reviewer.groups.add(Group.objects.get(name=REVIEWER_GROUP))
        return reviewer

    def load_criteria(self, funding_round):
        for position, (title, guidance, weight, max_points) in enumerate(CRITERIA, start=1):
            Criterion.objects.update_or_create(
                funding_round=funding_round,
                title=title,
                defaults={"guidance": guidance, "weight": weight, "max_points": max_points, "position": position},
            )

    def review_and_award(self, funding_round, staff, reviewer):
        """Round 2 as it ended: every selected municipality reviewed and awarded (through the services)."""
        criteria = list(funding_round.criteria.all())
        for index, application in enumerate(
            funding_round.applications.filter(status=Application.Status.SUBMITTED).order_by("sequence")
        ):
            review_services.move_to_review(application=application, by=staff)
            review = review_services.assign_reviewer(application=application, reviewer=reviewer, by=staff)
            review_services.declare_no_conflict(review=review, reviewer=reviewer)
            points = {c.pk: (10 - (index + position) % 4, "") for position, c in enumerate(criteria)}
            review_services.save_review(
                review=review, reviewer=reviewer, scores=points, recommendation=Recommendation.AWARD
            )
            review_services.finish_review(review=review, reviewer=reviewer)
            review_services.award_application(application=application, by=staff)

    def load_applications(self, rounds, organisations, applicant, staff):
        """Round 2's thirteen selected municipalities applied before the deadline."""
        second = rounds["IBE-2020"]
        User = get_user_model()
        on_time = second.deadline - timedelta(days=3)
        for org in organisations.values():
            if (
                not org.selected_in_round_2
                or Application.objects.filter(funding_round=second, organisation=org).exists()
            ):
                continue
            slug = org.key or org.pk
            member, _ = User.objects.get_or_create(
                email=f"kommune-{slug}@demo.example",
                defaults={"first_name": "Demo", "last_name": org.name, "is_active": True, "job_title": "Hauptamt"},
            )
            membership, _ = Membership.objects.get_or_create(user=member, organisation=org)
            services.confirm_membership(membership=membership, by=staff)
            application = Application.objects.create(
                funding_round=second,
                organisation=org,
                created_by=member,
                contact_name=f"Demo {org.name}",
                contact_email=member.email,
                lead_name=f"Projektleitung {org.name}",
                lead_email=member.email,
                postal_address=f"Rathausplatz 1\n{org.name}",
                integration_situation=DEMO_TEXT,
                engagement_structures=DEMO_TEXT,
                migrant_organisations=DEMO_TEXT,
                goals="Leitbild Integration entwickeln, Engagement-Netzwerk aufbauen.",
                participation="Runder Tisch mit Vereinen, Migrantenorganisationen und Verwaltung.",
                council_body="gemeinderat" if org.kind != OrganisationKind.LANDKREIS else "kreistag",
                resolution_date=on_time.date() - timedelta(days=20),
                rooms="Sitzungssaal im Rathaus",
                staff="Integrationsbeauftragte/r, 10 Stunden pro Woche",
            )
            self.attach_demo_resolution(application, member)
            services.submit_application(declared=True, application=application, user=member, now=on_time)

    def attach_demo_resolution(self, application, user):
        pdf = demo_pdf(f"Beschluss des Gemeinderats {application.organisation.name} (Demo)")
        attachment = Attachment(
            application=application,
            kind=Attachment.Kind.RESOLUTION,
            original_name="beschluss.pdf",
            content_type="application/pdf",
            size=len(pdf),
            sha256=hashlib.sha256(pdf).hexdigest(),
            uploaded_by=user,
        )
        attachment.file.save("upload", ContentFile(pdf), save=False)
        attachment.save()


def demo_pdf(title):
    """A one-page PDF made with pypdf (no active content)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
