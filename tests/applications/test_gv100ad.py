"""GV100AD import (applications.gv100ad and manage.py import_gv100ad).

tests/data/gv100ad_sample.txt is hand-made with the record layout documented
in applications/gv100ad.py (220 characters per record, ISO-8859-1, CRLF). Its
BW records copy real records of the Destatis file GV100AD_300921.txt
(Gebietsstand 30.09.2021), so no number in it is invented: the
Gemeindeverwaltungsverband is the real "GVV Reichenbach an der Fils" (Verband
5007 in Landkreis Esslingen, key 081165007000). There is no "GVV Raum
Weilheim": Weilheim an der Teck heads a vereinbarte Verwaltungsgemeinschaft
("VVG der Stadt Weilheim an der Teck", Verband 5008, Textkennzeichen 54),
which the sample uses for the VVG case. The Bayern records (Land 09) must be
skipped.
"""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.gv100ad import (
    GV100ADFormatError,
    ImportResult,
    clean_name,
    import_gv100ad,
    parse_gv100ad,
)
from applications.models import Organisation, OrganisationKind

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "gv100ad_sample.txt"
K = OrganisationKind

# (key, name, kind, county, region) of every organisation the sample creates.
EXPECTED = {
    ("08116000", "Landkreis Esslingen", K.LANDKREIS, "", "1"),
    ("081165007000", "Gemeindeverwaltungsverband Reichenbach an der Fils", K.GVV, "Landkreis Esslingen", "1"),
    (
        "081165008000",
        "Vereinbarte Verwaltungsgemeinschaft der Stadt Weilheim an der Teck",
        K.VVG,
        "Landkreis Esslingen",
        "1",
    ),
    ("08116019", "Esslingen am Neckar", K.GROSSE_KREISSTADT, "Landkreis Esslingen", "1"),
    ("08116070", "Weilheim an der Teck", K.STADT, "Landkreis Esslingen", "1"),
    ("08116076", "Aichwald", K.GEMEINDE, "Landkreis Esslingen", "1"),
    ("08116078", "Leinfelden-Echterdingen", K.GROSSE_KREISSTADT, "Landkreis Esslingen", "1"),
    ("08236000", "Enzkreis", K.LANDKREIS, "", "2"),
    ("082365005000", "Vereinbarte Verwaltungsgemeinschaft der Stadt Neuenbürg", K.VVG, "Enzkreis", "2"),
    ("08236043", "Neuenbürg", K.STADT, "Enzkreis", "2"),
    ("08311000", "Freiburg im Breisgau", K.STADTKREIS, "", "3"),
    ("08415000", "Landkreis Reutlingen", K.LANDKREIS, "", "4"),
    ("08425000", "Alb-Donau-Kreis", K.LANDKREIS, "", "4"),
    ("084255005000", "Vereinbarte Verwaltungsgemeinschaft der Stadt Ehingen (Donau)", K.VVG, "Alb-Donau-Kreis", "4"),
    ("08425033", "Ehingen (Donau)", K.GROSSE_KREISSTADT, "Alb-Donau-Kreis", "4"),
}
# Satzart 40/50/60 records not imported: four Satzart-50 placeholders of single Gemeinden
# (0019, 0076, 0078, Freiburg 0000), the Satzart-60 mirror of Stadtkreis Freiburg, Gutsbezirk
# Münsingen (50 and 60, gemeindefreies Gebiet), and München's 40, 50 and 60 records.
EXPECTED_SKIPPED = 4 + 1 + 2 + 3


def sample_lines():
    return SAMPLE.read_bytes().decode("latin-1").split("\n")


def rows():
    return set(Organisation.objects.values_list("key", "name", "kind", "county", "region"))


def line(satzart, ags="", verband="", name="", code="", sitz="", date="20210930"):
    """A GV100AD record: ``ags`` is Land+RB+Kreis(+Gemeinde), columns 11-18."""
    text = f"{satzart:2}{date:8}{ags:8}{verband:4}{name:50}{sitz:50}{code:2}"
    return text.ljust(220)


def synthetic_lines(count):
    """Landkreis Esslingen with ``count`` invented Gemeinden (numbers 100 and up)."""
    lines = [line("10", "08", name="Baden-Württemberg"), line("40", "08116", name="Esslingen", code="44")]
    lines += [line("60", f"08116{100 + n:03d}", "5999", f"Testgemeinde {n}", "64") for n in range(count)]
    return lines


# --- sample file and parser ---------------------------------------------------------------


