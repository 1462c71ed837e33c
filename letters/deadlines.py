"""Time rules of the notification of a Bescheid (§ 41 Abs. 2a LVwVfG BW): pure functions.

Dates are calendar days in Europe/Berlin; every function takes the moment or day it judges
(``now``/``today``) as an argument, so tests need no clock.

- A letter provided for download counts as notified on the day after the first download by an
  authorised member (``notified_on``).
- The provision ends when nobody downloads it within 10 days after the notification e-mail: the
  e-mail's day plus 10 is the last day (``provision_last_day``); after it the academy notifies
  another way.
- The remedy period (Widerspruch/Klage) is one month from the notification date
  (``remedy_period_end``): § 31 LVwVfG with §§ 187 Abs. 1, 188 Abs. 2 und 3 BGB, moved to the
  next working day when it ends on a Saturday, Sunday or public holiday in Baden-Württemberg
  (§ 31 Abs. 3 LVwVfG, § 193 BGB).
"""

import calendar
import datetime
from functools import cache
from zoneinfo import ZoneInfo

import holidays

BERLIN = ZoneInfo("Europe/Berlin")
PROVISION_DAYS = 10


def local_day(moment: datetime.datetime) -> datetime.date:
    """The calendar day of an aware ``moment`` in Europe/Berlin."""
    return moment.astimezone(BERLIN).date()


def notified_on(first_download_at: datetime.datetime | None) -> datetime.date | None:
    """The notification date: the day after the first authorised download (Europe/Berlin)."""
    if first_download_at is None:
        return None
    return local_day(first_download_at) + datetime.timedelta(days=1)


def provision_last_day(notified_at: datetime.datetime) -> datetime.date:
    """The last day on which a download still notifies: the e-mail's day plus 10 days."""
    return local_day(notified_at) + datetime.timedelta(days=PROVISION_DAYS)


def download_notifies(*, notified_at: datetime.datetime | None, downloaded_at: datetime.datetime) -> bool:
    """Whether a download at ``downloaded_at`` falls within the provision (before the e-mail: yes)."""
    return notified_at is None or local_day(downloaded_at) <= provision_last_day(notified_at)


def provision_ended(*, notified_at: datetime.datetime | None, today: datetime.date) -> bool:
    """True from the 11th day after the notification e-mail (nothing ends before the e-mail)."""
    return notified_at is not None and today > provision_last_day(notified_at)


@cache
def _bw_holidays(year: int):
    return holidays.country_holidays("DE", subdiv="BW", years=year)


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday and no public holiday in Baden-Württemberg."""
    return day.weekday() < 5 and day not in _bw_holidays(day.year)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The day of the later month with the same number, or that month's last day (§ 188 Abs. 2, 3 BGB)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_working_day(day: datetime.date) -> datetime.date:
    """``day`` itself if it is a working day, otherwise the next one."""
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def remedy_period_end(notification_date: datetime.date) -> datetime.date:
    """The last day of the one-month remedy period that starts with the notification on ``notification_date``.

    The notification day is not counted (§ 187 Abs. 1 BGB); the period ends with the day of the next
    month bearing the same number, or the month's last day (§ 188 Abs. 2, 3 BGB); a Saturday, Sunday
    or BW public holiday moves the end to the next working day (§ 31 Abs. 3 LVwVfG).
    """
    return next_working_day(add_months(notification_date, 1))
