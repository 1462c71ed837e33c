"""The one domain error every app's errors derive from.

A service that refuses an action raises a ``DomainError`` (or an app's subclass) with a German
message for the person who tried; ``missing`` optionally lists what is still missing (the
application checklist). Views and the admin show ``message`` and never a 500.
"""


class DomainError(Exception):
    """A domain rule refused the action; ``message`` is German and shown to the user."""

    def __init__(self, message, *, missing=None):
        super().__init__(message)
        self.message = str(message)
        self.missing = list(missing or [])

    def __str__(self):
        return self.message
