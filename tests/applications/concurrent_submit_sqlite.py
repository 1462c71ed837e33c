"""Run by test_sqlite_concurrency.py in a fresh process: N members submit at the same moment.

The database is the file SQLite named by DATABASE_URL (the embedded default's settings: WAL,
IMMEDIATE transactions, busy timeout), migrated here. Each thread is one browser: a logged-in
test client posting the submit form; they wait at a barrier and post together, so their
transactions overlap. Prints one JSON line: the status codes, the errors and the reference numbers.
"""

import json
import os
import sys
import threading
import traceback

import django

THREADS = int(sys.argv[1]) if len(sys.argv) > 1 else 8


def main():
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from applications.models import Application
    from tests.conftest import complete
    from tests.factories import ApplicationFactory, FundingRoundFactory, MembershipFactory

    call_command("migrate", verbosity=0)
    funding_round = FundingRoundFactory()
    members = []
    for _ in range(THREADS):
        membership = MembershipFactory()
        application = complete(ApplicationFactory(funding_round=funding_round, organisation=membership.organisation))
        members.append((membership.user, application.pk))
    connection.close()

    barrier = threading.Barrier(THREADS)
    results, errors = [], []

    def submit(user, pk):
        client = Client(raise_request_exception=True)
        client.force_login(user)
        url = reverse("applications:submit", args=[pk])
        try:
            barrier.wait(timeout=60)
            response = client.post(url, {"declaration": "on"})
            results.append(response.status_code)
        except Exception:  # noqa: BLE001 - every failure is reported to the test
            errors.append(traceback.format_exc(limit=3))
        finally:
            from django.db import connection as thread_connection

            thread_connection.close()

    threads = [threading.Thread(target=submit, args=member) for member in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    submitted = Application.objects.filter(status=Application.Status.SUBMITTED)
    print(
        json.dumps(
            {
                "journal_mode": connection.cursor().execute("PRAGMA journal_mode").fetchone()[0],
                "statuses": results,
                "errors": errors,
                "references": sorted(submitted.values_list("reference_number", flat=True)),
                "receipts": sum(1 for a in submitted if a.letters.exists()),
            }
        )
    )


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    main()
