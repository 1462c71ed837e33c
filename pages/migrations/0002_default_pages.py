"""The five footer pages with their first German texts; academy staff edit them in the admin."""

from django.db import migrations

PLACEHOLDER = "(Platzhalter – bitte vor dem Betrieb ersetzen)"

PAGES = {
    "impressum": (
        "Impressum",
        f"""## Anbieter (§ 5 DDG)
Führungsakademie Baden-Württemberg
Hans-Thoma-Str. 1
76133 Karlsruhe

Die Führungsakademie Baden-Württemberg ist eine rechtsfähige Anstalt des öffentlichen Rechts des Landes Baden-Württemberg.

## Vertreten durch
Die Direktorin oder der Direktor der Führungsakademie {PLACEHOLDER}

## Kontakt
Telefon: 0721 000000 {PLACEHOLDER}
E-Mail: foerderportal@fuehrungsakademie.example {PLACEHOLDER}
Oder über unser [Kontaktformular](/kontakt/).

## Im Auftrag von
Ministerium für Soziales, Gesundheit und Integration Baden-Württemberg

## Verantwortlich für den Inhalt
Führungsakademie Baden-Württemberg, Anschrift wie oben {PLACEHOLDER}""",
    ),
    "barrierefreiheit": (
        "Erklärung zur Barrierefreiheit",
        """Die Führungsakademie Baden-Württemberg ist bemüht, das Förderportal im Einklang mit § 10 des Landes-Behindertengleichstellungsgesetzes (L-BGG) und der Barrierefreie-Informationstechnik-Verordnung (BITV 2.0) barrierefrei zugänglich zu machen.

## Stand der Vereinbarkeit
Das Förderportal ist teilweise mit den Anforderungen der BITV 2.0 vereinbar. Die unten genannten Inhalte sind nicht oder nicht vollständig barrierefrei.

## Nicht barrierefreie Inhalte
- Automatisch geprüft (axe-core, WCAG 2.1 A und AA) werden die Seiten für Antragstellende: Start, Anmeldung, Registrierung, Passwort, Übersicht, Antragsabschnitte, Anlagen, Mitglieder sowie diese Seiten im Fußbereich. Eine automatische Prüfung findet nur einen Teil der Barrieren; eine Prüfung mit Screenreadern und durch Menschen mit Behinderungen steht noch aus.
- Die Seiten der Prozessbegleitung und der Verwaltung (Django-Admin) sind nur teilweise geprüft. Im Verwaltungsbereich wurden fehlende Beschriftungen in Tabellen zum direkten Bearbeiten gefunden.
- Bescheide und Eingangsbestätigungen sind PDF/A-Dateien, aber keine vollständig getaggten PDF-Dokumente (PDF/UA). Wenn Sie einen Bescheid in anderer Form brauchen, schreiben Sie uns.
- Von der Akademie hochgeladene Dokumente einer Ausschreibung (zum Beispiel Richtlinien als PDF) sind möglicherweise nicht barrierefrei.
- Erklärungen in Deutscher Gebärdensprache gibt es im Portal noch nicht; siehe die Seite [Gebärdensprache](/gebaerdensprache/).

## Erstellung dieser Erklärung
Diese Erklärung wurde am 1. Dezember 2026 erstellt. Grundlage ist eine Selbstbewertung mit automatischen Tests.

## Barrieren melden: Kontakt zu den Feedback-Verantwortlichen
Sind Ihnen Mängel beim barrierefreien Zugang aufgefallen? Dann schreiben Sie uns über das [Kontaktformular](/kontakt/).

## Schlichtungsverfahren
Wenn Sie auf Ihre Rückmeldung keine zufriedenstellende Antwort erhalten, können Sie sich an die Ombudsstelle für barrierefreie Informationstechnik wenden, die bei der Landes-Behindertenbeauftragten Baden-Württemberg eingerichtet ist (§ 10 Abs. 3 L-BGG):
Beauftragte der Landesregierung für die Belange von Menschen mit Behinderungen
Else-Josenhans-Straße 6, 70173 Stuttgart
[https://www.sozialministerium-bw.de](https://www.sozialministerium-bw.de) (Anschrift und Internetadresse: Platzhalter – bitte vor dem Betrieb prüfen)""",
    ),
    "leichte-sprache": (
        "Leichte Sprache",
        """## Was ist das Förder-Portal?
Das Förder-Portal ist eine Internet-Seite.
Gemeinden und Land-Kreise in Baden-Württemberg können hier Hilfe beantragen.
Die Hilfe heißt: Prozess-Begleitung.

## Was ist Prozess-Begleitung?
Fach-Leute kommen in Ihre Gemeinde.
Sie helfen 2 Jahre lang.
Sie helfen Menschen aus der Verwaltung und Menschen aus Vereinen.
Zusammen machen sie Angebote für Menschen, die neu nach Deutschland gekommen sind.
Das Land Baden-Württemberg bezahlt die Hilfe.

## Wer darf einen Antrag stellen?
Nur Menschen, die in einer Gemeinde arbeiten.
Oder in einem Land-Kreis.

## Wie stellt man einen Antrag?
- Schritt 1: Sie registrieren sich. Das heißt: Sie melden sich an.
- Schritt 2: Sie bekommen eine E-Mail. Sie klicken auf den Link in der E-Mail.
- Schritt 3: Sie füllen den Antrag aus. Das geht in kleinen Teilen.
- Schritt 4: Sie schicken den Antrag ab. Das muss vor dem Ende der Frist sein.
- Schritt 5: Sie bekommen einen Brief. Der Brief heißt: Bescheid. Im Bescheid steht: Sie bekommen die Hilfe. Oder: Sie bekommen die Hilfe nicht.

## Haben Sie Fragen?
Schreiben Sie uns.
Hier ist das [Kontakt-Formular](/kontakt/).""",
    ),
    "gebaerdensprache": (
        "Gebärdensprache",
        """## Informationen in Deutscher Gebärdensprache (DGS)
Das Förderportal ist das Antragsportal der Führungsakademie Baden-Württemberg. Gemeinden, Städte und Landkreise in Baden-Württemberg beantragen hier eine vom Land bezahlte Prozessbegleitung für bürgerschaftliches Engagement und Integration.

Videos in Deutscher Gebärdensprache zu diesem Portal gibt es noch nicht. Allgemeine Informationen des Landes in Gebärdensprache finden Sie auf [https://www.baden-wuerttemberg.de](https://www.baden-wuerttemberg.de) (Platzhalter – genaue Seite bitte vor dem Betrieb eintragen).

## Kontakt
Schreiben Sie uns über das [Kontaktformular](/kontakt/). Wenn Sie ein Gespräch mit Gebärdensprachdolmetschung wünschen, schreiben Sie uns das bitte; wir vereinbaren einen Termin.""",
    ),
    "kontakt": (
        "Kontakt",
        """Sie haben eine Frage zum Förderportal, zur Ausschreibung oder möchten eine Barriere melden? Schreiben Sie uns. Wir antworten in der Regel innerhalb von fünf Arbeitstagen.

Führungsakademie Baden-Württemberg
Hans-Thoma-Str. 1
76133 Karlsruhe""",
    ),
}


def create_pages(apps, schema_editor):
    Page = apps.get_model("pages", "Page")
    for slug, (title, body) in PAGES.items():
        Page.objects.get_or_create(slug=slug, defaults={"title": title, "body": body})


class Migration(migrations.Migration):
    dependencies = [("pages", "0001_initial")]

    operations = [migrations.RunPython(create_pages, migrations.RunPython.noop)]
