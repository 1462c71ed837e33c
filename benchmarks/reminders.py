"""Benchmark of the deadline-reminder sweep: one run for N drafts, e-mails to a local SMTP sink.

    DEBUG=true .venv/bin/python benchmarks/reminders.py [--organisations 5000]

Uses a throwaway database: a temporary SQLite file by default, or – when DATABASE_URL
points to PostgreSQL – a dedicated database ``foerderportal_bench_reminders`` on that
server, created before and dropped after the run. The project's own database is never
touched.

Seeds N organisations, each with one confirmed member and a draft in one open round whose
7-day reminder is due now (deadline: in 7 days, 23:59:59 Europe/Berlin), starts an SMTP sink
(aiosmtpd) in process on 127.0.0.1 on a free port and points the e-mail settings at it, then
times one run of ``reminders.tasks.send_due_reminders`` (Celery eager, as without a broker:
the claim and every send in this process, one SMTP connection per message) and counts the
messages the sink received. A second run must send nothing. Exits with status 1 if the sink
did not receive exactly N distinct messages or the second run sent anything.
"""

import argparse
import os
import socket
import sys
import threading
import time
from datetime import datetime, timedelta
from datetime import time as day_time
from email import message_from_bytes
from pathlib import Path

from _database import prepare_database  # benchmarks/ is on sys.path when a script runs

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "foerderportal_bench_reminders"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=5000, help="organisations with a draft")
    return parser.parse_args()


# --- the throwaway database and the SMTP sink (before django.setup()) -------------------


