"""Benchmark of the review admin: SQL queries and time per page for N applications.

    DEBUG=true .venv/bin/python benchmarks/review_admin.py [--sizes 100 10000] [--runs 5]

Uses a throwaway database: a temporary SQLite file by default, or – when DATABASE_URL
points to PostgreSQL – a dedicated database ``foerderportal_bench`` on that server,
created before and dropped after the run. The project's own database is never touched.

For each N it seeds one funding round with N submitted applications (in review), each
with three finished reviews over four criteria (bulk_create; ``Review.total`` computed
from the points as ``finish_review`` stores it), then requests, as academy staff through
``django.test.Client``:

* the application changelist (``/admin/applications/application/``),
* the round's ranking page,
* the ranking CSV export and the CSV export of all applications,

and prints the number of SQL queries and the median time over ``--runs`` runs (after one
warm-up request). The query counts must not depend on N; the script exits with status 1
if they do.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from _database import prepare_database  # benchmarks/ is on sys.path when a script runs

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "foerderportal_bench"
CRITERIA = [  # title, weight, max points
    ("Bedarf und Ausgangslage", Decimal("3"), 10),
    ("Ziele", Decimal("2"), 10),
    ("Beteiligung", Decimal("2"), 5),
    ("Politische Rückendeckung", Decimal("1"), 4),
]
REVIEWERS = 12


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10000], help="numbers of applications")
    parser.add_argument("--runs", type=int, default=5, help="timed requests per page (median)")
    parser.add_argument("--seed", type=int, default=20260306)
    return parser.parse_args()


# --- the throwaway database (before django.setup()) -----------------------------------


def setup_django():
    sys.path.insert(0, str(PROJECT_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "foerderportal.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # "testserver" host, in-memory e-mail
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# --- seeding ---------------------------------------------------------------------------


def seed(n, rng):
    """One round with n applications in review, three finished reviews each; returns (round, staff)."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from accounts.models import User
    from accounts.roles import ACADEMY_GROUP, REVIEWER_GROUP, ensure_roles
    from applications.models import Application, FundingRound, Organisation, OrganisationKind, Programme, Region
    from reviews.models import Criterion, Recommendation, Review, Score

    ensure_roles()
    now = timezone.now()
    staff = User.objects.create_user(email=f"akademie-{n}@bench.example", is_staff=True)
    staff.groups.add(Group.objects.get(name=ACADEMY_GROUP))
    reviewer_group = Group.objects.get(name=REVIEWER_GROUP)
    reviewers = []
    for index in range(REVIEWERS):
        user = User.objects.create_user(email=f"gutachter-{n}-{index}@bench.example", is_staff=True)
        user.groups.add(reviewer_group)
        reviewers.append(user)

    programme, _ = Programme.objects.get_or_create(
        slug="bench", defaults={"name": "Benchmark", "short_name": "Benchmark"}
    )
    funding_round = FundingRound.objects.create(
        programme=programme,
        name=f"Benchmark {n}",
        code=f"BENCH-{n}",
        opens_at=now - timedelta(days=60),
        deadline=now - timedelta(days=1),
        places=13,
        budget=Decimal("520000.00"),
    )
    criteria = [
        Criterion(funding_round=funding_round, position=i, title=title, weight=weight, max_points=max_points)
        for i, (title, weight, max_points) in enumerate(CRITERIA, start=1)
    ]
    Criterion.objects.bulk_create(criteria)
    criteria = list(Criterion.objects.filter(funding_round=funding_round).order_by("position"))
    weights = sum(c.weight for c in criteria)

    kinds = [k.value for k in OrganisationKind]
    regions = [r.value for r in Region]
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Benchgemeinde {n}-{i}",
                kind=kinds[i % len(kinds)],
                key=f"08{i:06d}",
                county=f"Landkreis {i % 35}",
                region=regions[i % len(regions)],
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    applications = Application.objects.bulk_create(
        [
            Application(
                funding_round=funding_round,
                organisation=organisation,
                status=Application.Status.IN_REVIEW,
                sequence=i + 1,
                reference_number=f"{funding_round.code}-{i + 1:05d}",
                submitted_at=now - timedelta(minutes=i),
                contact_name="Erika Muster",
                contact_email="erika@kommune.example",
                goals="Leitbild entwickeln.",
                created_by=staff,
            )
            for i, organisation in enumerate(organisations)
        ],
        batch_size=2000,
    )
    if applications[0].pk is None:  # backends without RETURNING for bulk inserts
        applications = list(Application.objects.filter(funding_round=funding_round).order_by("sequence"))

    reviews, points_per_review = [], []
    recommendations = [r.value for r in Recommendation]
    for i, application in enumerate(applications):
        for j in range(3):
            points = [rng.randint(0, c.max_points) for c in criteria]
            achieved = sum(Decimal(p) * c.weight / c.max_points for p, c in zip(points, criteria, strict=True))
            reviews.append(
                Review(
                    application=application,
                    reviewer=reviewers[(i + j) % REVIEWERS],
                    status=Review.Status.FINISHED,
                    assigned_by=staff,
                    assigned_at=now,
                    conflict_declared_at=now,
                    recommendation=rng.choice(recommendations),
                    total=(achieved / weights * 100).quantize(Decimal("0.01")),
                    finished_at=now,
                )
            )
            points_per_review.append(points)
    reviews = Review.objects.bulk_create(reviews, batch_size=3000)
    if reviews[0].pk is None:
        reviews = list(Review.objects.filter(application__funding_round=funding_round).order_by("application", "pk"))
    Score.objects.bulk_create(
        [
            Score(review=review, criterion=criterion, points=p)
            for review, points in zip(reviews, points_per_review, strict=True)
            for criterion, p in zip(criteria, points, strict=True)
        ],
        batch_size=5000,
    )
    return funding_round, staff