def test_sample_has_the_real_record_length_and_latin1_umlauts():
    data = SAMPLE.read_bytes()
    records = data.split(b"\r\n")
    assert records[-1] == b""
    assert {len(record) for record in records[:-1]} == {220}
    assert b"Neuenb\xfcrg" in data and b"T\xfcbingen" in data  # ISO-8859-1 bytes, not UTF-8
    assert b"\xc3\xbc" not in data


def test_parser_reads_positions_and_kinds():
    records = list(parse_gv100ad(sample_lines()))
    assert [r.record_type for r in records].count("60") == 9
    by_type_key = {(r.record_type, r.key): r for r in records}

    esslingen = by_type_key["60", "08116019"]
    assert esslingen.raw_name == "Esslingen am Neckar, Stadt"
    assert esslingen.name == "Esslingen am Neckar"
    assert esslingen.code == "67"
    assert esslingen.kind == K.GROSSE_KREISSTADT
    assert esslingen.county == "Landkreis Esslingen"
    assert (esslingen.land, esslingen.region) == ("08", "1")
    assert esslingen.importable

    assert by_type_key["60", "08116076"].kind == K.GEMEINDE
    assert by_type_key["60", "08116070"].kind == K.STADT
    assert by_type_key["60", "08236043"].name == "Neuenbürg"  # decoded from ISO-8859-1
    assert by_type_key["60", "08425033"].county == "Alb-Donau-Kreis"
    assert by_type_key["60", "08425033"].region == "4"

    kreis = by_type_key["40", "08116000"]
    assert (kreis.raw_name, kreis.name, kreis.kind, kreis.county) == (
        "Esslingen",
        "Landkreis Esslingen",
        K.LANDKREIS,
        "",
    )
    assert by_type_key["40", "08425000"].name == "Alb-Donau-Kreis"

    gvv = by_type_key["50", "081165007000"]
    assert (gvv.code, gvv.kind, gvv.name) == ("56", K.GVV, "Gemeindeverwaltungsverband Reichenbach an der Fils")
    assert by_type_key["50", "084255005000"].kind == K.VVG
    assert by_type_key["50", "084255005000"].code == "54"

    # Satzart-50 record that only repeats a single Gemeinde, gemeindefreies Gebiet: no applicant.
    assert by_type_key["50", "081160019000"].kind is None
    assert by_type_key["60", "08415971"].kind is None
    assert not by_type_key["60", "08415971"].importable

    # Stadtkreis Freiburg: the Kreis record stands for it, the Gemeinde record is its mirror.
    assert by_type_key["40", "08311000"].kind == K.STADTKREIS
    assert by_type_key["40", "08311000"].name == "Freiburg im Breisgau"
    assert by_type_key["60", "08311000"].kind is None
    assert by_type_key["60", "08311000"].county == ""

    muenchen = by_type_key["60", "09162000"]
    assert muenchen.land == "09"
    assert not muenchen.importable


def test_parser_tolerates_stripped_lines_crlf_bom_and_blank_lines():
    lines = [
        "\ufeff" + line("10", "08", name="Baden-Württemberg") + "\r\n",
        "\r\n",
        line("40", "08311", name="Freiburg im Breisgau, Stadtkreis", code="42").rstrip() + "\r\n",
        line("60", "08311000", "0000", "Freiburg im Breisgau, Stadt", "62").rstrip(),
    ]
    records = list(parse_gv100ad(lines))
    assert [(r.record_type, r.key, r.kind) for r in records] == [
        ("40", "08311000", K.STADTKREIS),
        ("60", "08311000", None),
    ]


def test_stadtkreis_without_kreis_record_comes_from_the_gemeinde_record():
    records = list(parse_gv100ad([line("60", "08311000", "0000", "Freiburg im Breisgau, Stadt", "62")]))
    assert [(r.key, r.name, r.kind, r.county) for r in records] == [
        ("08311000", "Freiburg im Breisgau", K.STADTKREIS, "")
    ]


@pytest.mark.parametrize(
    "bad_line, message",
    [
        ("99" + " " * 218, "unbekannte Satzart"),
        (line("60", "0811601x", "0019", "Esslingen am Neckar, Stadt", "67"), "Gemeinde"),
        (line("50", "08116", "50A7", "GVV Reichenbach an der Fils", "56"), "Gemeindeverband"),
    ],
)
def test_parser_rejects_malformed_lines(bad_line, message):
    with pytest.raises(GV100ADFormatError, match=message) as excinfo:
        list(parse_gv100ad([line("10", "08", name="Baden-Württemberg"), bad_line]))
    assert excinfo.value.line_number == 2


