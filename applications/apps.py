from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "applications"
    verbose_name = _("Anträge und Organisationen")

    def ready(self):
        from foerderportal import hooks

        from . import services

        hooks.account_verified.connect(services.announce_membership_requests)
