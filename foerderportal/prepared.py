"""Queries compiled once per process: the SQL of a hot page's query is built by Django's compiler
on first use and then run with each request's values.

Compiling is most of what an ORM query costs on the applicant pages (0.45 of 0.55 ms CPU for an
application with its organisation and round, measured with benchmarks/page_cost.py; executing and
building the objects is the rest), and it is the same work on every visit: only the values differ
(the user, the application). A ``PreparedQuery`` is a function of those values that returns a
queryset; it is built once with stand-in values, compiled, and the stand-ins' places in the SQL's
parameters are noted. Each call then runs that SQL with the call's values and turns the rows into
objects exactly as a queryset would (Django's own iterable, ``select_related``, ``only``, the
queryset's ``prefetch_related``).

Only whole values that Django passes as query parameters can vary (ids: a stand-in that Django
would inline into the SQL or transform fails loudly at the first use, not silently later). The
result is a list: a prepared query is evaluated, never chained further.
"""

import copy
import datetime
import inspect
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import NotSupportedError, connections, models, router
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

# Stand-ins for the values while compiling: integers no id reaches and within the range of a
# 32-bit integer column (Django 5 turns an out-of-range integer into an empty result instead
# of a parameter).
_STAND_IN = -1_987_654_000
_ID_RANGE = (-(2**63), 2**63 - 1)


@dataclass(frozen=True)
class _Compiled:
    queryset: object  # the queryset built with the stand-ins (copied, never evaluated)
    compiler: object  # its compiler after compiling: the select list and how rows become objects
    sql: str
    params: tuple
    slots: tuple  # per parameter: the name of the value that replaces it, or None (a constant)


class PreparedQuery:
    """``build``: a function of keyword values (integers) returning a queryset of model instances.

    ``PreparedQuery(lambda pk: Attachment.objects.filter(application_id=pk)).list(pk=3)``
    """

    def __init__(self, build):
        self._build = build
        self._names = tuple(inspect.signature(build).parameters)
        self._model = None
        self._compiled = {}  # database alias -> _Compiled

    def list(self, **values):
        if set(values) != set(self._names):
            raise TypeError(f"values for {', '.join(self._names)} expected, got {', '.join(values) or 'none'}")
        if any(type(value) is not int for value in values.values()):
            raise TypeError(f"integers expected: {values}")
        if any(not _ID_RANGE[0] <= value <= _ID_RANGE[1] for value in values.values()):
            return []  # no id (a 64-bit integer at most) matches; the database would refuse it (SQLite)
        alias = router.db_for_read(self._model) if self._model is not None else None
        compiled = self._compiled.get(alias) if alias is not None else None
        if compiled is None:
            alias, compiled = self._compile()
        params = tuple(
            value if name is None else values[name] for name, value in zip(compiled.slots, compiled.params, strict=True)
        )
        # A shallow copy per call: the compiled parts are only read; the connection is this thread's.
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connections[alias]
        compiler.as_sql = lambda *args, **kwargs: (compiled.sql, params)
        queryset = compiled.queryset._chain()
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return list(queryset)

    def first(self, **values):
        """The one object the values select, or ``None`` (more than one is an error, as with ``get``)."""
        found = self.list(**values)
        if len(found) > 1:
            raise found[0].MultipleObjectsReturned(f"{len(found)} rows for {values}")
        return found[0] if found else None

    def _compile(self):
        stand_ins = {name: _STAND_IN - index for index, name in enumerate(self._names)}
        queryset = self._build(**stand_ins)
        alias = queryset.db
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        names = {value: name for name, value in stand_ins.items()}
        slots = tuple(names.get(value) if type(value) is int else None for value in params)
        missing = set(self._names) - set(slots)
        inlined = [name for name, value in stand_ins.items() if str(value) in sql]
        if missing or inlined:
            raise ImproperlyConfigured(
                f"{self._build!r}: the values {', '.join(sorted(missing | set(inlined)))} are not passed "
                "as query parameters and cannot be prepared"
            )
        self._model = queryset.model
        compiler.connection = None  # each call sets its own thread's: a miss fails instead of sharing one
        self._compiled[alias] = compiled = _Compiled(queryset, compiler, sql, tuple(params), slots)
        return alias, compiled


