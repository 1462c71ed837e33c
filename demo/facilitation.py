"""Demo facilitations for ``manage.py load_demo`` (through the services, idempotent).

The awards of the demo's second round are released when the demo is loaded, so their
facilitations would start next month. To show a facilitation in full swing, each one that
has no sessions yet is moved to start 13 months ago: the interim report is then a month
overdue for some municipalities, submitted or accepted for others.
"""

import io
from datetime import timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from applications import services as application_services
from applications.models import Membership, Organisation, Region
from facilitation import services
from facilitation.models import Facilitation, NetworkMeeting, Report, Session

MODERATOR_PASSWORD = "Demo-Moderation-2020"
MODERATORS = [
    ("moderation@demo.example", "Miriam", "Moderation", Region.STUTTGART, Decimal("850.00")),
    ("moderation2@demo.example", "Jonas", "Prozessbegleiter", Region.KARLSRUHE, Decimal("900.00")),
    ("moderation3@demo.example", "Selin", "Begleitung", Region.FREIBURG, Decimal("800.00")),
]
MUNICIPAL_EMAIL = "kommune@demo.example"
MUNICIPAL_PASSWORD = "Demo-Kommune-2020"
MUNICIPAL_ORGANISATION = "Esslingen am Neckar"
SESSION_PLAN = [  # (days after the start, format, duration, unit, travel costs, participants, note)
    (20, Session.Format.CONSULTATION, Decimal("0.5"), Session.Unit.DAYS, Decimal("48.60"), 4, "Auftaktgespräch"),
    (75, Session.Format.STEERING_GROUP, Decimal("4"), Session.Unit.HOURS, Decimal("48.60"), 9, "Bestandsaufnahme"),
    (150, Session.Format.WORKSHOP, Decimal("1"), Session.Unit.DAYS, Decimal("62.40"), 35, "Beteiligungsworkshop"),
    (240, Session.Format.WORKSHOP, Decimal("1"), Session.Unit.DAYS, Decimal("62.40"), 28, "Leitbild-Werkstatt"),
    (330, Session.Format.EVENT, Decimal("1"), Session.Unit.DAYS, Decimal("55.00"), 80, "Aktionstag Engagement"),
]


def _pdf(title):
    writer = PdfWriter()
    writer.add_blank_page(width=842, height=1191)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _user(email, first_name, last_name, password, *, is_staff=False):
    user, _created = get_user_model().objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name}
    )
    user.is_active = True
    user.is_staff = user.is_staff or is_staff
    user.email_verified_at = user.email_verified_at or timezone.now()
    user.set_password(password)
    user.save()
    return user