@pytest.mark.parametrize(
    "raw, cleaned",
    [
        ("Esslingen am Neckar, Stadt", "Esslingen am Neckar"),
        ("Freiburg im Breisgau, Stadtkreis", "Freiburg im Breisgau"),
        ("Stuttgart, Landeshauptstadt", "Stuttgart"),
        ("Ulm, Universitätsstadt", "Ulm"),
        ("Ehingen (Donau), Stadt", "Ehingen (Donau)"),
        ("Aichwald", "Aichwald"),
        ("GVV Plochingen", "Gemeindeverwaltungsverband Plochingen"),
        ("VVG der Gemeinde Deggingen", "Vereinbarte Verwaltungsgemeinschaft der Gemeinde Deggingen"),
        ("GVV Verwaltungsgemeinschaft Munderkingen", "Gemeindeverwaltungsverband Verwaltungsgemeinschaft Munderkingen"),
        ("Gutsbezirk Münsingen, gemeindefreies Gebiet", "Gutsbezirk Münsingen, gemeindefreies Gebiet"),
    ],
)
def test_clean_name(raw, cleaned):
    assert clean_name(raw) == cleaned


# --- import -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_creates_the_bw_organisations():
    result = import_gv100ad(sample_lines())

    assert result == ImportResult(created=len(EXPECTED), updated=0, unchanged=0, skipped=EXPECTED_SKIPPED)
    assert rows() == EXPECTED
    assert Organisation.objects.filter(is_active=True).count() == len(EXPECTED)
    for organisation in Organisation.objects.all():
        organisation.full_clean()  # keys pass the model's validator


@pytest.mark.django_db
def test_import_skips_other_laender_and_non_applicants():
    import_gv100ad(sample_lines())

    assert not Organisation.objects.exclude(key__startswith="08").exists()
    assert not Organisation.objects.filter(name__contains="München").exists()
    assert not Organisation.objects.filter(name__contains="Gutsbezirk").exists()
    assert Organisation.objects.filter(key="08311000").count() == 1
    assert Organisation.objects.filter(name="Freiburg im Breisgau").count() == 1
    # No Satzart-50 placeholder of a single Gemeinde became an organisation.
    assert not Organisation.objects.filter(key="081160019000").exists()


@pytest.mark.django_db
def test_second_run_is_idempotent():
    import_gv100ad(sample_lines())
    before = dict(Organisation.objects.values_list("key", "updated_at"))

    result = import_gv100ad(sample_lines())

    assert result == ImportResult(created=0, updated=0, unchanged=len(EXPECTED), skipped=EXPECTED_SKIPPED)
    assert rows() == EXPECTED
    assert dict(Organisation.objects.values_list("key", "updated_at")) == before


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_number_of_records(django_assert_max_num_queries):
    small, large = synthetic_lines(3), synthetic_lines(400)
    import_gv100ad(small)
    with CaptureQueriesContext(connection) as first_large_run:
        assert import_gv100ad(large).created == 397  # the Landkreis and three Gemeinden exist already
    # Inserts go out in batches (SQLite: at most 999 parameters per statement), never per record.
    assert len(first_large_run) <= 10

    with CaptureQueriesContext(connection) as small_run:
        assert import_gv100ad(small).unchanged == 4
    with django_assert_max_num_queries(len(small_run)):
        assert import_gv100ad(large).unchanged == 401
    import_gv100ad(sample_lines())
    with django_assert_max_num_queries(3):  # savepoint, one SELECT, release
        assert import_gv100ad(sample_lines()).unchanged == len(EXPECTED)


@pytest.mark.django_db
def test_keyless_demo_rows_get_their_key_instead_of_a_duplicate():
    weilheim = Organisation.objects.create(
        name="Weilheim an der Teck", kind=K.STADT, county="Landkreis Esslingen", region="1", key=None
    )
    # Same body, written as the demo data writes it; the county without "Landkreis" still matches.
    gvv = Organisation.objects.create(
        name="Gemeindeverwaltungsverband Reichenbach an der Fils", kind=K.GVV, county="Esslingen", region="1"
    )
    other = Organisation.objects.create(name="Kraichtal", kind=K.STADT, county="Landkreis Karlsruhe", region="2")

    result = import_gv100ad(sample_lines())

    assert result == ImportResult(created=len(EXPECTED) - 2, updated=2, unchanged=0, skipped=EXPECTED_SKIPPED)
    weilheim.refresh_from_db()
    gvv.refresh_from_db()
    other.refresh_from_db()
    assert weilheim.key == "08116070"
    assert (gvv.key, gvv.county) == ("081165007000", "Landkreis Esslingen")
    assert other.key is None
    assert Organisation.objects.count() == len(EXPECTED) + 1
    assert rows() - {(None, "Kraichtal", K.STADT, "Landkreis Karlsruhe", "2")} == EXPECTED


