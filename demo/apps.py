from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for ``make run``: on top of every other app, imported by none."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
    verbose_name = "Demo-Daten"
