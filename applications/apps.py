from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "applications"
    verbose_name = "Anträge und Organisationen"

    def ready(self):
        from foerderportal import hooks

        from . import services

        hooks.account_verified.connect(services.announce_membership_requests)
