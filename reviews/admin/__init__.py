"""Review and decision admin, by page: ``scoring`` (criteria, reviews), ``decisions``
(decisions and the application admin's review side), ``ranking`` (ranking, exports)."""

from . import decisions, ranking, scoring  # noqa: F401  (registers the admin classes)