class Sink:
    """aiosmtpd handler: counts messages, recipients and distinct Message-IDs."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = 0
        self.recipients = 0
        self.message_ids = set()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message_id = message_from_bytes(envelope.original_content or envelope.content)["Message-ID"]
        with self.lock:
            self.messages += 1
            self.recipients += len(envelope.rcpt_tos)
            self.message_ids.add(message_id)
        return "250 Message accepted for delivery"

    def snapshot(self):
        with self.lock:
            return self.messages, self.recipients, len(self.message_ids)


def start_sink():
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    # server_hostname: otherwise aiosmtpd looks up its FQDN (DNS) for every connection.
    controller = Controller(sink, hostname="127.0.0.1", port=port, server_hostname="smtp-senke.localhost")
    controller.start()
    # The settings read the e-mail backend from EMAIL_URL (no TLS, no login on the sink).
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
    os.environ.pop("EMAIL_FILE_PATH", None)
    os.environ.pop("CELERY_BROKER_URL", None)  # eager: the whole run in this process
    return sink, controller, port


def setup_django():
    sys.path.insert(0, str(PROJECT_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "foerderportal.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-connection log
    logging.getLogger("kombu.connection").setLevel(logging.ERROR)  # eager mode's "memory://" has no host
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# --- seeding ---------------------------------------------------------------------------


def seed(n):
    """One open round whose 7-day reminder is due now; n organisations with a member and a draft."""
    from decimal import Decimal

    from django.utils import timezone

    from accounts.models import User
    from applications.models import (
        Application,
        FundingRound,
        Membership,
        Organisation,
        OrganisationKind,
        Programme,
        Region,
    )

    now = timezone.now()
    deadline = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=7), day_time(23, 59, 59)))
    programme, _ = Programme.objects.get_or_create(
        slug="bench", defaults={"name": "Benchmark", "short_name": "Benchmark"}
    )
    funding_round = FundingRound.objects.create(
        programme=programme,
        name="Benchmark-Runde",
        code="BENCH-REM",
        opens_at=now - timedelta(days=60),
        deadline=deadline,
        places=13,
        budget=Decimal("520000.00"),
        reminder_offsets=[14, 7, 1],
    )
    kinds = [k.value for k in OrganisationKind]
    regions = [r.value for r in Region]
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Benchgemeinde {i}",
                kind=kinds[i % len(kinds)],
                key=f"08{i:06d}",
                county=f"Landkreis {i % 35}",
                region=regions[i % len(regions)],
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    users = User.objects.bulk_create(
        [User(email=(email := f"person-{i}@bench.example"), username=email, password="!") for i in range(n)],
        batch_size=2000,
    )
    if organisations[0].pk is None or users[0].pk is None:  # backends without RETURNING for bulk inserts
        organisations = list(Organisation.objects.order_by("key"))
        users = list(User.objects.filter(email__endswith="@bench.example").order_by("pk"))
    Membership.objects.bulk_create(
        [
            Membership(user=user, organisation=organisation, status=Membership.Status.CONFIRMED, decided_at=now)
            for user, organisation in zip(users, organisations, strict=True)
        ],
        batch_size=2000,
    )
    Application.objects.bulk_create(
        [
            Application(
                funding_round=funding_round,
                organisation=organisation,
                contact_name="Erika Muster",
                contact_email="erika@kommune.example",
                goals="Leitbild entwickeln." if i % 2 else "",
            )
            for i, organisation in enumerate(organisations)
        ],
        batch_size=2000,
    )
    return funding_round


def analyze():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- measuring ---------------------------------------------------------------------------


def timed_run():
    """One sweep: (claimed, total seconds, claim seconds, claim queries)."""
    from django.db import connection

    from reminders import engine
    from reminders.tasks import send_due_reminders

    claim = {"queries": 0}
    original = engine.claim_due

    def count(execute, sql, params, many, context):
        claim["queries"] += 1
        return execute(sql, params, many, context)

    def timed_claim(kind, now=None):
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            ids = original(kind, now)
            claim["seconds"] = time.perf_counter() - started
        return ids

    engine.claim_due = timed_claim
    try:
        started = time.perf_counter()
        claimed = send_due_reminders.delay().get()
        total = time.perf_counter() - started
    finally:
        engine.claim_due = original
    return claimed, total, claim["seconds"], claim["queries"]


def main():
    args = parse_args()
    n = args.organisations
    database, cleanup = prepare_database(BENCH_DB)
    sink, controller, port = start_sink()
    try:
        setup_django()
        from django.db import connection

        from reminders.models import Reminder

        started = time.perf_counter()
        seed(n)
        if connection.vendor == "postgresql":
            analyze()
        print(f"Datenbank: {database}; SMTP-Senke (aiosmtpd) auf 127.0.0.1:{port}")
        seconds = time.perf_counter() - started
        print(f"{n} Organisationen mit bestätigtem Mitglied und Entwurf angelegt in {seconds:.1f} s")

        claimed, total, claim_seconds, claim_queries = timed_run()
        messages, recipients, distinct_ids = sink.snapshot()
        sent_rows = Reminder.objects.filter(status=Reminder.Status.SENT).count()
        print()
        print("Erster Lauf (7-Tage-Erinnerung fällig):")
        print(f"  übernommen (Claims):        {claimed}")
        print(f"  Claim-Schritt:              {claim_seconds * 1000:.0f} ms, {claim_queries} SQL-Abfragen")
        print(f"  Lauf gesamt:                {total:.1f} s ({messages / total:.0f} E-Mails/s)")
        print(f"  bei der Senke angekommen:   {messages} E-Mails an {recipients} Empfänger/innen")
        print(f"  verschiedene Message-IDs:   {distinct_ids}")
        print(f"  Protokoll 'versandt':       {sent_rows}")

        claimed2, total2, claim_seconds2, claim_queries2 = timed_run()
        messages2 = sink.snapshot()[0] - messages
        print()
        print("Zweiter Lauf (sofort danach):")
        print(f"  übernommen (Claims):        {claimed2}")
        print(f"  Lauf gesamt:                {total2 * 1000:.0f} ms, Claim-Schritt {claim_queries2} SQL-Abfragen")
        print(f"  neue E-Mails bei der Senke: {messages2}")

        ok = messages == distinct_ids == sent_rows == claimed == n and claimed2 == 0 and messages2 == 0
        print()
        print("Genau eine E-Mail je Erinnerung, zweiter Lauf ohne Versand: " + ("ja" if ok else "NEIN"))
        return 0 if ok else 1
    finally:
        controller.stop()
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
