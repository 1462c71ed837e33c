"""Every portal URL that takes an object's id has a row in a permission table.

The tables (URL × role × expected status, pretix-style) are where "another organisation's object
answers 404" is tested. A new view with an id in its route and no row there fails here, named.
The walk goes through the root URLconf and every include; the admin (its own permission checks,
tested in the apps' admin tests) and Django's static/media serving are left out. Routes that carry
a signed token with the id (e-mail verification, password reset) are not object-id URLs.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, UUIDConverter

from tests.applications.test_permissions import APPLICANT_URLS
from tests.correspondence.test_permissions import CORRESPONDENCE_URLS
from tests.facilitation.test_permissions import FACILITATION_URLS
from tests.letters.test_views import LETTER_URLS
from tests.pages.test_pages import PAGES_URLS

PERMISSION_TABLES = {
    "tests/applications/test_permissions.py APPLICANT_URLS": APPLICANT_URLS,
    "tests/correspondence/test_permissions.py CORRESPONDENCE_URLS": CORRESPONDENCE_URLS,
    "tests/facilitation/test_permissions.py FACILITATION_URLS": FACILITATION_URLS,
    "tests/letters/test_views.py LETTER_URLS": LETTER_URLS,
    "tests/pages/test_pages.py PAGES_URLS": PAGES_URLS,
}
IN_A_TABLE = {row[0] for rows in PERMISSION_TABLES.values() for row in rows}
SKIPPED_NAMESPACES = {"admin"}
SKIPPED_VIEW_MODULES = ("django.views.static", "django.contrib.staticfiles")


def _kwargs(pattern):
    """{kwarg: converter or None} of one route (None for a regex group)."""
    converters = getattr(pattern, "converters", {})
    regex = getattr(pattern, "regex", None)
    names = set(converters) | set(regex.groupindex if regex is not None else ())
    return {name: converters.get(name) for name in names}


def _is_object_id(kwarg, converter):
    if isinstance(converter, IntConverter | UUIDConverter):
        return True
    return kwarg in {"pk", "id"} or kwarg.endswith(("_pk", "_id"))


def _walk(resolver, namespace="", route="", kwargs=None):
    """(URL name with namespaces, route, {kwarg: converter}) of every pattern below ``resolver``."""
    kwargs = kwargs or {}
    for entry in resolver.url_patterns:
        entry_route = route + str(entry.pattern)
        entry_kwargs = {**kwargs, **_kwargs(entry.pattern)}
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from _walk(entry, inner, entry_route, entry_kwargs)
        elif isinstance(entry, URLPattern):
            if entry.lookup_str.startswith(SKIPPED_VIEW_MODULES):
                continue
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name or f"(unnamed) {entry_route}", entry_route, entry_kwargs


def object_id_urls():
    """{URL name: route} of every portal URL with an object id in its route."""
    return {
        name: route
        for name, route, kwargs in _walk(get_resolver())
        if any(_is_object_id(kwarg, converter) for kwarg, converter in kwargs.items())
    }


OBJECT_ID_URLS = object_id_urls()


def test_the_walk_reaches_every_included_urlconf():
    """Not vacuous: the walk finds the id URLs of each app's URLconf, and no admin URL."""
    namespaces = {name.split(":")[0] for name in OBJECT_ID_URLS}
    assert {"applications", "facilitation", "letters"} <= namespaces
    assert "admin" not in namespaces
    assert "applications:overview" in OBJECT_ID_URLS and "accounts:verify" not in OBJECT_ID_URLS


@pytest.mark.parametrize("name", sorted(OBJECT_ID_URLS))
def test_every_url_with_an_object_id_has_a_row_in_a_permission_table(name):
    assert name in IN_A_TABLE, (
        f"{name} ({OBJECT_ID_URLS[name]}) takes an object id but has no row in a permission table: "
        f"add one to {' or '.join(PERMISSION_TABLES)} (the table of the app whose object it is)"
    )
