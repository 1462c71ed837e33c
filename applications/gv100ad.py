"""Import of the official Destatis Gemeindeverzeichnis (GV100AD) for Baden-Württemberg.

Record layout (Datensatzbeschreibung GV100AD, fixed width, 220 characters per
record; positions are 1-based and inclusive, counted in characters – older
files are ISO-8859-1, files since 2019 are UTF-8, so decode before slicing):

    1-2     EF1  Satzart: 10 Land, 20 Regierungsbezirk, 30 Region (only BW),
                 40 Kreis, 50 Gemeindeverband, 60 Gemeinde
    3-10    EF2  Gebietsstand, JJJJMMTT
    11-12   EF3  Land           (11-18 together: the AGS of a Gemeinde;
    13           Regierungsbezirk   blank from 14 on in Satzart 10 and 20,
    14-15        Kreis              from 16 on in Satzart 40 and 50)
    16-18        Gemeinde (Satzart 60 only)
    19-22   EF4  Gemeindeverband (Satzart 50 and 60)
    23-72   EF5  Name
    73-122  EF6  Sitz der Verwaltung (Satzart 10-50; blank for 60)
    123-124 EF7  Textkennzeichen (Satzart 40, 50, 60)
    129-139 ...  Satzart 60 only: Fläche (ha), then Bevölkerung 140-150,
                 männlich 151-161, PLZ 166-170, ... (not used here)
    201-220      interne Angaben

Textkennzeichen:
    Kreis (40):            41 kreisfreie Stadt, 42 Stadtkreis, 43 Kreis,
                           44 Landkreis, 45 Regionalverband
    Gemeindeverband (50):  50 verbandsfreie Gemeinde, 51 Amt, 52 Samtgemeinde,
                           53 Verbandsgemeinde, 54 Verwaltungsgemeinschaft,
                           55 Kirchspielslandgemeinde, 56 Verwaltungsverband,
                           57 Verwaltungsgemeinschaft (Trägermodell),
                           58 erfüllende Gemeinde
    Gemeinde (60):         60 Markt, 61 kreisfreie Stadt, 62 Stadtkreis,
                           63 Stadt, 64 kreisangehörige Gemeinde,
                           65 gemeindefreies Gebiet (bewohnt), 66 (unbewohnt),
                           67 Große Kreisstadt

Keys built here: Satzart 40 -> 11-15 + "000" (8 digits, e.g. 08116000);
Satzart 50 -> 11-15 + 19-22 + "000" (12-digit Regionalschlüssel, e.g.
081165007000); Satzart 60 -> 11-18 (AGS, e.g. 08116019).

Sources: Destatis ships the Datensatzbeschreibung as a PDF next to each file;
the positions and codes above are those of the readers openpotato/gv100ad-py
(the PyPI package gv100ad-py, src/gv100ad/entities/*.py) and jgraef/gv100ad
(src/parser.rs), checked character by character against a published Destatis
file (GV100AD_300921.txt, Gebietsstand 30.09.2021, in the GitHub repository
Mechtecs/gv100ad-extract). In that file Baden-Württemberg
uses: 42 for its Kreis records of Stadtkreise and 62 for the matching Gemeinde
records; 44 for Landkreise; 63 Stadt, 64 Gemeinde and 67 Große Kreisstadt (a
distinct code, e.g. "Esslingen am Neckar, Stadt" 67); 56 for the
Gemeindeverwaltungsverbände ("GVV Reichenbach an der Fils") and 54 for the
vereinbarten Verwaltungsgemeinschaften ("VVG der Stadt Ehingen (Donau)");
57/58 do not occur in BW. Every Gemeinde outside a GVV/VVG also has a
Satzart-50 record with code 50 that merely repeats the Gemeinde (Verband
number "0" + Gemeinde number, 0000 for a Stadtkreis).

Names are tidied the way the portal shows them (and the demo data writes
them): the designation Destatis appends after a comma ("Esslingen am Neckar,
Stadt", "Freiburg im Breisgau, Stadtkreis", "Ulm, Universitätsstadt",
"Stuttgart, Landeshauptstadt") is stripped because ``kind`` carries it; a
Landkreis, which the file names after its seat ("Esslingen", 44), becomes
"Landkreis Esslingen" unless the name already says Kreis ("Alb-Donau-Kreis");
the abbreviations of the Verband records are spelt out ("GVV Plochingen" ->
"Gemeindeverwaltungsverband Plochingen", "VVG der Stadt Ehingen (Donau)" ->
"Vereinbarte Verwaltungsgemeinschaft der Stadt Ehingen (Donau)"). The county
of a Gemeinde or Verband is the tidied name of its Kreis.
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from django.db import transaction
from django.utils import timezone

from . import selectors
from .models import Organisation, OrganisationKind

BW = "08"
RECORD_LENGTH = 220

KREIS, VERBAND, GEMEINDE = "40", "50", "60"
ORGANISATION_RECORD_TYPES = (KREIS, VERBAND, GEMEINDE)
KNOWN_RECORD_TYPES = ("10", "20", "30", *ORGANISATION_RECORD_TYPES)

# Textkennzeichen -> kind; codes not listed (and codes of the wrong Satzart)
# are no applicant and give kind None.
KREIS_KINDS = {
    "41": OrganisationKind.STADTKREIS,  # kreisfreie Stadt (other Länder)
    "42": OrganisationKind.STADTKREIS,
    "43": OrganisationKind.LANDKREIS,  # "Kreis" (other Länder)
    "44": OrganisationKind.LANDKREIS,
    # 45 Regionalverband: Saarland only.
}
VERBAND_KINDS = {
    # 50 verbandsfreie Gemeinde: repeats a single Gemeinde -> not imported.
    "54": OrganisationKind.VVG,  # how BW codes its vereinbarte Verwaltungsgemeinschaften
    "56": OrganisationKind.GVV,  # Gemeindeverwaltungsverband
    # 51-53, 55, 57, 58 (erfüllende Gemeinde): other Länder.
}
GEMEINDE_KINDS = {
    "60": OrganisationKind.GEMEINDE,  # Markt (Bayern); a Gemeinde all the same
    "61": OrganisationKind.STADTKREIS,  # see _resolve: usually a mirror of the Kreis record
    "62": OrganisationKind.STADTKREIS,
    "63": OrganisationKind.STADT,
    "64": OrganisationKind.GEMEINDE,
    # 65/66 gemeindefreies Gebiet: no applicant.
    "67": OrganisationKind.GROSSE_KREISSTADT,
}
KINDS_BY_RECORD_TYPE = {KREIS: KREIS_KINDS, VERBAND: VERBAND_KINDS, GEMEINDE: GEMEINDE_KINDS}
STADTKREIS_KREIS_CODES = ("41", "42")

# Designations Destatis appends after a comma. Only these are stripped, so a
# name that merely contains a comma stays intact.
NAME_DESIGNATIONS = (
    "Stadt",
    "Stadtkreis",
    "Landkreis",
    "Kreis",
    "Kreisfreie Stadt",
    "Große Kreisstadt",
    "Universitätsstadt",
    "Landeshauptstadt",
    "Hansestadt",
)
_DESIGNATION_RE = re.compile(r",\s*(?:" + "|".join(re.escape(d) for d in NAME_DESIGNATIONS) + r")\s*$")


class GV100ADFormatError(ValueError):
    """A line does not follow the GV100AD layout."""

    def __init__(self, line_number, message):
        super().__init__(f"Zeile {line_number}: {message}")
        self.line_number = line_number


@dataclass(frozen=True)
class GV100ADRecord:
    """One Kreis, Gemeindeverband or Gemeinde of a GV100AD file."""

    record_type: str  # "40", "50" or "60"
    key: str  # 8-digit AGS (40, 60) or 12-digit Regionalschlüssel (50)
    name: str  # without designation suffix
    kind: OrganisationKind | None  # None: not an applicant (placeholder, gemeindefrei, ...)
    county: str  # name of the Kreis; empty for Kreise and in Stadtkreisen
    region: str  # Regierungsbezirk digit, key[2]
    code: str  # Textkennzeichen
    land: str  # key[:2]
    raw_name: str = ""  # name as printed in the file

    @property
    def importable(self):
        return self.land == BW and self.kind is not None and bool(self.name)


VERBAND_ABBREVIATIONS = {
    "GVV": "Gemeindeverwaltungsverband",
    "VVG": "Vereinbarte Verwaltungsgemeinschaft",
}


def clean_name(name):
    """'Freiburg im Breisgau, Stadt' -> 'Freiburg im Breisgau'; 'GVV X' -> 'Gemeindeverwaltungsverband X'."""
    name = " ".join(_DESIGNATION_RE.sub("", name).split())
    first, _, rest = name.partition(" ")
    if first in VERBAND_ABBREVIATIONS and rest:
        name = f"{VERBAND_ABBREVIATIONS[first]} {rest}"
    return name


def display_name(raw_name, record_type, code):
    """The name shown in the portal for a record (see the module docstring)."""
    name = clean_name(raw_name)
    if name and record_type == KREIS and code in ("43", "44") and not name.casefold().endswith("kreis"):
        name = f"{'Landkreis' if code == '44' else 'Kreis'} {name}"
    return name


def _field(line, first, last):
    """Columns ``first``..``last`` (1-based, inclusive), trailing blanks removed."""
    return line[first - 1 : last].rstrip()


def _digits(line_number, value, length, what):
    if len(value) != length or not value.isdigit():
        raise GV100ADFormatError(line_number, f"{what} {value!r} ist keine {length}-stellige Zahl.")
    return value


def _parse_line(line_number, line):
    line = line.ljust(RECORD_LENGTH)
    record_type = line[0:2]
    land = _digits(line_number, line[10:12], 2, "Land")
    regbez = _digits(line_number, line[12:13], 1, "Regierungsbezirk")
    kreis = _digits(line_number, line[13:15], 2, "Kreis")
    kreis_key = land + regbez + kreis
    if record_type == KREIS:
        key = kreis_key + "000"
    elif record_type == VERBAND:
        key = kreis_key + _digits(line_number, line[18:22], 4, "Gemeindeverband") + "000"
    else:
        key = kreis_key + _digits(line_number, line[15:18], 3, "Gemeinde")
    raw_name = _field(line, 23, 72)
    code = _field(line, 123, 124).strip()
    return GV100ADRecord(
        record_type=record_type,
        key=key,
        name=display_name(raw_name, record_type, code),
        kind=KINDS_BY_RECORD_TYPE[record_type].get(code),
        county="",
        region=regbez,
        code=code,
        land=land,
        raw_name=raw_name,
    )


def _read_records(lines):
    for number, line in enumerate(lines, start=1):
        line = line.rstrip("\r\n")
        if number == 1:
            line = line.lstrip("\ufeff")
        if not line.strip():
            continue
        record_type = line[:2]
        if record_type not in KNOWN_RECORD_TYPES:
            raise GV100ADFormatError(number, f"unbekannte Satzart {record_type!r}.")
        if record_type in ORGANISATION_RECORD_TYPES:
            yield _parse_line(number, line)


def _resolve(records):
    """Fill in ``county`` and keep each Stadtkreis once.

    A Stadtkreis appears as Kreis (40, code 41/42) and as Gemeinde (60, code
    61/62) with the same AGS (e.g. 08311000). The Kreis record is kept; the
    Gemeinde record is then a mirror like the Satzart-50 placeholders and gets
    kind None. Without a Kreis record the Gemeinde record stands in.
    """
    kreise = {r.key[:5]: r for r in records if r.record_type == KREIS}
    stadtkreis_keys = {r.key for r in kreise.values() if r.code in STADTKREIS_KREIS_CODES}
    for record in records:
        changes = {}
        kreis = kreise.get(record.key[:5])
        if record.record_type != KREIS and kreis is not None and kreis.code not in STADTKREIS_KREIS_CODES:
            changes["county"] = kreis.name
        if record.record_type == GEMEINDE and record.key in stadtkreis_keys:
            changes["kind"] = None
        yield replace(record, **changes) if changes else record


def parse_gv100ad(lines: Iterable[str]) -> Iterator[GV100ADRecord]:
    """Records of Satzart 40, 50 and 60 (all Länder, in file order).

    ``lines`` are decoded text lines. Satzart 10, 20 and 30 are read past;
    blank lines are ignored; any other Satzart or a non-numeric key raises
    ``GV100ADFormatError``. Use ``record.importable`` to pick the applicants
    of Baden-Württemberg.
    """
    return iter(list(_resolve(list(_read_records(lines)))))


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    skipped: int


def _norm(text):
    text = unicodedata.normalize("NFC", clean_name(text or ""))
    return " ".join(text.split()).casefold()


def _norm_county(county):
    county = _norm(county)
    for prefix in ("landkreis ", "kreis "):
        if county.startswith(prefix):
            return county[len(prefix) :]
    return county


def _match_key(name, kind, county):
    kind = str(kind)
    name = _norm_county(name) if kind == OrganisationKind.LANDKREIS else _norm(name)
    return (name, kind, _norm_county(county))


SYNCED_FIELDS = ("name", "kind", "county", "region")


def import_gv100ad(lines: Iterable[str], *, deactivate_missing=False) -> ImportResult:
    """Create or update an Organisation for every BW applicant in a GV100AD file.

    Rows are matched by ``key``. A row without key (unverified demo data) with
    the same name, kind and Landkreis gets the key instead of a duplicate.
    Name, kind, county and region follow the file; ``is_active`` is left alone
    unless ``deactivate_missing`` is set: then rows in the file are active and
    keyed rows missing from it are deactivated (counted as updated).
    ``skipped`` counts Satzart 40/50/60 records not imported: other Länder,
    no applicant kind (placeholder, gemeindefreies Gebiet, ...), empty name,
    repeated key. Runs in one transaction: one query reads all organisations,
    then inserts and updates go out in batches – no query per record.
    """
    wanted = {}
    skipped = 0
    for record in parse_gv100ad(lines):
        if not record.importable or record.key in wanted:
            skipped += 1
            continue
        wanted[record.key] = record

    unchanged = 0
    now = timezone.now()
    with transaction.atomic():
        organisations = list(
            Organisation.objects.select_for_update().only("id", "key", "is_active", *SYNCED_FIELDS).order_by("id")
        )
        by_key = {o.key: o for o in organisations if o.key}
        keyless = {}
        for organisation in organisations:
            if not organisation.key:
                keyless.setdefault(_match_key(organisation.name, organisation.kind, organisation.county), organisation)

        to_create, to_update = [], []
        for key, record in wanted.items():
            values = {"name": record.name, "kind": record.kind.value, "county": record.county, "region": record.region}
            organisation = by_key.get(key)
            if organisation is None:
                organisation = keyless.pop(_match_key(record.name, record.kind, record.county), None)
                if organisation is None:
                    to_create.append(Organisation(key=key, is_active=True, **values))
                    continue
                organisation.key = key
                changed = True
            else:
                changed = False
            for field, value in values.items():
                if getattr(organisation, field) != value:
                    setattr(organisation, field, value)
                    changed = True
            if deactivate_missing and not organisation.is_active:
                organisation.is_active = True
                changed = True
            if changed:
                organisation.updated_at = now  # bulk_update skips auto_now
                to_update.append(organisation)
            else:
                unchanged += 1

        if deactivate_missing:
            for key, organisation in by_key.items():
                if key not in wanted and organisation.is_active:
                    organisation.is_active = False
                    organisation.updated_at = now
                    to_update.append(organisation)

        if to_create:
            Organisation.objects.bulk_create(to_create, batch_size=500)
        if to_update:
            Organisation.objects.bulk_update(
                to_update, ["key", "is_active", "updated_at", *SYNCED_FIELDS], batch_size=500
            )
            # bulk_update sends no post_save: the dashboards' cached memberships show the names.
            selectors.forget_memberships()
    return ImportResult(created=len(to_create), updated=len(to_update), unchanged=unchanged, skipped=skipped)
