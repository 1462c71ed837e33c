"""Tables as downloads: CSV for German Excel and XLSX, with the protective download headers.

A table is ``(header, rows)`` with plain Python values (``str``, ``int``, ``Decimal``, aware
``datetime``, ``bool``, ``None``); the apps build their tables (``reviews.exports``,
``facilitation.exports``) and hand them to ``as_csv_response`` or ``as_xlsx_response``.

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
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from .files import bytes_response

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _yes_no(value):
    return _("ja") if value else _("nein")


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


def as_csv_response(filename, header, rows):
    """A CSV download for German Excel; see the module docstring for the format."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_cell(value) for value in header])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return bytes_response(buffer.getvalue().encode("utf-8"), filename=filename, content_type="text/csv; charset=utf-8")


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
    return bytes_response(buffer.getvalue(), filename=filename, content_type=XLSX_TYPE)
