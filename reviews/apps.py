from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"
    verbose_name = _("Bewertung und Entscheidung")

    def ready(self):
        from foerderportal import hooks

        from . import selectors

        # The public list of participating municipalities waits while a proposal is pending.
        hooks.unpublished_rounds.connect(selectors.rounds_with_pending_decisions)