def clear():
    """Remove everything seeded (raw deletes, children first; no cascades into other apps)."""
    from accounts.models import User
    from applications.models import Application, ApplicationEvent, Attachment, FundingRound, Organisation
    from reviews.models import Criterion, Decision, Review, Score

    for model in (Score, Decision, Review, ApplicationEvent, Attachment, Application, Criterion, FundingRound):
        model.objects.all()._raw_delete(using="default")
    for model in (Score, Decision, Review, Application):
        model.history.all()._raw_delete(using="default")
    Organisation.objects.all()._raw_delete(using="default")
    users = User.objects.filter(email__endswith="@bench.example")
    User.groups.through.objects.filter(user__in=users)._raw_delete(using="default")
    users._raw_delete(using="default")


def analyze():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- measuring ---------------------------------------------------------------------------


def measure(client, url, runs):
    """(queries, median seconds, response bytes) for GET url."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return body

    get()  # warm-up (templates, caches)
    times, counts = [], set()
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            body = get()
            times.append(time.perf_counter() - start)
        counts.add(len(queries))
    if len(counts) != 1:
        raise SystemExit(f"{url}: query count varies between runs: {sorted(counts)}")
    return counts.pop(), statistics.median(times), len(body)


def pages(funding_round):
    from django.urls import reverse

    return [
        ("Anträge (Änderungsliste)", reverse("admin:applications_application_changelist")),
        ("Rangliste", reverse("admin:applications_fundinground_ranking", args=[funding_round.pk])),
        ("Rangliste CSV", reverse("admin:applications_fundinground_ranking_csv", args=[funding_round.pk])),
        ("Alle Anträge CSV", reverse("admin:applications_fundinground_applications_csv", args=[funding_round.pk])),
    ]


def main():
    args = parse_args()
    database, cleanup = prepare_database(BENCH_DB)
    try:
        setup_django()
        from django.db import connection
        from django.test import Client

        print(f"Datenbank: {database}; {args.runs} Messungen je Seite (Median), nach einem Aufwärmaufruf.")
        results = {}
        for n in args.sizes:
            rng = random.Random(args.seed + n)
            started = time.perf_counter()
            funding_round, staff = seed(n, rng)
            if connection.vendor == "postgresql":
                analyze()
            print(
                f"N={n}: {n} Anträge, {3 * n} Bewertungen, {12 * n} Punktzahlen angelegt "
                f"in {time.perf_counter() - started:.1f} s"
            )
            client = Client()
            client.force_login(staff, backend="accounts.backends.CachedUserBackend")
            for label, url in pages(funding_round):
                results[(label, n)] = measure(client, url, args.runs)
            clear()

        labels = [label for label, _ in pages(funding_round)]
        columns = "".join(f"| {'N=' + str(n):>8} {'Abfr.':>6} {'Median':>10} {'Größe':>9} " for n in args.sizes)
        header = f"{'Seite':<26}" + columns
        print()
        print(header)
        print("-" * len(header))
        stable = True
        for label in labels:
            line = f"{label:<26}"
            for n in args.sizes:
                queries, median, size = results[(label, n)]
                line += f"| {'':>8} {queries:>6} {median * 1000:>7.1f} ms {size / 1024:>6.0f} KB "
            counts = {results[(label, n)][0] for n in args.sizes}
            stable &= len(counts) == 1
            print(line + ("" if len(counts) == 1 else " <- Abfragen hängen von N ab!"))
        print()
        print("Abfragen unabhängig von N: " + ("ja" if stable else "NEIN"))
        return 0 if stable else 1
    finally:
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
