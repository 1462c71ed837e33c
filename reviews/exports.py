"""Exports of a round's ranking and applications (CSV and XLSX).

Two layers:

* table builders (``ranking_table``, ``applications_table``) are pure functions: they
  turn ranking rows or an annotated queryset into ``(header, rows)`` with plain Python
  values (``str``, ``int``, ``Decimal``, aware ``datetime``, ``None``) and make no
  queries of their own;
* writers (``as_csv_response``, ``as_xlsx_response``) turn any such table into a download.

CSV format (chosen for German Excel, which is what the academy opens the files with):
UTF-8 with byte order mark (so Excel detects the encoding), ``;`` as the delimiter,
numbers with a decimal comma and no thousands separator (``40000,00``, ``66,67`` –
German Excel reads these as numbers; ``1234.50`` would become text or a date), times as
``TT.MM.JJJJ HH:MM`` in German local time, empty cells for missing values. Text cells
that a spreadsheet would read as a formula (starting with ``= + - @`` or a tab/CR) get
a leading apostrophe (CSV injection).

XLSX: numbers stay numbers (decimals with the number format ``#,##0.00``), times
are local Excel dates; the header row is bold and frozen; text is always stored as
text, never as a formula.
"""

import csv
import io
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

TWO_PLACES = Decimal("0.01")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _score(value):
    """Mean scores come back as Decimal or float depending on the database."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(TWO_PLACES, ROUND_HALF_UP)


def _labels():
    """Choice labels translated once per table, not per row (``get_FOO_display`` is slow in bulk)."""
    from applications.models import Application, OrganisationKind, Region

    def labels(choices):
        return {value: str(label) for value, label in choices}

    return labels(OrganisationKind.choices), labels(Region.choices), labels(Application.Status.choices)


def _yes_no(value):
    return _("ja") if value else _("nein")


def ranking_table(rows):
    """Header and values for the ranking (``reviews.selectors.ranking`` rows), in ranking order."""
    header = [
        _("Rang"),
        _("Aktenzeichen"),
        _("Organisation"),
        _("Art"),
        _("Regierungsbezirk"),
        _("Status"),
        _("Mittelwert (%)"),
        _("Bewertungen abgeschlossen"),
        _("Bewertungen zugewiesen"),
        _("Bewertungen abweichend"),
        _("Betrag (EUR)"),
        _("kumuliert (EUR)"),
        _("innerhalb der Förderlinie"),
    ]
    kinds, regions, statuses = _labels()
    yes, no, spread = _("ja"), _("nein"), _("abweichend")
    values = []
    for row in rows:
        application = row.application
        organisation = application.organisation
        values.append(
            [
                row.rank,
                application.reference_number,
                organisation.name,
                kinds.get(organisation.kind, organisation.kind),
                regions.get(organisation.region, organisation.region),
                statuses.get(application.status, application.status),
                _score(application.mean_score),
                application.reviews_finished,
                application.reviews_assigned,
                spread if row.spread_flag else "",
                row.requested,
                row.cumulative if row.within_funding else None,
                yes if row.within_funding else no,
            ]
        )
    return header, values


def applications_table(applications):
    """Header and values for every application of a round.

    ``applications`` must be annotated with ``reviews.selectors.with_scores`` and have
    ``organisation`` selected (one query in total).
    """
    header = [
        _("Aktenzeichen"),
        _("Organisation"),
        _("Amtlicher Schlüssel"),
        _("Art"),
        _("Landkreis"),
        _("Regierungsbezirk"),
        _("Status"),
        _("eingereicht am"),
        _("Mittelwert (%)"),
        _("Bewertungen abgeschlossen"),
        _("Bewertungen zugewiesen"),
        _("bewilligter Betrag (EUR)"),
    ]
    kinds, regions, statuses = _labels()
    values = []
    for application in applications:
        organisation = application.organisation
        values.append(
            [
                application.reference_number,
                organisation.name,
                organisation.key,
                kinds.get(organisation.kind, organisation.kind),
                organisation.county,
                regions.get(organisation.region, organisation.region),
                statuses.get(application.status, application.status),
                application.submitted_at,
                _score(application.mean_score),
                application.reviews_finished,
                application.reviews_assigned,
                application.awarded_amount,
            ]
        )
    return header, values


def applications_for_export(funding_round):
    """Every application of the round (drafts and withdrawn ones included), by reference number."""
    from django.db.models import F

    from applications.models import Application

    from .selectors import with_scores

    return (
        with_scores(Application.objects.filter(funding_round=funding_round))
        .select_related("organisation")
        .order_by(F("sequence").asc(nulls_last=True), "organisation__name", "pk")
    )


# --- writers ---------------------------------------------------------------------


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, Decimal | float):
        return f"{Decimal(str(value)):f}".replace(".", ",")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def _download(response, filename):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def as_csv_response(filename, header, rows):
    """A CSV download for German Excel; see the module docstring for the format."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_cell(value) for value in header])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    return _download(response, filename)


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def as_xlsx_response(filename, header, rows, *, title=None):
    """An XLSX download (openpyxl, write-only workbook); see the module docstring."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(title or _("Tabelle"))[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def header_cell(value):
        cell = WriteOnlyCell(sheet, value=str(value))
        cell.font = bold
        return cell

    def cell(value):
        if value is None:
            return None
        if isinstance(value, bool):
            return _yes_no(value)
        if isinstance(value, int):
            return value
        if isinstance(value, Decimal | float):
            result = WriteOnlyCell(sheet, value=value)
            result.number_format = "#,##0.00"
            return result
        if isinstance(value, datetime):
            result = WriteOnlyCell(sheet, value=timezone.localtime(value).replace(tzinfo=None))
            result.number_format = "DD.MM.YYYY HH:MM"
            return result
        text = str(value)
        if text.startswith("="):
            # openpyxl would store it as a formula; keep it text.
            result = WriteOnlyCell(sheet, value=text)
            result.data_type = "s"
            return result
        return text

    sheet.append([header_cell(value) for value in header])
    for row in rows:
        sheet.append([cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _download(HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE), filename)
