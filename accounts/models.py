from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from foerderportal.audit import Event

# Consent to electronic notification by download (§ 41 Abs. 2a LVwVfG BW). The exact wording the
# user agreed to is stored with the consent; a new wording needs a new version.
NOTIFICATION_CONSENT_VERSION = "2026-1"
NOTIFICATION_CONSENT_WORDING = _(
    "Ich bin damit einverstanden, dass mir Bescheide der Führungsakademie Baden-Württemberg zu Anträgen "
    "meiner Organisation elektronisch bekannt gegeben werden: Sie werden nach Anmeldung im Förderportal zum "
    "Abruf bereitgestellt, ich werde per E-Mail benachrichtigt, und ein Bescheid gilt am Tag nach dem Abruf "
    "als bekannt gegeben (§ 41 Abs. 2a LVwVfG). Wird er nicht innerhalb von zehn Tagen nach der "
    "Benachrichtigung abgerufen, gibt die Akademie ihn auf anderem Weg bekannt."
)


class UserManager(BaseUserManager):
    """Users log in with their e-mail address; the user name is that address."""

    def _create_user(self, username, email, password, **extra_fields):
        email = self.normalize_email(email or username)
        return super()._create_user(email, email, password, **extra_fields)

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.pop("username", None)
        return super().create_user(email, email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.pop("username", None)
        return super().create_superuser(email, email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person using the portal: municipal staff, academy staff or a moderator."""

    email = models.EmailField(_("E-Mail-Adresse"), unique=True)
    email_verified_at = models.DateTimeField(_("E-Mail bestätigt am"), null=True, blank=True)
    job_title = models.CharField(_("Funktion"), max_length=200, blank=True)
    phone = models.CharField(_("Telefon"), max_length=50, blank=True)
    notification_consent_at = models.DateTimeField(
        _("Einwilligung in die elektronische Bekanntgabe am"), null=True, blank=True
    )
    notification_consent_version = models.CharField(_("Fassung der Einwilligung"), max_length=20, blank=True)
    notification_consent_wording = models.TextField(_("Wortlaut der Einwilligung"), blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("Benutzer/in")
        verbose_name_plural = _("Benutzer/innen")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            # A consent is a time, a version and the wording, or nothing at all.
            models.CheckConstraint(
                condition=models.Q(
                    notification_consent_at__isnull=True,
                    notification_consent_version="",
                    notification_consent_wording="",
                )
                | (
                    models.Q(notification_consent_at__isnull=False)
                    & ~models.Q(notification_consent_version="")
                    & ~models.Q(notification_consent_wording="")
                ),
                name="user_notification_consent_complete",
            ),
        ]

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        self.username = self.email
        super().save(*args, **kwargs)

    def __str__(self):
        return self.get_full_name() or self.email

    def get_session_auth_hash(self):
        # The signed-in user from the cache (accounts/backends.py) comes without the password hash,
        # which stays out of the cache, but with the session hash it yields; once the password is
        # read (a password check or change loads it from the database) it counts again.
        if "password" not in self.__dict__ and "_session_auth_hash" in self.__dict__:
            return self._session_auth_hash
        return super().get_session_auth_hash()

    @property
    def has_notification_consent(self) -> bool:
        return self.notification_consent_at is not None


class AccountEvent(Event):
    """Audit trail of an account's second factor: set up, recovery codes renewed, reset by staff."""

    ACTIONS = {
        "two_factor_enabled": _("Zwei-Faktor-Anmeldung eingerichtet"),
        "recovery_codes_renewed": _("Wiederherstellungscodes neu erzeugt"),
        "two_factor_reset": _("Zwei-Faktor-Anmeldung zurückgesetzt"),
    }

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="events", verbose_name=_("Konto"))

    class Meta(Event.Meta):
        verbose_name = _("Kontoereignis")
        verbose_name_plural = _("Kontoereignisse")
