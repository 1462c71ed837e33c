from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Konten")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .backends import forget_user
        from .models import User

        # The cached signed-in user (backends.py) is outdated by every save or deletion.
        post_save.connect(forget_user, sender=User, dispatch_uid="accounts-forget-cached-user-save")
        post_delete.connect(forget_user, sender=User, dispatch_uid="accounts-forget-cached-user-delete")
