"""The two uses of the reminder engine, behind one small interface, so that the engine's
guarantees (claim once, retry, take over, give up, skip) are tested against both.

``DeadlineUse``: deadline reminders (``reminders.services``), a draft due on the 7-day day.
``ReportUse``: report reminders (``facilitation.reminders``), an interim report due soon.
"""

from datetime import datetime

from applications.services import withdraw_application
from facilitation import emails as report_emails
from facilitation import reminders as report_reminders
from facilitation import services as facilitation_services
from facilitation.models import Report, ReportReminder
from facilitation.tasks import send_report_reminder, send_report_reminders
from reminders import emails, services
from reminders.models import Reminder
from reminders.tasks import send_due_reminders, send_reminder
from tests.facilitation.conftest import BERLIN, make_facilitation
from tests.factories import make_academy_staff

from .conftest import MOMENTS, draft_with_member


class DeadlineUse:
    """A due item is a draft with one confirmed member, its 7-day reminder due at ``due_at``."""

    name = "deadline"
    kind = services.DEADLINE_REMINDERS
    model = Reminder
    due_at = MOMENTS[7]
    sweep_task = send_due_reminders
    send_task = send_reminder

    def __init__(self, request):
        self.funding_round = request.getfixturevalue("reminder_round")

    def make_due(self):
        return draft_with_member(self.funding_round)

    def recipients(self, draft):
        return [draft.member.email]

    def row(self, draft):
        return Reminder.objects.get(organisation=draft.organisation, offset_days=7)

    def subject(self, row):
        return row.application

    def stuck_claim(self, draft, claimed_at):
        return Reminder.objects.create(
            funding_round=draft.funding_round,
            organisation=draft.organisation,
            application=draft,
            offset_days=7,
            status=Reminder.Status.CLAIMED,
            claimed_at=claimed_at,
        )

    def claim(self, now):
        return services.claim_due_reminders(now)

    def send(self, row_id, now):
        return services.send_reminder(reminder_id=row_id, now=now)

    def message_id(self, draft):
        return emails.message_id(draft.funding_round_id, draft.organisation_id, 7)

    def no_longer_due(self, draft, now):
        withdraw_application(application=draft, user=draft.member, now=now)


class ReportUse:
    """A due item is a facilitation's interim report (due 1 July 2021), due soon at ``due_at``."""

    name = "report"
    kind = report_reminders.REPORT_REMINDERS
    model = ReportReminder
    due_at = datetime(2021, 6, 20, 8, tzinfo=BERLIN)
    sweep_task = send_report_reminders
    send_task = send_report_reminder

    def __init__(self, request):
        request.getfixturevalue("db")
        self.academy = make_academy_staff()

    def make_due(self):
        facilitation = make_facilitation(by=self.academy)
        report = facilitation.reports.get(kind=Report.Kind.INTERIM)
        report.member = facilitation.member
        return report

    def recipients(self, report):
        return report_emails.report_recipients(report)

    def row(self, report):
        return ReportReminder.objects.get(report=report, kind=ReportReminder.Kind.DUE_SOON)

    def subject(self, row):
        return row.report

    def stuck_claim(self, report, claimed_at):
        return ReportReminder.objects.create(
            report=report,
            kind=ReportReminder.Kind.DUE_SOON,
            due_on=report.due_on,
            status=ReportReminder.Status.CLAIMED,
            claimed_at=claimed_at,
        )

    def claim(self, now):
        return report_reminders.claim_due_reminders(now=now)

    def send(self, row_id, now):
        return report_reminders.send_reminder(reminder_id=row_id, now=now)

    def message_id(self, report):
        return report_emails.message_id(report.pk, ReportReminder.Kind.DUE_SOON)

    def no_longer_due(self, report, now):
        facilitation_services.submit_report(report=report, by=report.member, text="Fertig.")


USES = {use.name: use for use in (DeadlineUse, ReportUse)}
