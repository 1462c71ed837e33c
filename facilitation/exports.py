"""The academy's overview of every facilitation as a table (page and CSV download).

``overview_table`` is a pure function over ``selectors.overview`` rows (annotated, with the
moderators prefetched): no queries of its own. The CSV writer is ``foerderportal.exports.as_csv_response``
(German Excel: UTF-8 with BOM, ``;``, decimal comma, formula-safe text).
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: (sort key, column heading) of the overview page, in display order
SORTABLE_COLUMNS = [
    ("organisation", gettext_lazy("Organisation")),
    ("round", gettext_lazy("Förderrunde")),
    ("status", gettext_lazy("Status")),
    ("start", gettext_lazy("Zeitraum")),
    (None, gettext_lazy("Prozessbegleiter/innen")),
    ("budget", gettext_lazy("Budget")),
    ("used", gettext_lazy("verbraucht")),
    ("used_percent", gettext_lazy("verbraucht (%)")),
    ("remaining", gettext_lazy("frei")),
    ("next_milestone", gettext_lazy("nächster offener Meilenstein")),
    ("overdue", gettext_lazy("überfällige Berichte")),
]


def percent(value):
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"))


def money(value):
    """Sums come back without their scale on SQLite: always two places."""
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def _date(value):
    return value.strftime("%d.%m.%Y") if value else None


def facilitator_names(facilitation):
    return ", ".join(str(f) for f in facilitation.facilitators.all())


def overview_table(rows):
    header = [
        _("Organisation"),
        _("Aktenzeichen"),
        _("Förderrunde"),
        _("Status"),
        _("Beginn"),
        _("Ende"),
        _("Prozessbegleiter/innen"),
        _("Budget (EUR)"),
        _("verbraucht (EUR)"),
        _("verbraucht (%)"),
        _("frei (EUR)"),
        _("nächster offener Meilenstein"),
        _("fällig am"),
        _("überfällige Berichte"),
    ]
    values = []
    for row in rows:
        application = row.application
        values.append(
            [
                application.organisation.name,
                application.reference_number,
                application.funding_round.name,
                row.get_status_display(),
                _date(row.starts_on),
                _date(row.ends_on),
                facilitator_names(row),
                money(row.budget),
                money(row.used),
                percent(row.used_percent),
                money(row.remaining),
                row.next_milestone_title,
                _date(row.next_milestone_due),
                row.overdue_reports,
            ]
        )
    return header, values
