from django.core.management.base import BaseCommand

from accounts.roles import ensure_roles


class Command(BaseCommand):
    help = "Legt die Rollen (Gruppen) Akademie, Gutachter/innen und Prozessbegleitung mit ihren Rechten an."

    def handle(self, *args, **options):
        for name, count in ensure_roles().items():
            self.stdout.write(f"{name}: {count} Rechte")
