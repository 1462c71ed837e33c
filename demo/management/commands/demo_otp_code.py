import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.twofactor import current_demo_code


class Command(BaseCommand):
    help = "Zeigt den aktuellen Code der Zwei-Faktor-Anmeldung der Demo-Verwaltungskonten."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Auch ohne DEBUG ausführen.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo-Codes gibt es nur mit DEBUG=true (oder mit --force).")
        seconds = 30 - int(time.time()) % 30
        self.stdout.write(f"{current_demo_code()}  (gilt noch {seconds} Sekunden; jeder Code nur einmal)")
