import importlib

import pytest
from django.apps import apps

default_pages = importlib.import_module("pages.migrations.0002_default_pages")
academy_contact_details = importlib.import_module("pages.migrations.0004_academy_contact_details")


def create_default_pages():
    """The data migrations' pages and contact data (a transactional test elsewhere may have flushed
    them); idempotent."""
    default_pages.create_pages(apps, None)
    academy_contact_details.forwards(apps, None)


@pytest.fixture(autouse=True)
def _default_pages(request):
    if "db" in request.fixturenames or "transactional_db" in request.fixturenames:
        create_default_pages()
