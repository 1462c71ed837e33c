"""The audit trail: one event model base and one ``log_event`` for every app.

An event records who did what to which object, when, with a few facts (``data``). Staff read
events in German with local times: each concrete model names its actions (``ACTIONS``) and
``DATA_LABELS`` names the facts; a code without a label is shown as "Sonstiges", never raw.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

# Labels of the facts recorded with events (the keys of ``data``), shared by every app.
DATA_LABELS = {
    "reference_number": _("Aktenzeichen"),
    "fields": _("geänderte Felder"),
    "name": _("Datei"),
    "sha256": _("SHA-256"),
    "kind": _("Art"),
    "amount": _("Betrag"),
    "decision": _("Entscheidung"),
    "facilitators": _("Prozessbegleiter/innen"),
    "before": _("vorher"),
    "after": _("nachher"),
    "reason": _("Begründung"),
    "session": _("Termin"),
    "cost": _("Kosten"),
    "milestone": _("Meilenstein"),
    "done_on": _("erledigt am"),
    "report": _("Bericht"),
    "reviewers": _("Gutachter/innen"),
    "notified_on": _("bekannt gegeben am"),
    "way": _("Weg"),
    "changes": _("Änderungen"),
    "attachments_added": _("Anlagen hinzugefügt"),
    "attachments_removed": _("Anlagen entfernt"),
    "sections": _("Abschnitte"),
    "attachment_kinds": _("Anlagenarten"),
    "due_on": _("Frist"),
    "message": _("Nachricht"),
    "declaration": _("Erklärung"),
    "declaration_version": _("Fassung der Erklärung"),
}


class Event(models.Model):
    """Base of the apps' event models; a subclass adds the foreign key ``related_name="events"``."""

    ACTIONS: dict[str, str] = {}

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(_("Aktion"), max_length=50)
    created_at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        verbose_name = _("Ereignis")
        verbose_name_plural = _("Ereignisse")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.action_label} ({self.local_time})"

    @classmethod
    def register_actions(cls, labels: dict[str, str]) -> None:
        """A higher app that records events on this model names its own actions (in ``ready()``)."""
        cls.ACTIONS = {**cls.ACTIONS, **labels}

    @property
    def action_label(self) -> str:
        return str(self.ACTIONS.get(self.action, _("Sonstiges")))

    @property
    def local_time(self) -> str:
        """'06.03.2020, 23:59 Uhr' in the portal's time zone."""
        moment = timezone.localtime(self.created_at, timezone.get_default_timezone())
        return date_format(moment, "d.m.Y, H:i") + " Uhr"

    @property
    def details(self) -> str:
        """The recorded facts as German text: 'Aktenzeichen: IBE-2020-0001; Datei: plan.pdf'."""
        parts = []
        for key, value in (self.data or {}).items():
            if value in (None, "", [], {}):
                continue
            value = self.display_value(key, value)
            if isinstance(value, list | tuple):
                value = ", ".join(str(item) for item in value)
            label = DATA_LABELS.get(key, _("Angabe"))
            parts.append(f"{label}: {value}")
        return "; ".join(parts)

    def display_value(self, key, value):
        """Dates stored as ISO text read as German dates; a subclass may turn a stored code (or a list
        of them) into German text (e.g. a decision kind)."""
        if isinstance(value, str) and len(value) == 10:
            try:
                return date_format(date.fromisoformat(value), "d.m.Y")
            except ValueError:
                pass
        return value


def log_event(subject, actor, action: str, **data):
    """Record ``action`` on ``subject`` (anything with an ``events`` relation to an ``Event`` model)."""
    return subject.events.create(actor=actor, action=action, data=data)
