"""Events are recorded by one log_event and read by staff in German, with local times."""

from datetime import UTC, datetime

import pytest

from applications.models import ApplicationEvent
from foerderportal.audit import log_event

pytestmark = pytest.mark.django_db


def test_an_event_reads_in_german_with_local_time(draft):
    event = log_event(draft, None, "submitted", reference_number="IBE-2020-0001")
    event.created_at = datetime(2020, 3, 6, 22, 59, tzinfo=UTC)  # 23:59 in Berlin
    assert isinstance(event, ApplicationEvent)
    assert event.action_label == "Antrag eingereicht"
    assert event.local_time == "06.03.2020, 23:59 Uhr"
    assert event.details == "Aktenzeichen: IBE-2020-0001"
    assert str(event) == "Antrag eingereicht (06.03.2020, 23:59 Uhr)"


def test_unknown_codes_and_keys_are_never_shown_raw(draft):
    event = log_event(draft, None, "something_new", some_key=["a", "b"], empty="")
    assert event.action_label == "Sonstiges"
    assert event.details == "Angabe: a, b"
    assert "something_new" not in str(event) and "some_key" not in event.details


def test_a_higher_app_names_its_own_actions(draft):
    # letters registers its label in LettersConfig.ready(): the applications app knows nothing of letters.
    event = log_event(draft, None, "letter_notified_otherwise", notified_on="2026-03-04", way="per Post")
    assert event.action_label == "Bescheid auf anderem Weg bekannt gegeben"
    assert event.details == "bekannt gegeben am: 04.03.2026; Weg: per Post"
