import importlib

import pytest
from django.apps import apps

default_pages = importlib.import_module("pages.migrations.0002_default_pages")


def create_default_pages():
    """The data migration's pages (a transactional test elsewhere may have flushed them); idempotent."""
    default_pages.create_pages(apps, None)


@pytest.fixture(autouse=True)
def _default_pages(request):
    if "db" in request.fixturenames or "transactional_db" in request.fixturenames:
        create_default_pages()