def _member(organisation_id):
    membership = (
        Membership.objects.filter(organisation_id=organisation_id, status=Membership.Status.CONFIRMED)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def load(funding_round, staff, *, today=None):
    """Moderators, assignments, a running plan with sessions and reports, and the network meeting."""
    today = today or timezone.localdate()
    moderators = []
    for email, first_name, last_name, region, rate in MODERATORS:
        user = _user(email, first_name, last_name, MODERATOR_PASSWORD, is_staff=True)
        moderators.append(
            services.ensure_facilitator(user=user, by=staff, daily_rate=rate, region=region, phone="0711 000000")
        )
    start = today.replace(day=1) - relativedelta(months=13)
    facilitations = list(
        Facilitation.objects.filter(application__funding_round=funding_round)
        .select_related("application__organisation")
        .order_by("application__organisation__name")
    )
    for index, facilitation in enumerate(facilitations):
        if not facilitation.facilitators.exists():
            team = [moderators[index % 3]] + ([moderators[(index + 1) % 3]] if index % 4 == 0 else [])
            services.assign_facilitators(facilitation=facilitation, facilitators=team, by=staff)
        if not facilitation.sessions.exists():
            services.reschedule_facilitation(facilitation=facilitation, starts_on=start, by=staff)
            facilitation.refresh_from_db()
            lead = facilitation.facilitators.order_by("pk").first()
            for days, format, duration, unit, travel, participants, note in SESSION_PLAN[: 3 + index % 3]:
                day = facilitation.starts_on + timedelta(days=days)
                if day <= today:
                    services.book_session(
                        facilitation=facilitation,
                        by=lead.user,
                        date=day,
                        format=format,
                        duration=duration,
                        unit=unit,
                        travel_costs=travel,
                        participants=participants,
                        notes=f"{note} (Demo)",
                    )
        _complete_past_milestones(facilitation, staff, today, lagging=index % 3 == 2)
        _interim_report(facilitation, staff, today, index)
    meeting = NetworkMeeting.objects.filter(funding_round=funding_round).first()
    if meeting is None and facilitations:
        meeting = services.schedule_network_meeting(
            funding_round=funding_round,
            date=facilitations[0].ends_on - relativedelta(months=1),
            venue="Führungsakademie Baden-Württemberg, Karlsruhe",
            programme=(
                "10:00 Begrüßung durch das Ministerium für Soziales, Gesundheit und Integration\n"
                "10:30 Posterrundgang: Strategien der Kommunen\n"
                "12:00 Kurzvorträge\n"
                "14:00 Austausch in Themengruppen\n"
                "16:00 Abschluss"
            ),
            by=staff,
        )
    if meeting is not None and meeting.date >= today:
        for facilitation in facilitations[:3]:
            _register(meeting, facilitation)
    _municipal_login(staff)
    return {
        "moderators": [m.user.email for m in moderators],
        "moderator_password": MODERATOR_PASSWORD,
        "municipal": (MUNICIPAL_EMAIL, MUNICIPAL_PASSWORD, MUNICIPAL_ORGANISATION),
    }


def _complete_past_milestones(facilitation, staff, today, *, lagging):
    overdue = list(facilitation.milestones.filter(done_on__isnull=True, due_on__lte=today).order_by("due_on"))
    if lagging and overdue:
        overdue = overdue[:-1]  # one open milestone past its date, for the overview
    for milestone in overdue:
        done_on = min(milestone.due_on + timedelta(days=5), today)
        services.complete_milestone(milestone=milestone, by=staff, done_on=done_on)


def _interim_report(facilitation, staff, today, index):
    report = facilitation.reports.get(kind=Report.Kind.INTERIM)
    if report.status != Report.Status.OPEN or report.due_on > today or index % 4 == 3:
        return  # every fourth municipality is late with it
    member = _member(facilitation.application.organisation_id)
    if member is None:
        return
    services.submit_report(
        report=report,
        by=member,
        text=(
            "Demo-Zwischenbericht: Steuerungsgruppe arbeitet seit dem Auftakt, zwei Beteiligungsworkshops "
            "mit Vereinen und Migrantenorganisationen, Entwurf des Leitbilds liegt dem Gemeinderat vor."
        ),
    )
    if index % 4 in (0, 1):
        services.accept_report(report=report, by=staff, comment="Danke, angenommen (Demo).")


def _register(meeting, facilitation):
    organisation = facilitation.application.organisation
    if meeting.registrations.filter(organisation=organisation).exists():
        return
    member = _member(organisation.pk)
    if member is None:
        return
    poster = SimpleUploadedFile(
        f"Poster {organisation.name}.pdf", _pdf(f"Poster {organisation.name} (Demo)"), "application/pdf"
    )
    services.register_for_network_meeting(
        meeting=meeting,
        organisation=organisation,
        by=member,
        delegates=f"{facilitation.lead_name or 'Projektleitung'}\nDemo-Engagementbeauftragte/r",
        delegate_count=2,
        talk_title=f"Engagement und Integration in {organisation.name}",
        poster=poster,
    )


def _municipal_login(staff):
    organisation = Organisation.objects.filter(name=MUNICIPAL_ORGANISATION).first()
    if organisation is None:
        return
    user = _user(MUNICIPAL_EMAIL, "Klara", "Kommune", MUNICIPAL_PASSWORD)
    membership, _created = Membership.objects.get_or_create(user=user, organisation=organisation)
    if membership.status != Membership.Status.CONFIRMED:
        application_services.confirm_membership(membership=membership, by=staff)