def attach(instance, name, objects):
    """Give ``instance`` its related ``objects`` as ``prefetch_related(name)`` would: afterwards
    ``instance.<name>.all()`` answers from them without a query, and each object knows its
    ``instance`` (the reverse side of a foreign key; for children read by a ``PreparedQuery``)."""
    manager = getattr(instance, name)
    field = manager.field
    for obj in objects:
        field.set_cached_value(obj, instance)
    instance.__dict__.get("_prefetched_objects_cache", {}).pop(field.remote_field.cache_name, None)
    queryset = manager.get_queryset()
    # What Django's prefetch_related stores (django.db.models.query.prefetch_one_level).
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[field.remote_field.cache_name] = queryset


class RelatedRows(models.Subquery):
    """The rows of a correlated queryset (``OuterRef``) as one JSON array, one object per row: a
    page's few children in its parent's query, instead of a round trip of their own;
    ``objects_from_rows`` turns them into model instances. PostgreSQL and SQLite.

    ``fields``: the names of the fields to carry (the primary key always; default: all concrete
    fields; the others are deferred, as with ``only``); ``annotations``: names of the queryset's
    annotations to carry along. Only fields whose values JSON carries exactly and this module turns
    back: text, integers, booleans, dates, moments, files and foreign keys; anything else is refused."""

    output_field = models.JSONField()

    def __init__(self, queryset, fields=None, annotations=()):
        meta = queryset.model._meta
        chosen = meta.concrete_fields if fields is None else [meta.pk, *(meta.get_field(name) for name in fields)]
        unsupported = [f.name for f in chosen if not isinstance(f, _IN_JSON) or isinstance(f, _NOT_IN_JSON)]
        if unsupported:
            raise ImproperlyConfigured(f"{queryset.model.__name__}: {', '.join(unsupported)} cannot travel as JSON")
        carried = {f.attname: f.attname for f in chosen} | {name: name for name in annotations}
        super().__init__(queryset.values(related_row=JSONObject(**carried)))

    def as_sql(self, compiler, connection, template=None, **extra_context):
        # ``sql`` is Django's compiled subquery; its values stay in ``params``.
        sql, params = super().as_sql(compiler, connection, template=template, **extra_context)
        if connection.vendor == "postgresql":
            return f"(SELECT COALESCE(JSONB_AGG(related.related_row), '[]'::jsonb) FROM {sql} related)", params  # noqa: S608
        if connection.vendor == "sqlite":
            return f"(SELECT JSON_GROUP_ARRAY(JSON(related.related_row)) FROM {sql} related)", params  # noqa: S608
        raise NotSupportedError(f"RelatedRows on {connection.vendor}")


_IN_JSON = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.AutoField,
    models.BooleanField,
    models.DateField,  # and DateTimeField
    models.FileField,
    models.ForeignKey,
    models.UUIDField,
)
_NOT_IN_JSON = (models.TimeField, models.DurationField)


def objects_from_rows(model, rows, using, annotations=None):
    """Model instances from the objects of a ``RelatedRows`` annotation (in the rows' order), as
    read from the database ``using`` (the parent's ``_state.db``); fields a row does not carry are
    deferred. ``annotations``: {name: a model field of the annotation's type} to set on each."""
    if not rows:
        return []
    fields = [field for field in model._meta.concrete_fields if field.attname in rows[0]]
    names = [field.attname for field in fields]
    zone = connections[using].timezone
    objects = []
    for row in rows:
        obj = model.from_db(using, names, [_from_json(field, row[field.attname], zone) for field in fields])
        for name, field in (annotations or {}).items():
            setattr(obj, name, _from_json(field, row[name], zone))
        objects.append(obj)
    return objects


def _from_json(field, value, zone):
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        moment = value if isinstance(value, datetime.datetime) else parse_datetime(value)
        # PostgreSQL writes the offset; SQLite keeps the connection's zone (UTC) without one.
        if timezone.is_aware(moment):
            return moment if settings.USE_TZ else timezone.make_naive(moment, zone)
        return timezone.make_aware(moment, zone) if settings.USE_TZ else moment
    if isinstance(field, models.DateField):
        return parse_date(value)
    return field.to_python(value)
