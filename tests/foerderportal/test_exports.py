"""The CSV and XLSX writers of foerderportal.exports (the tables come from the apps)."""

import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from foerderportal import exports


def read_xlsx(response):
    assert response["Content-Type"] == exports.XLSX_TYPE
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_csv_cells_for_german_excel(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    assert exports._csv_cell(Decimal("1234.5")) == "1234,5"
    assert exports._csv_cell(66.666) == "66,666"
    assert exports._csv_cell(None) == ""
    assert exports._csv_cell(3) == "3"
    assert exports._csv_cell(datetime(2026, 3, 6, 22, 59, tzinfo=ZoneInfo("UTC"))) == "06.03.2026 23:59"
    # Spreadsheet formulas in text are defused.
    assert exports._csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert exports._csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert exports._csv_cell("Stadt Aalen") == "Stadt Aalen"


def test_xlsx_keeps_text_as_text_and_numbers_as_numbers():
    header = ["Name", "Betrag"]
    response = exports.as_xlsx_response("x.xlsx", header, [["=1+1", Decimal("12.50")], [None, 3]])
    rows = read_xlsx(response)
    assert rows[0] == header
    assert rows[1] == ["=1+1", 12.5]
    assert rows[2] == [None, 3]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.worksheets[0]["A1"].font.bold
    assert workbook.worksheets[0]["A2"].data_type == "s"
