from django.apps import AppConfig


class FacilitationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "facilitation"
    verbose_name = "Prozessbegleitung"
