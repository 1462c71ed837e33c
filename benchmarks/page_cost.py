"""What an applicant page costs in one process, without HTTP: CPU time and queries per request.

    .venv/bin/python benchmarks/page_cost.py [--drafts 60] [--requests 20] [--rounds 25]

The deadline-rush benchmark measures pages under load, where queueing, the worker and the
network blur the page's own cost; this one asks only "how much work is a page": production
settings (DEBUG off, the manifest static files collected into a temporary folder), a throwaway
database (PostgreSQL when DATABASE_URL names one, else a temporary SQLite file) seeded as the rush
seeds it (``deadline_rush.seed``: drafts of members with logged-in sessions), the cache of
``CACHE_URL`` (process memory when unset). Each page is requested ``--requests`` times through
Django's test client (one client, the sessions' cookies swapped: no new handler per request),
after a warm-up that fills the session, user and navigation caches; the pages take turns in each
of ``--rounds`` rounds, and the figure is the lowest CPU time (``time.process_time``) per request
of a page's rounds, so a busy machine, or one whose speed drifts, distorts it less.
The one-query page is the reference: each page's CPU time is printed against it.
"""

import argparse
import os
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._database import prepare_database  # noqa: E402

ONE_QUERY_PAGE = "/leichte-sprache/"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drafts", type=int, default=60, help="drafts (half are submitted for the receipt page)")
    parser.add_argument("--requests", type=int, default=20, help="requests per page and round")
    parser.add_argument(
        "--rounds", type=int, default=25, help="rounds; the pages take turns in each (the lowest counts)"
    )
    parser.add_argument(
        "--profile",
        choices=("one-query", "section", "overview", "receipt", "dashboard"),
        help="afterwards, profile this page with cProfile and print where its time goes",
    )
    return parser.parse_args()


def main():
    args = parse_args()
    description, drop_database = prepare_database("fp_bench_page_cost")
    workdir = Path(tempfile.mkdtemp(prefix="foerderportal-pages-"))
    os.environ.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "false",
            "MEDIA_ROOT": str(workdir / "media"),
            "STATIC_ROOT": str(workdir / "static"),
            "EMAIL_FILE_PATH": str(workdir / "mail"),
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "foerderportal.settings",
        }
    )
    try:
        import django

        django.setup()
        from django.core.cache import cache
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        from applications.forms import SECTIONS
        from applications.services import submit_application
        from benchmarks.deadline_rush import seed

        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        cache.clear()
        drafts = seed(max(args.drafts, 4))
        half = len(drafts) // 2
        from applications.models import Application

        for application in Application.objects.filter(pk__in=[pk for pk, _key in drafts[half:]]).select_related(
            "created_by"
        ):
            submit_application(declared=True, application=application, user=application.created_by)
        client = Client()

        def get(url, session_key=None):
            client.cookies.clear()
            if session_key:
                client.cookies["sessionid"] = session_key
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url}: HTTP {response.status_code}")

        editing, submitted = drafts[:half], drafts[half:]
        pages = {
            "one-query": lambda i: get(ONE_QUERY_PAGE),
            "section": lambda i: get(
                f"/portal/antrag/{editing[i % half][0]}/{SECTIONS[i % 4].slug}/", editing[i % half][1]
            ),
            "overview": lambda i: get(f"/portal/antrag/{editing[i % half][0]}/", editing[i % half][1]),
            "receipt": lambda i: get(
                f"/portal/antrag/{submitted[i % half][0]}/eingangsbestaetigung/", submitted[i % half][1]
            ),
            "dashboard": lambda i: get("/portal/", editing[i % half][1]),
        }
        print(f"{description}: {len(drafts)} Anträge ({half} eingereicht); {args.rounds} × {args.requests} Abrufe")
        print(f"{'Seite':<12}{'CPU ms':>8}{'Abfragen':>10}{'gegen Ein-Abfrage-Seite':>26}")
        queries = {}
        for name, request in pages.items():
            for i in range(max(half, 10)):  # warm: every session, user and navigation answer in the cache
                request(i)
            counted = queries[name] = []  # counted at the cursor: the log is reset when each request starts

            def count(execute, sql, params, many, context, counted=counted):
                counted.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                request(1)
        # The pages take turns within each round: a machine whose speed drifts (a shared host)
        # then slows the reference and the pages alike, instead of whichever page ran at the time.
        best = dict.fromkeys(pages, float("inf"))
        for _round in range(args.rounds):
            for name, request in pages.items():
                started = time.process_time()
                for i in range(args.requests):
                    request(i)
                best[name] = min(best[name], (time.process_time() - started) / args.requests * 1000)
        reference = best["one-query"]
        for name in pages:
            print(f"{name:<12}{best[name]:>8.2f}{len(queries[name]):>10}{best[name] / reference:>25.1f}x")
        if args.profile:
            profile(pages[args.profile], args.requests * args.rounds)
    finally:
        drop_database()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def profile(request, count):
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(count):
        request(i)
    profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs()
    print(f"\n{count} Abrufe; Funktionsaufrufe je Abruf: {stats.total_calls / count:,.0f}")
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(60)


if __name__ == "__main__":
    sys.exit(main())
