"""The academy's contact data as fields (``ContactDetails``) instead of placeholder lines in the page texts.

The address is the Führungsakademie Baden-Württemberg's public one; representation, telephone,
e-mail and the person responsible for the content stay empty until the operator enters them (the
pages show nothing for an empty entry, and the admin lists what is missing). Page texts are
replaced only where they are still exactly the first seed: an edited page is left as the academy wrote it.
"""

import importlib

from django.db import migrations

FIRST_SEED = importlib.import_module("pages.migrations.0002_default_pages").PAGES

PAGES = {
    # The contact data come from ContactDetails, above this text.
    "impressum": """## Das Förderportal
Über dieses Portal beantragen Gemeinden, Städte, Landkreise und Gemeindeverwaltungsverbände in Baden-Württemberg die Prozessbegleitung „Integration durch bürgerschaftliches Engagement und Zivilgesellschaft“. Die Führungsakademie Baden-Württemberg führt das Programm im Auftrag des Landes durch.

## Fragen und Hinweise
Schreiben Sie uns über unser [Kontaktformular](/kontakt/).""",
    "kontakt": """Sie haben eine Frage zum Förderportal, zur Ausschreibung oder möchten eine Barriere melden? Schreiben Sie uns. Wir antworten in der Regel innerhalb von fünf Arbeitstagen.""",
    "barrierefreiheit": FIRST_SEED["barrierefreiheit"][1]
    .replace(
        " (Anschrift und Internetadresse: Platzhalter – bitte vor dem Betrieb prüfen)",
        "",
    )
    .replace(
        "- Die Seiten der Prozessbegleitung und der Verwaltung (Django-Admin) sind nur teilweise geprüft. "
        "Im Verwaltungsbereich wurden fehlende Beschriftungen in Tabellen zum direkten Bearbeiten gefunden.",
        "- Die Seiten der Prozessbegleitung und der Verwaltung (Django-Admin) sind nur teilweise geprüft: "
        "automatisch geprüft werden die Seiten, die das Förderportal dem Django-Admin hinzufügt (Aufgaben, "
        "Rangliste, Entscheidung und ihre Bestätigung, Übersicht der Prozessbegleitungen, Bewertungskriterien, "
        "Meilenstein-Vorlagen). Die übrigen Standardseiten des Django-Admin sind nicht eigens geprüft.",
    ),
    "gebaerdensprache": FIRST_SEED["gebaerdensprache"][1].replace(
        " (Platzhalter – genaue Seite bitte vor dem Betrieb eintragen)", ""
    ),
}

ACADEMY = {
    "organisation": "Führungsakademie Baden-Württemberg",
    "street": "Hans-Thoma-Straße 1",
    "postcode": "76133",
    "city": "Karlsruhe",
    "commissioned_by": "Ministerium für Soziales, Gesundheit und Integration Baden-Württemberg",
}


def forwards(apps, schema_editor):
    ContactDetails = apps.get_model("pages", "ContactDetails")
    Page = apps.get_model("pages", "Page")
    ContactDetails.objects.get_or_create(id=1, defaults=ACADEMY)
    for slug, body in PAGES.items():
        Page.objects.filter(slug=slug, body=FIRST_SEED[slug][1]).update(body=body)


def backwards(apps, schema_editor):
    Page = apps.get_model("pages", "Page")
    for slug, body in PAGES.items():
        Page.objects.filter(slug=slug, body=body).update(body=FIRST_SEED[slug][1])


class Migration(migrations.Migration):
    dependencies = [("pages", "0003_contactdetails")]

    operations = [migrations.RunPython(forwards, backwards)]
