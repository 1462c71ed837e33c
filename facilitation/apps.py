from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "facilitation"
    verbose_name = _("Prozessbegleitung")

    def ready(self):
        from foerderportal import hooks

        from . import services

        hooks.application_awarded.connect(services.create_facilitation_on_award)
