from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "applications"
    verbose_name = _("Anträge und Organisationen")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from foerderportal import hooks

        from . import selectors, services
        from .models import FundingRound, Membership, Organisation, Programme

        hooks.account_verified.connect(services.announce_membership_requests)
        # The cached open rounds (selectors.open_rounds) and memberships (selectors.memberships_of)
        # change with these.
        for receiver, uid, models in (
            (selectors.forget_open_rounds, "open-rounds", (FundingRound, Programme)),
            (selectors.forget_memberships, "memberships", (Membership, Organisation)),
        ):
            for model in models:
                for signal, name in ((post_save, "save"), (post_delete, "delete")):
                    signal.connect(receiver, sender=model, dispatch_uid=f"{uid}-{name}-{model.__name__}")
