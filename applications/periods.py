"""The facilitation period of an award, as pure functions.

Both the facilitation (``facilitation.services``) and the Bescheid (``letters.issuing``) derive
the period from here, so the letter states exactly the dates the facilitation is created with:

* it starts on the first day of the month after the award was released (``default_start``);
* it ends ``months`` calendar months later (``period_end``, ``dateutil.relativedelta``:
  31 January + 1 month = 28/29 February).
"""

from datetime import date

from dateutil.relativedelta import relativedelta


def default_start(released_on: date) -> date:
    """First day of the month after the release."""
    return released_on.replace(day=1) + relativedelta(months=1)


def period_end(starts_on: date, months: int) -> date:
    return starts_on + relativedelta(months=months)
