"""Fault run: reminders, receipts and Bescheid e-mails through a misbehaving SMTP server and lost tasks.

    DEBUG=true .venv/bin/python benchmarks/delivery_faults.py [--organisations 300] [--letters 30] [--seed 1]

Uses a throwaway database (a temporary SQLite file, or with DATABASE_URL pointing to PostgreSQL a
database ``fp_dlv_bench_faults``, created and dropped) and media folder. Everything runs in this
process with Celery eager (no broker); an aiosmtpd server on a free local port plays the mail
servers. Each organisation has two confirmed members, so every e-mail has two recipients.

Faults, drawn with a fixed random seed:

* greylisting: ``--greylist`` of the recipients are refused with 450 at their first RCPT;
* mailbox gone: ``--permanent`` of the recipients are refused with 550 every time (these must end
  "failed" and be reported, not delivered: they are counted apart, not as lost);
* reply lost: ``--reply-lost`` of the messages are stored by the server, which then answers 451
  (the client cannot tell it from a refusal: the retry is a duplicate with the same Message-ID);
* worker dies after SMTP accepted, before the confirm: ``--crash`` of the first sends;
* lost task: ``--lost`` of the receipt and letter tasks are never enqueued (broker data loss).

Then the periodic sweeps run as beat would, with time moving on: the deadline-reminder sweep
(which takes over claims stuck past ``CLAIM_TIMEOUT``) and the letters' reconciling sweep (past
its grace period), until nothing changes. Printed per kind: recipients expected, delivered
exactly once, delivered more than once (always with the same Message-ID), lost; letters expected,
existing exactly once. Exits 1 if anything was lost or a letter exists twice.
"""

import argparse
import os
import random
import socket
import sys
import threading
from collections import Counter
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

from _database import prepare_database  # benchmarks/ is on sys.path when a script runs

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "fp_dlv_bench_faults"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=300, help="drafts with a due deadline reminder")
    parser.add_argument("--letters", type=int, default=30, help="applications with a receipt and a Bescheid")
    parser.add_argument("--greylist", type=float, default=0.05)
    parser.add_argument("--permanent", type=float, default=0.01)
    parser.add_argument("--reply-lost", type=float, default=0.02)
    parser.add_argument("--crash", type=float, default=0.02)
    parser.add_argument("--lost", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


class MisbehavingServer:
    """aiosmtpd handler: greylists, refuses for good, loses replies; records what it stored per recipient."""

    def __init__(self, rng, greylisted, permanent, reply_lost):
        self.lock = threading.Lock()
        self.rng = rng
        self.greylisted = set(greylisted)
        self.permanent = set(permanent)
        self.reply_lost = reply_lost
        self.seen = set()
        self.stored = Counter()  # (recipient, Message-ID): copies stored

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        address = address.lower()
        with self.lock:
            if address in self.permanent:
                return "550 5.1.1 Mailbox unavailable"
            if address in self.greylisted and address not in self.seen:
                self.seen.add(address)
                return "450 4.2.0 Greylisted, please try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message_id = message_from_bytes(envelope.content)["Message-ID"]
        with self.lock:
            for address in envelope.rcpt_tos:
                self.stored[(address, message_id)] += 1
            if self.rng.random() < self.reply_lost:
                return "451 4.4.2 Connection lost before the reply"  # stored, but the client hears no success
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def setup_django(workdir):
    sys.path.insert(0, str(PROJECT_ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "foerderportal.settings"
    os.environ.setdefault("DEBUG", "true")
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.pop("EMAIL_FILE_PATH", None)
    import django

    django.setup()
    import logging

    logging.disable(logging.CRITICAL)  # the faults log by design; the figures are the output
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def seed(organisations, letters):
    """Drafts due for their 7-day reminder; submitted applications with a released rejection."""
    from datetime import datetime
    from datetime import time as day_time
    from decimal import Decimal

    from django.utils import timezone

    from accounts.models import User
    from applications.models import Application, FundingRound, Membership, Organisation, Programme
    from reviews.models import Decision

    now = timezone.now()
    programme, _ = Programme.objects.get_or_create(slug="bench", defaults={"name": "Benchmark", "short_name": "B"})
    deadline = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=7), day_time(23, 59, 59)))
    open_round = FundingRound.objects.create(
        programme=programme,
        name="Offene Runde",
        code="BENCH-OPEN",
        opens_at=now - timedelta(days=60),
        deadline=deadline,
        places=13,
        budget=Decimal("520000"),
        reminder_offsets=[7],
    )
    closed_round = FundingRound.objects.create(
        programme=programme,
        name="Entschiedene Runde",
        code="BENCH-DONE",
        opens_at=now - timedelta(days=90),
        deadline=now - timedelta(days=1),
        places=13,
        budget=Decimal("520000"),
    )
    staff = User.objects.create(email="akademie@bench.example", username="akademie@bench.example", is_staff=True)
    drafts, decisions = [], []
    for i in range(organisations + letters):
        organisation = Organisation.objects.create(
            name=f"Benchgemeinde {i}", kind="gemeinde", key=f"08{i:06d}", region="1"
        )
        for n in (1, 2):
            email = f"person-{i}-{n}@bench.example"
            user = User.objects.create(email=email, username=email, password="!")
            Membership.objects.create(
                user=user, organisation=organisation, status=Membership.Status.CONFIRMED, decided_at=now
            )
        if i < organisations:
            drafts.append(Application.objects.create(funding_round=open_round, organisation=organisation))
            continue
        application = Application.objects.create(
            funding_round=closed_round,
            organisation=organisation,
            status=Application.Status.IN_REVIEW,
            reference_number=f"BENCH-{i:04d}",
            sequence=i,
            submitted_at=now - timedelta(hours=1),
            postal_address=f"Rathaus\nHauptstraße 1\n7{i:04d} Benchgemeinde {i}",
        )
        decisions.append(
            Decision.objects.create(
                application=application,
                kind=Decision.Kind.REJECT,
                reasons="Nicht förderfähig.",
                proposed_by=staff,
                proposed_at=now - timedelta(minutes=30),
                status=Decision.Status.RELEASED,
                released_by=staff,
                released_at=now - timedelta(minutes=30),
            )
        )
    return drafts, decisions


