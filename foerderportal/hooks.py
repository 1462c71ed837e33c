"""Named hooks: how a lower app causes a reaction in a higher one without importing it.

The layers run one way (docs/architecture.md): ``applications`` may not import ``letters``,
``reviews`` may not import ``facilitation``. Where a service in a lower app must trigger
something above it, it calls one of the hooks below by name; the higher app connects its
receiver in ``AppConfig.ready()``. Unlike model-save signals, every reaction is found by
reading the service that calls the hook and the list here.

Receivers run synchronously, in the caller's transaction, in the order they were connected,
and exceptions propagate: a reaction that must happen with the change (a facilitation with
its award) happens with it or neither does. A receiver that only informs (a letter, an
e-mail) enqueues its own work with ``transaction.on_commit``.
"""

from collections.abc import Callable


class Hook:
    """A named extension point with keyword-only arguments."""

    def __init__(self, name: str, doc: str):
        self.name = name
        self.__doc__ = doc
        self._receivers: list[Callable] = []

    def connect(self, receiver: Callable) -> Callable:
        """Register ``receiver`` (idempotent: ``ready()`` may run more than once); usable as a decorator."""
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def disconnect(self, receiver: Callable) -> None:
        if receiver in self._receivers:
            self._receivers.remove(receiver)

    @property
    def receivers(self) -> tuple[Callable, ...]:
        return tuple(self._receivers)

    def __call__(self, **kwargs) -> list:
        """Call every receiver with ``kwargs``; returns their results in order."""
        return [receiver(**kwargs) for receiver in self._receivers]

    def __repr__(self):
        return f"<Hook {self.name}: {len(self._receivers)} receiver(s)>"


account_verified = Hook(
    "account_verified",
    "accounts → applications: a user confirmed the e-mail address (user=). "
    "applications announces the user's pending membership requests.",
)
application_submitted = Hook(
    "application_submitted",
    "applications → letters: an application was submitted (application=), inside the "
    "submission's transaction. letters issues the receipt letter and e-mail on commit.",
)
applicant_document_rows = Hook(
    "applicant_document_rows",
    "applications → letters: documents of higher apps carried in the row of each of the applicant's "
    "applications (no arguments; each receiver returns a list of (annotation name, a function building "
    "the annotation, attach(application, value))). letters carries the released letters as "
    "``released_letters``.",
)
application_awarded = Hook(
    "application_awarded",
    "reviews → facilitation: an award was released (application=, decision=, by=), inside the "
    "award's transaction. facilitation creates the facilitation with it, or neither exists.",
)
decision_released = Hook(
    "decision_released",
    "reviews → letters: a decision (award, rejection, waiting list) was released (decision=), "
    "inside the release's transaction. letters issues the decision letter and e-mail on commit.",
)

unpublished_rounds = Hook(
    "unpublished_rounds",
    "applications → reviews: rounds whose results must not be published yet (no arguments; each "
    "receiver returns a queryset of FundingRound ids). reviews names the rounds with a pending proposal.",
)

ALL = (
    account_verified,
    application_submitted,
    applicant_document_rows,
    application_awarded,
    decision_released,
    unpublished_rounds,
)
