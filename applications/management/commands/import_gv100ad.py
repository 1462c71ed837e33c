"""manage.py import_gv100ad PATH: organisations of Baden-Württemberg from the Destatis GV100AD file."""

import codecs
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from applications.gv100ad import GV100ADFormatError, import_gv100ad

AUTO = "auto"


def decode(data, encoding):
    """Text of the file; ``auto``: UTF-8 (files since 2019), else ISO-8859-1 (older files)."""
    if encoding == AUTO:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return data.decode("latin-1")
    return data.decode(encoding)


class Command(BaseCommand):
    help = (
        "Importiert Landkreise, Stadtkreise, Gemeinden und Verwaltungsverbände Baden-Württembergs aus dem "
        "Gemeindeverzeichnis GV100AD des Statistischen Bundesamts (Satzarten 40, 50, 60). Mehrfach ausführbar."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="GV100AD-Datei (Festformat, z. B. GV100AD_300921.txt).")
        parser.add_argument(
            "--encoding",
            default=AUTO,
            help="Zeichensatz der Datei, z. B. latin-1 oder utf-8 (Standard: auto – UTF-8, sonst ISO-8859-1).",
        )
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="Organisationen mit amtlichem Schlüssel, die in der Datei fehlen, deaktivieren.",
        )

    def handle(self, *args, path, encoding, deactivate_missing, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"Datei nicht gefunden: {path}")
        if encoding != AUTO:
            try:
                codecs.lookup(encoding)
            except LookupError as exc:
                raise CommandError(f"Unbekannter Zeichensatz: {encoding}") from exc
        try:
            text = decode(file.read_bytes(), encoding)
        except UnicodeDecodeError as exc:
            raise CommandError(
                f"Die Datei lässt sich nicht als {encoding} lesen (Byte {exc.start}). "
                "Bitte den Zeichensatz mit --encoding angeben."
            ) from exc
        except OSError as exc:
            raise CommandError(f"Datei kann nicht gelesen werden: {path} ({exc.strerror})") from exc
        try:
            # Split on LF only (CR is stripped per line): str.splitlines() would also break at U+0085 etc.
            result = import_gv100ad(text.split("\n"), deactivate_missing=deactivate_missing)
        except GV100ADFormatError as exc:
            raise CommandError(f"Keine gültige GV100AD-Datei: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Angelegt: {result.created}, aktualisiert: {result.updated}, "
                f"unverändert: {result.unchanged}, übersprungen: {result.skipped}"
            )
        )