class WorkerDied(OSError):
    """The worker vanished after the mail server took the message (an OSError, so the sweeps carry on)."""


def main():
    args = parse_args()
    rng = random.Random(args.seed)
    description, cleanup = prepare_database(BENCH_DB)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="delivery-faults-") as tmp:
        port = free_port()
        os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
        setup_django(Path(tmp))
        try:
            return run(args, rng, port, description)
        finally:
            cleanup()


def run(args, rng, port, description):
    from aiosmtpd.controller import Controller
    from django.utils import timezone

    from foerderportal.delivery import stable_message_id
    from foerderportal.models import MailDelivery
    from letters import issuing, reconcile, tasks
    from letters.models import Letter
    from reminders import emails as reminder_emails
    from reminders import engine, services
    from reminders.models import Reminder

    drafts, decisions = seed(args.organisations, args.letters)
    addresses = [f"person-{i}-{n}@bench.example" for i in range(args.organisations + args.letters) for n in (1, 2)]
    permanent = rng.sample(addresses, round(len(addresses) * args.permanent))
    greylisted = rng.sample([a for a in addresses if a not in permanent], round(len(addresses) * args.greylist))
    server = MisbehavingServer(rng, greylisted, permanent, args.reply_lost)
    controller = Controller(server, hostname="127.0.0.1", port=port, server_hostname="faults.localhost")
    controller.start()

    # A worker that dies between the SMTP acceptance and the confirm: once per affected item.
    crashed = set()
    original_confirm, original_stamp = engine._confirm, issuing.notify_once

    def confirm_or_die(row, **kwargs):
        if row.pk not in crashed and rng.random() < args.crash:
            crashed.add(row.pk)
            raise WorkerDied("killed before the confirm")
        return original_confirm(row, **kwargs)

    def notify_or_die(*, letter_id, send):
        def send_then_die():
            sent = send()
            if ("letter", letter_id) not in crashed and rng.random() < args.crash:
                crashed.add(("letter", letter_id))
                raise WorkerDied("killed before notified_at was committed")
            return sent

        return original_stamp(letter_id=letter_id, send=send_then_die)

    engine._confirm = confirm_or_die
    issuing.notify_once = notify_or_die
    try:
        # The tasks enqueued on commit at submission and release; some never reach a worker.
        for decision in decisions:
            for task, pk in (
                (tasks.issue_receipt, decision.application_id),
                (tasks.issue_decision_letter, decision.pk),
            ):
                if rng.random() >= args.lost:
                    try:
                        task.delay(pk)
                    except Exception:  # noqa: S110 - eager: a failed task is left to the sweeps, as a lost retry
                        pass
        # Beat: the sweeps, as time goes on, until a whole round changes nothing.
        start, sweeps, quiet = timezone.now(), 0, 0
        while quiet < 2 and sweeps < 40:
            sweeps += 1
            before = (sum(server.stored.values()), MailDelivery.objects.exclude(status="deferred").count())
            now = start + sweeps * (engine.CLAIM_TIMEOUT + timedelta(minutes=1))
            for row_id in services.claim_due_reminders(now):
                try:
                    services.send_reminder(reminder_id=row_id, now=now)
                except (*engine.MAIL_ERRORS, WorkerDied):
                    pass  # the claim stays; the next sweep takes it over
            tasks.requeue_missing(timezone.now() + reconcile.GRACE + sweeps * reconcile.SWEEP_INTERVAL)
            after = (sum(server.stored.values()), MailDelivery.objects.exclude(status="deferred").count())
            quiet = quiet + 1 if after == before else 0
    finally:
        engine._confirm, issuing.notify_once = original_confirm, original_stamp
        controller.stop()

    def figures(keys_by_recipient):
        once = more = lost = refused = 0
        for recipient, message_id in keys_by_recipient:
            copies = server.stored[(recipient, message_id)]
            if recipient in permanent:
                refused += copies == 0
            elif copies == 1:
                once += 1
            elif copies > 1:
                more += 1
            else:
                lost += 1
        return len(keys_by_recipient), once, more, lost, refused

    def expected(rows):
        return [(recipient.lower(), message_id) for recipient, message_id in rows]

    reminder_ids = {
        r.application_id: reminder_emails.message_id(r.funding_round_id, r.organisation_id, r.offset_days)
        for r in Reminder.objects.all()
    }
    reminder_rows = expected(
        (f"person-{i}-{n}@bench.example", reminder_ids.get(draft.pk, "<missing>"))
        for i, draft in enumerate(drafts)
        for n in (1, 2)
    )
    letters = {letter.decision_id: letter for letter in Letter.objects.filter(decision__isnull=False)}
    receipts = {letter.application_id: letter for letter in Letter.objects.filter(kind=Letter.Kind.RECEIPT)}
    offset = args.organisations
    letter_rows, receipt_rows = [], []
    for j, decision in enumerate(decisions):
        for n in (1, 2):
            address = f"person-{offset + j}-{n}@bench.example"
            letter, receipt = letters.get(decision.pk), receipts.get(decision.application_id)
            letter_rows.append((address, stable_message_id(f"bescheid.l{letter.pk}") if letter else "<missing>"))
            receipt_rows.append(
                (address, stable_message_id(f"eingangsbestaetigung.l{receipt.pk}") if receipt else "<missing>")
            )
    per_decision = Counter(Letter.objects.filter(decision__in=decisions).values_list("decision_id", flat=True))
    per_application = Counter(Letter.objects.filter(kind=Letter.Kind.RECEIPT).values_list("application_id", flat=True))
    print(f"Datenbank: {description}; Zufallsstartwert {args.seed}; {sweeps} Durchläufe der Sweeps")
    print(
        f"Fehler: {len(greylisted)} Empfänger/innen mit 450, {len(permanent)} mit 550, "
        f"{args.reply_lost:.0%} Antworten verloren, {len(crashed)} Abstürze vor der Bestätigung, "
        f"{args.lost:.0%} der Brief-Tasks verloren"
    )
    print(f"{'':32}{'erwartet':>10}{'genau 1x':>10}{'doppelt*':>10}{'verloren':>10}{'550 (gemeldet)':>16}")
    lost_total = 0
    for label, rows in (
        ("Fristerinnerungen (Empfänger)", reminder_rows),
        ("Eingangsbestätigungen (E-Mail)", receipt_rows),
        ("Bescheid-E-Mails", letter_rows),
    ):
        total, once, more, lost, refused = figures(rows)
        lost_total += lost
        print(f"{label:32}{total:>10}{once:>10}{more:>10}{lost:>10}{refused:>16}")
    failed = MailDelivery.objects.filter(status=MailDelivery.Status.FAILED).count()
    print("* doppelt: jede Kopie mit derselben Message-ID (Absturz vor der Bestätigung, verlorene Antwort)")
    letter_twice = sum(1 for c in per_decision.values() if c > 1) + sum(1 for c in per_application.values() if c > 1)
    print(
        f"Bescheide: erwartet {len(decisions)}, genau einmal vorhanden "
        f"{sum(1 for c in per_decision.values() if c == 1)}; Eingangsbestätigungen: erwartet {len(decisions)}, "
        f"genau einmal {sum(1 for c in per_application.values() if c == 1)}; doppelt vorhanden {letter_twice}"
    )
    print(f"Zustellungen 'gescheitert' im Admin und im Tagesbericht: {failed}")
    missing_letters = len(decisions) - len(per_decision) + len(decisions) - len(per_application)
    return 1 if lost_total or letter_twice or missing_letters else 0


if __name__ == "__main__":
    sys.exit(main())
