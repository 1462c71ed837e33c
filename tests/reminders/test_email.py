"""The reminder e-mail: German deadline, days left, what is missing, the link, a stable Message-ID."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from reminders.services import claim_due_reminders, send_reminder
from reminders.tasks import send_due_reminders
from tests.conftest import complete

from .conftest import MOMENTS

pytestmark = pytest.mark.django_db


def reminder_mail(mailoutbox, offset, moment=None):
    with time_machine.travel(moment or MOMENTS[offset], tick=False):
        send_due_reminders.delay()
    [message] = mailoutbox
    return message


@pytest.mark.parametrize(
    ("offset", "subject_end", "days_text"),
    [
        (14, "endet in 14 Tagen", "Es bleiben noch 14 Tage."),
        (7, "endet in 7 Tagen", "Es bleiben noch 7 Tage."),
        (1, "endet morgen", "Es bleibt noch 1 Tag."),
    ],
)
def test_text_names_the_german_deadline_days_left_and_the_missing_items(
    mailoutbox, settings, reminder_draft, offset, subject_end, days_text
):
    settings.SITE_URL = "https://foerderportal.example"
    reminder_draft.goals = "Leitbild entwickeln."
    reminder_draft.save()
    message = reminder_mail(mailoutbox, offset)

    assert message.subject == f"Erinnerung: Die Antragsfrist für „Zweite Runde 2020“ {subject_end}"
    body = message.body
    assert "Die Antragsfrist endet am Freitag, 6. März 2020, 23:59 Uhr." in body
    assert days_text in body
    assert "Es fehlt noch:\n" in body
    assert "- Beschluss als Anlage\n" in body
    assert "- Bereitgestellte Räume\n" in body
    assert "Ziele für die zwei Jahre" not in body  # filled in
    url = "https://foerderportal.example" + reverse("applications:overview", args=[reminder_draft.pk])
    assert url in body
    assert reminder_draft.organisation.name in body

    html = message.alternatives[0][0]
    assert "<li>Beschluss als Anlage</li>" in html
    assert f'href="{url}"' in html
    assert "Freitag, 6. März 2020, 23:59 Uhr" in html


def test_on_the_deadline_day_it_says_today(mailoutbox, reminder_round, reminder_draft):
    reminder_round.reminder_offsets = [0]
    reminder_round.save()
    message = reminder_mail(mailoutbox, 0, MOMENTS[1] + timedelta(days=1, hours=8))
    assert message.subject.endswith("endet heute")
    assert "Das ist heute." in message.body


def test_a_complete_draft_is_asked_to_submit(mailoutbox, reminder_draft):
    complete(reminder_draft)
    message = reminder_mail(mailoutbox, 7)
    assert "Es fehlt noch" not in message.body
    assert "Alle Angaben sind vollständig. Bitte reichen Sie den Antrag vor Ablauf der Frist ein." in message.body


def test_names_are_not_html_escaped_in_the_text_part(mailoutbox, reminder_draft):
    reminder_draft.organisation.name = "Gemeindeverwaltungsverband Raum & Tal"
    reminder_draft.organisation.save()
    message = reminder_mail(mailoutbox, 7)
    assert "Raum & Tal" in message.body
    assert "Raum &amp; Tal" in message.alternatives[0][0]


def test_message_id_is_derived_from_round_organisation_and_offset(mailoutbox, settings, reminder_draft):
    settings.DEFAULT_FROM_EMAIL = "Förderportal <foerderportal@fuehrungsakademie.example>"
    [reminder_id] = claim_due_reminders(MOMENTS[7])
    send_reminder(reminder_id=reminder_id, now=MOMENTS[7])
    headers = mailoutbox[0].message()
    expected = (
        f"<erinnerung.r{reminder_draft.funding_round_id}.o{reminder_draft.organisation_id}.t7"
        "@fuehrungsakademie.example>"
    )
    assert headers["Message-ID"] == expected
    assert headers["Auto-Submitted"] == "auto-generated"
