from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    """The staff start page ("Aufgaben") on the admin index: knows every app, imported by none."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "staff"
    verbose_name = _("Aufgaben")
