from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "letters"
    verbose_name = _("Bescheide und Eingangsbestätigungen")

    def ready(self):
        from applications.models import ApplicationEvent
        from foerderportal import hooks

        from . import receivers

        hooks.application_submitted.connect(receivers.issue_receipt_on_commit)
        hooks.decision_released.connect(receivers.issue_decision_letter_on_commit)
        hooks.applicant_document_rows.connect(receivers.released_letter_rows)
        ApplicationEvent.register_actions({"letter_notified_otherwise": _("Bescheid auf anderem Weg bekannt gegeben")})
