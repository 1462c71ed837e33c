"""German amounts and times (foerderportal.formatting and ``{% load formatting %}``)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template

from foerderportal.formatting import euro, format_datetime, format_deadline, german_decimal


def test_format_deadline_in_summer_time_uses_local_clock():
    assert format_deadline(datetime(2020, 7, 31, 21, 59, 59, tzinfo=UTC)) == "Freitag, 31. Juli 2020, 23:59 Uhr"


def test_format_datetime_without_weekday_in_winter_time():
    assert format_datetime(datetime(2020, 3, 6, 22, 59, 59, tzinfo=UTC)) == "6. März 2020, 23:59 Uhr"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("40000"), "40.000,00 €"),
        (Decimal("1234.5"), "1.234,50 €"),
        (Decimal("0.005"), "0,01 €"),  # rounded half up
        (12345, "12.345,00 €"),
        (None, "–"),
        ("", "–"),
    ],
)
def test_euro(value, expected):
    assert euro(value) == expected


def test_german_decimal_keeps_none_and_reads_floats_as_shown():
    assert german_decimal(None) is None
    assert german_decimal(1.005) == "1,01"  # Decimal(str(1.005)), not the binary fraction
    assert german_decimal(Decimal("3.684"), places=1) == "3,7"


def test_template_filters():
    template = Template(
        "{% load formatting %}{{ amount|euro }} | {{ when|datetime_de }} | {{ when|deadline }} | {{ none|deadline }}"
    )
    rendered = template.render(
        Context({"amount": Decimal("40000"), "when": datetime(2020, 3, 6, 22, 59, 59, tzinfo=UTC), "none": None})
    )
    assert rendered == "40.000,00 € | 6. März 2020, 23:59 Uhr | Freitag, 6. März 2020, 23:59 Uhr | "