@pytest.mark.django_db
def test_import_corrects_existing_rows_by_key():
    stale = Organisation.objects.create(
        name="Esslingen am Neckar, Stadt", kind=K.STADT, county="", region="1", key="08116019"
    )
    stale_updated_at = stale.updated_at

    result = import_gv100ad(sample_lines())

    assert (result.created, result.updated) == (len(EXPECTED) - 1, 1)
    stale.refresh_from_db()
    assert (stale.name, stale.kind, stale.county) == ("Esslingen am Neckar", K.GROSSE_KREISSTADT, "Landkreis Esslingen")
    assert stale.updated_at > stale_updated_at


@pytest.mark.django_db
def test_deactivate_missing():
    gone = Organisation.objects.create(name="Aufgelöste Gemeinde", kind=K.GEMEINDE, region="1", key="08116999")
    keyless = Organisation.objects.create(name="Kraichtal", kind=K.STADT, county="Landkreis Karlsruhe", region="2")

    import_gv100ad(sample_lines())
    gone.refresh_from_db()
    assert gone.is_active  # only with deactivate_missing

    result = import_gv100ad(sample_lines(), deactivate_missing=True)

    assert (result.updated, result.unchanged) == (1, len(EXPECTED))
    gone.refresh_from_db()
    keyless.refresh_from_db()
    assert not gone.is_active
    assert keyless.is_active  # no key: nothing to compare with

    # A body that is back in the file is active again.
    Organisation.objects.filter(key="08116076").update(is_active=False)
    result = import_gv100ad(sample_lines(), deactivate_missing=True)
    assert result.updated == 1
    assert Organisation.objects.get(key="08116076").is_active


# --- management command -------------------------------------------------------------------


def run_command(*args):
    out = StringIO()
    call_command("import_gv100ad", *args, stdout=out)
    return out.getvalue().strip()


@pytest.mark.django_db
def test_command_prints_a_german_summary():
    assert run_command(str(SAMPLE), "--encoding", "latin-1") == (
        f"Angelegt: {len(EXPECTED)}, aktualisiert: 0, unverändert: 0, übersprungen: {EXPECTED_SKIPPED}"
    )
    assert run_command(str(SAMPLE)) == (
        f"Angelegt: 0, aktualisiert: 0, unverändert: {len(EXPECTED)}, übersprungen: {EXPECTED_SKIPPED}"
    )
    assert rows() == EXPECTED


@pytest.mark.django_db
def test_command_reads_utf8_files(tmp_path):
    utf8 = tmp_path / "GV100AD_utf8.txt"
    utf8.write_bytes(SAMPLE.read_bytes().decode("latin-1").encode("utf-8"))

    run_command(str(utf8))  # encoding detected

    assert Organisation.objects.get(key="08236043").name == "Neuenbürg"
    assert rows() == EXPECTED


@pytest.mark.django_db
def test_command_deactivate_missing_option():
    Organisation.objects.create(name="Aufgelöste Gemeinde", kind=K.GEMEINDE, region="1", key="08116999")

    output = run_command(str(SAMPLE), "--deactivate-missing")

    assert output.startswith(f"Angelegt: {len(EXPECTED)}, aktualisiert: 1,")
    assert not Organisation.objects.get(key="08116999").is_active


@pytest.mark.django_db
def test_command_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Datei nicht gefunden"):
        run_command(str(tmp_path / "fehlt.txt"))
    assert not Organisation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content, args, message",
    [
        (SAMPLE.read_bytes(), ["--encoding", "utf-8"], "nicht als utf-8 lesen"),
        (SAMPLE.read_bytes(), ["--encoding", "klingonisch"], "Unbekannter Zeichensatz"),
        (b"name;kind;key\r\nAichwald;Gemeinde;08116076\r\n", [], "Keine gültige GV100AD-Datei: Zeile 1"),
    ],
)
def test_command_rejects_unreadable_files(tmp_path, content, args, message):
    path = tmp_path / "datei.txt"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run_command(str(path), *args)
    assert not Organisation.objects.exists()
