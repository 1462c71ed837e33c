from django.apps import AppConfig


class KernelConfig(AppConfig):
    name = "foerderportal"
    verbose_name = "Förderportal"

    def ready(self):
        from .admin import install_permitted_links

        install_permitted_links()
