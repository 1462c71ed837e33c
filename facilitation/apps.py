from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "facilitation"
    verbose_name = _("Prozessbegleitung")

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from applications.models import Membership
        from foerderportal import caching, hooks

        from . import navigation, services
        from .models import Facilitation, Facilitator

        hooks.application_awarded.connect(services.create_facilitation_on_award)
        # Asked on every page of a signed-in user: read in the user's round trip to the cache.
        caching.read_with_user(navigation.read_with_user)
        # The cached answer to "show the Prozessbegleitung link?" (navigation.py) changes with these.
        for model in (Facilitation, Facilitator, Membership):
            post_save.connect(
                navigation.forget_answers, sender=model, dispatch_uid=f"facilitation-nav-save-{model.__name__}"
            )
            post_delete.connect(
                navigation.forget_answers, sender=model, dispatch_uid=f"facilitation-nav-delete-{model.__name__}"
            )
        m2m_changed.connect(
            navigation.forget_answers, sender=Facilitation.facilitators.through, dispatch_uid="facilitation-nav-m2m"
        )
