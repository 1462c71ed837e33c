"""German amounts and times (foerderportal.formatting and ``{% load formatting %}``)."""

import zoneinfo
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone

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


def test_number_filter_prints_weights_without_needless_decimals():
    template = Template("{% load formatting %}{{ a|number }} | {{ b|number }} | {{ c|number }} | {{ none|number }}")
    rendered = template.render(
        Context({"a": Decimal("3.00"), "b": Decimal("1.50"), "c": Decimal("0.25"), "none": None})
    )
    assert rendered == "3 | 1,5 | 0,25 | "


# --- German numbers people read and type ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Decimal("12.50"), "12,5"), (Decimal("3.00"), "3"), (Decimal("66.67"), "66,67"), (Decimal("1234.5"), "1.234,5")],
)
def test_german_number_drops_meaningless_zeros(value, expected):
    from foerderportal.formatting import german_number

    assert german_number(value) == expected


def test_display_value_writes_dates_and_numbers_the_german_way():
    from datetime import date

    from foerderportal.formatting import display_value

    assert display_value(date(2026, 11, 10)) == "10.11.2026"
    assert display_value(Decimal("12.5")) == "12,5"
    assert display_value(True) == "ja"
    assert display_value("Text") == "Text"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12,5", Decimal("12.5")),
        ("1.234,50", Decimal("1234.50")),
        ("12.5", Decimal("12.5")),  # what a browser's number input sends
        ("1.234", Decimal("1234")),
        (" 40.000,00 ", Decimal("40000.00")),
        ("0,5", Decimal("0.5")),
    ],
)
def test_german_decimal_field_reads_german_notation(typed, expected):
    from foerderportal.forms import GermanDecimalField

    assert GermanDecimalField(max_digits=12, decimal_places=2).clean(typed) == expected


@pytest.mark.parametrize("typed", ["1,234.50", "12,5,0", "1.23,5", "zwölf"])
def test_german_decimal_field_refuses_ambiguous_input_in_german(typed):
    from django.core.exceptions import ValidationError

    from foerderportal.forms import GermanDecimalField

    with pytest.raises(ValidationError) as error:
        GermanDecimalField(max_digits=12, decimal_places=2).clean(typed)
    assert "Bitte eine Zahl eingeben." in error.value.messages


def test_a_formatted_moment_follows_the_active_time_zone_though_the_text_is_kept():
    moment = datetime(2020, 3, 6, 22, 59, 59, tzinfo=UTC)
    assert format_deadline(moment) == "Freitag, 6. März 2020, 23:59 Uhr"
    with timezone.override(zoneinfo.ZoneInfo("America/New_York")):
        assert format_deadline(moment) == "Freitag, 6. März 2020, 17:59 Uhr"
    assert format_deadline(moment) == "Freitag, 6. März 2020, 23:59 Uhr"
