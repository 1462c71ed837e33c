"""Where a released Bescheid stands in its notification (Bekanntgabe): a pure function of its facts.

The facts are the letter's kind, whether it was marked for postal dispatch at release (nobody
in the organisation consented to electronic notification), when the notification e-mail went
out, the first download that counts (an authorised member, within the provision) and the date
of a notification recorded by staff another way. ``today`` is injected; the time rules are in
``letters.deadlines``.
"""

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from . import deadlines

# The letters that are notified as a Bescheid (with legal remedies); receipts and waiting-list
# notices are information only.
NOTIFIED_KINDS = ("award", "rejection")


class State(models.TextChoices):
    NOT_APPLICABLE = "not_applicable", gettext_lazy("keine Bekanntgabe nötig")
    AWAITING_EMAIL = "awaiting_email", gettext_lazy("bereitgestellt, E-Mail noch nicht versandt")
    PROVIDED = "provided", gettext_lazy("zum Abruf bereitgestellt")
    DOWNLOADED = "downloaded", gettext_lazy("abgerufen")
    FALLBACK = "fallback", gettext_lazy("nicht abgerufen – auf anderem Weg bekanntgeben")
    POSTAL = "postal", gettext_lazy("per Post bekanntgeben")
    OTHER_WAY = "other_way", gettext_lazy("auf anderem Weg bekanntgegeben")


# States in which staff must notify the letter another way (and have not recorded it yet).
NEEDS_OTHER_WAY = (State.FALLBACK, State.POSTAL)


def format_day(value: datetime.date) -> str:
    """``"6. März 2026"``, German whatever the active locale."""
    with override("de"):
        return date_format(value, "j. F Y")


@dataclass(frozen=True)
class Notification:
    state: State
    first_download_at: datetime.datetime | None = None
    notified_on: datetime.date | None = None
    provision_last_day: datetime.date | None = None

    @property
    def needs_other_way(self) -> bool:
        return self.state in NEEDS_OTHER_WAY

    @property
    def remedy_period_ends_on(self) -> datetime.date | None:
        return deadlines.remedy_period_end(self.notified_on) if self.notified_on else None

    @property
    def applicant_text(self) -> str:
        """The state in plain German for the municipality (no staff vocabulary)."""
        if self.state == State.DOWNLOADED:
            return _("abgerufen am %(downloaded)s, bekannt gegeben am %(notified)s") % {
                "downloaded": format_day(deadlines.local_day(self.first_download_at)),
                "notified": format_day(self.notified_on),
            }
        if self.state == State.OTHER_WAY:
            return _("auf anderem Weg bekannt gegeben am %(notified)s") % {"notified": format_day(self.notified_on)}
        if self.state == State.PROVIDED:
            return _("zum Abruf bereitgestellt, noch nicht abgerufen (bis %(day)s)") % {
                "day": format_day(self.provision_last_day)
            }
        if self.state == State.AWAITING_EMAIL:
            return _("zum Abruf bereitgestellt, noch nicht abgerufen")
        if self.state == State.FALLBACK:
            return _("nicht rechtzeitig abgerufen – die Akademie gibt ihn auf anderem Weg bekannt")
        if self.state == State.POSTAL:
            return _("wird per Post bekannt gegeben")
        return ""


def notification_of(
    *,
    kind: str,
    postal_dispatch: bool,
    notified_at: datetime.datetime | None,
    first_download_at: datetime.datetime | None,
    other_notified_on: datetime.date | None,
    today: datetime.date,
) -> Notification:
    """The notification state of a released letter on ``today``.

    ``first_download_at`` is the first download that counts: by an authorised member, within the
    provision, for a letter not marked for postal dispatch (``LetterDownload.notifies``).
    """
    if kind not in NOTIFIED_KINDS:
        return Notification(State.NOT_APPLICABLE)
    if first_download_at is not None:
        return Notification(
            State.DOWNLOADED, first_download_at=first_download_at, notified_on=deadlines.notified_on(first_download_at)
        )
    if other_notified_on is not None:
        return Notification(State.OTHER_WAY, notified_on=other_notified_on)
    if postal_dispatch:
        return Notification(State.POSTAL)
    if notified_at is None:
        return Notification(State.AWAITING_EMAIL)
    last_day = deadlines.provision_last_day(notified_at)
    if deadlines.provision_ended(notified_at=notified_at, today=today):
        return Notification(State.FALLBACK, provision_last_day=last_day)
    return Notification(State.PROVIDED, provision_last_day=last_day)
