"""The declaration a member makes when submitting (recorded with its wording and version)."""

from django.utils.translation import gettext as _

# Raise when the wording changes: every submission records the version it was made under.
DECLARATION_VERSION = "2026-12-01"


def declaration_text(organisation) -> str:
    return _(
        "Die Angaben sind vollständig und richtig; ich bin berechtigt, den Antrag für %(organisation)s "
        "einzureichen; der Beschluss des Gremiums liegt vor."
    ) % {"organisation": organisation.name}
