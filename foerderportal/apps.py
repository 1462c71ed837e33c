from django.apps import AppConfig


class KernelConfig(AppConfig):
    name = "foerderportal"
    verbose_name = "Förderportal"

    def ready(self):
        from django.core import signals

        from . import caching
        from .admin import install_permitted_links

        install_permitted_links()
        # What a request reads ahead from the cache belongs to that request alone (caching.py).
        signals.request_started.connect(caching.request_started, dispatch_uid="caching-read-ahead-start")
        signals.request_finished.connect(caching.request_finished, dispatch_uid="caching-read-ahead-end")
