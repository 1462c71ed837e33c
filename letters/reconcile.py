"""The reconciling sweep: no receipt, letter or announcement waits on a lost task.

Tasks are enqueued on commit; a broker that loses its data (Redis restarted without persistence)
or a task that ran out of retries leaves a submitted application without its receipt, a released
decision without its letter, or a released letter without its e-mail. Every ``SWEEP_INTERVAL``
(beat schedule) ``missing`` finds them and ``letters.tasks.requeue_missing`` enqueues the same
tasks again:

- only items older than ``GRACE`` (a task enqueued a moment ago is still in flight) and younger
  than ``WINDOW`` (a deploy does not announce years-old letters);
- safe against a task still running or queued twice: issuing is decided by the unique constraints
  (one receipt per application, one original letter per decision), the e-mail by ``notified_at``
  under the letter's row lock and, per recipient, by the delivery log (``foerderportal.delivery``).
  So the sweep never produces a second letter or a second e-mail, however often it runs.
"""

from datetime import timedelta

from django.utils import timezone

from . import selectors

SWEEP_INTERVAL = timedelta(minutes=5)
# Longer than a task normally needs from commit to done (render + SMTP, a few seconds; a retry chain
# of the letter tasks under a minute) so the sweep rarely doubles a task that is merely slow.
GRACE = timedelta(minutes=10)
WINDOW = timedelta(days=7)


def missing(now=None) -> dict[str, list[int]]:
    """The ids to re-queue: applications without a receipt, decisions without a letter, letters without e-mail."""
    now = now or timezone.now()
    after, before = now - WINDOW, now - GRACE
    return {
        "receipts": list(
            selectors.applications_without_receipt(submitted_after=after, submitted_before=before).values_list(
                "pk", flat=True
            )
        ),
        "letters": list(
            selectors.decisions_without_letter(released_after=after, released_before=before).values_list(
                "pk", flat=True
            )
        ),
        "announcements": list(
            selectors.letters_without_announcement(released_after=after, released_before=before).values_list(
                "pk", flat=True
            )
        ),
    }
