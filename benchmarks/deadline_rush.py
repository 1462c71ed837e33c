"""Deadline day on one machine: N municipalities open, submit, read the receipt and the dashboard at once.

    .venv/bin/python benchmarks/deadline_rush.py [--organisations 1101] [--rates 10,20] [--duration S]

What it does, production-like (DEBUG off, PostgreSQL, Redis as broker and cache, gunicorn with the
repository's gunicorn.conf.py, one Celery worker):

1. creates a throwaway PostgreSQL database (``--database-name``, default ``fp_rush_deadline``, on the
   server of ``DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/postgres``), migrates it,
   collects the static files into a temporary folder, and seeds one open round with N organisations,
   each with a confirmed member, a complete draft (with its resolution attached) and a logged-in
   session created on the server where a login and its landing page leave it (the session in the
   database and, with a shared cache, the session, the signed-in user, the navigation's answer
   and the memberships in the cache; the cookies are handed to the client: no logins, so the login throttling never
   sees the benchmark);
2. starts gunicorn (``-c gunicorn.conf.py``) and one Celery worker (``nice`` 19 and ``SCHED_IDLE``:
   a separate worker machine would not compete with the web tier) against Redis (``--broker-url``, default db 7;
   ``--cache-url``, default db 8: sessions and limits; both are flushed first);
3. per rate (default 10 and 20 journeys per second): the rush's load shape (journeys of four
   requests, one after the other, started at the rate) first against a one-query page
   (``/leichte-sprache/``: one row, the page text), then against the first four section pages of a
   draft, each for ``--reference-seconds``; then the rush: journeys started at the rate whatever the
   answers (open loop; at most ``--concurrency`` requests in flight, loopback only), each overview
   -> submit (with the CSRF token of the overview's form) -> receipt -> dashboard. The N drafts are
   shared among the rates in proportion (``--duration`` caps each rush);
4. prints per step p50/p95/p99 in ms, errors, the achieved submissions per second, each applicant
   page's median against the one-query page's, and how long the worker took to render the
   remaining receipts after the rush;
5. checks that every application of a journey was submitted exactly once (one "submitted" event)
   with a unique reference number, that the others are still drafts, and that every submitted
   application has exactly one released receipt PDF; then stops both servers and drops the database.

Exit status 0 only when every request answered as expected and every check holds.
"""

import argparse
import asyncio
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks._database import prepare_database  # noqa: E402

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STEPS = ("overview", "submit", "receipt", "dashboard")
# The reference: an anonymous page that reads one row (the page text; the Impressum reads two).
ONE_QUERY_PAGE = "/leichte-sprache/"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", "-n", type=int, default=1101, help="municipalities with a draft")
    parser.add_argument("--rates", default="10,20", help="journeys started per second, comma-separated")
    parser.add_argument("--duration", type=float, default=None, help="seconds per rush at most (default: all drafts)")
    parser.add_argument("--reference-seconds", type=float, default=10.0, help="seconds of the reference load per rate")
    parser.add_argument("--concurrency", type=int, default=200, help="requests in flight at most")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL server (the database in it is not touched)",
    )
    parser.add_argument("--database-name", default="fp_rush_deadline", help="throwaway database, dropped at the end")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/7", help="Celery broker (flushed)")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/8", help="cache and sessions (flushed)")
    parser.add_argument("--worker-concurrency", type=int, default=2, help="processes of the Celery worker")
    parser.add_argument("--drain-timeout", type=float, default=900.0, help="seconds to wait for the receipts")
    parser.add_argument("--gunicorn-worker-class", default=None, help="override gunicorn.conf.py (sync, gthread)")
    parser.add_argument("--gunicorn-workers", type=int, default=None, help="override gunicorn.conf.py")
    parser.add_argument("--gunicorn-threads", type=int, default=None, help="override gunicorn.conf.py")
    return parser.parse_args()


def production_environment(args, workdir):
    """The environment of gunicorn, the worker and this process (Django's settings read it)."""
    env = {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "ALLOWED_HOSTS": "127.0.0.1",
        "CELERY_BROKER_URL": args.broker_url,
        "CACHE_URL": args.cache_url,
        # Plain HTTP on the loopback: no redirect to HTTPS (the reverse proxy's job in production).
        "SECURE_SSL_REDIRECT": "false",
        "MEDIA_ROOT": str(workdir / "media"),
        "STATIC_ROOT": str(workdir / "static"),
        "EMAIL_FILE_PATH": str(workdir / "mail"),
        "LOG_LEVEL": "WARNING",
        "GUNICORN_ACCESS_LOG": str(workdir / "access.log"),
        "GUNICORN_ERROR_LOG": str(workdir / "gunicorn.log"),
    }
    for name, value in (
        ("GUNICORN_WORKER_CLASS", args.gunicorn_worker_class),
        ("GUNICORN_WORKERS", args.gunicorn_workers),
        ("GUNICORN_THREADS", args.gunicorn_threads),
    ):
        if value is not None:
            env[name] = str(value)
    return env


# --- seeding --------------------------------------------------------------------------------


COMPLETE = {
    "contact_name": "Erika Muster",
    "contact_email": "erika@kommune.example",
    "lead_name": "Max Leitung",
    "lead_email": "max@kommune.example",
    "postal_address": "Marktplatz 1\n70173 Musterstadt",
    "integration_situation": "Vielfältige Stadtgesellschaft.",
    "engagement_structures": "Freundeskreise, Vereine.",
    "migrant_organisations": "Zwei Kulturvereine.",
    "goals": "Leitbild entwickeln.",
    "participation": "Runder Tisch.",
    "council_body": "gemeinderat",
    "rooms": "Rathaussaal.",
    "staff": "Integrationsbeauftragte, 10 h/Woche.",
}


def seed(count):
    """One open round, ``count`` organisations with a member, a complete draft and a session.

    Returns [(application id, session key)] in the order of the organisations."""
    import hashlib
    from datetime import date, datetime, timedelta
    from datetime import time as day_time
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from accounts.models import User
    from applications.models import (
        Application,
        Attachment,
        FundingRound,
        Membership,
        Organisation,
        OrganisationKind,
        Programme,
        Region,
    )

    berlin = ZoneInfo("Europe/Berlin")
    programme = Programme.objects.create(
        name="Integration durch bürgerschaftliches Engagement und Zivilgesellschaft",
        short_name="Integration durch Engagement",
        slug="integration-engagement",
    )
    # The last minute: the deadline is tonight (tomorrow night after 23:00, so a late run still submits).
    today = timezone.localdate() + timedelta(days=1 if timezone.localtime().hour >= 23 else 0)
    funding_round = FundingRound.objects.create(
        programme=programme,
        name="Förderrunde Fristtag",
        code="IBE-RUSH",
        opens_at=timezone.now() - timedelta(days=60),
        deadline=datetime.combine(today, day_time(23, 59, 59), tzinfo=berlin),
        places=13,
        budget=Decimal("520000.00"),
        max_per_package=Decimal("40000.00"),
        signing_officer="Dr. Petra Beispiel",
        signing_officer_title="Leiterin des Bereichs Kommunale Förderung",
    )
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"Gemeinde Fristhausen {n:04d}",
            kind=OrganisationKind.GEMEINDE,
            key=f"08{n:06d}",
            county="Landkreis Muster",
            region=Region.STUTTGART,
        )
        for n in range(count)
    )
    password = make_password(secrets.token_urlsafe(16))  # hashed once: nobody logs in
    users = User.objects.bulk_create(
        User(
            email=f"antrag{n:04d}@fristhausen.example",
            username=f"antrag{n:04d}@fristhausen.example",
            first_name="Erika",
            last_name=f"Muster {n:04d}",
            password=password,
            email_verified_at=timezone.now(),
        )
        for n in range(count)
    )
    Membership.objects.bulk_create(
        Membership(user=user, organisation=organisation, status=Membership.Status.CONFIRMED)
        for user, organisation in zip(users, organisations, strict=True)
    )
    applications = Application.objects.bulk_create(
        Application(
            funding_round=funding_round,
            organisation=organisation,
            created_by=user,
            resolution_date=date(2020, 2, 1),
            **COMPLETE,
        )
        for user, organisation in zip(users, organisations, strict=True)
    )
    # Every draft attaches the same small council resolution (one file, one row each).
    resolution = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n"
    folder = Path(settings.MEDIA_ROOT) / "attachments"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "beschluss-rush.pdf").write_bytes(resolution)
    Attachment.objects.bulk_create(
        Attachment(
            application=application,
            kind=Attachment.Kind.RESOLUTION,
            file="attachments/beschluss-rush.pdf",
            original_name="beschluss.pdf",
            content_type="application/pdf",
            size=len(resolution),
            sha256=hashlib.sha256(resolution).hexdigest(),
        )
        for application in applications
    )
    # Logged-in sessions, written where a login writes them: the database and, with cached_db, the
    # cache (people log in before the deadline, not with their last click).
    store = SessionStore()
    expire = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    sessions = [
        Session(
            session_key=get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789"),
            session_data=store.encode(
                {
                    "_auth_user_id": str(user.pk),
                    "_auth_user_backend": "accounts.backends.CachedUserBackend",
                    "_auth_user_hash": user.get_session_auth_hash(),
                }
            ),
            expire_date=expire,
        )
        for user in users
    ]
    Session.objects.bulk_create(sessions)
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db":
        from django.contrib.sessions.backends.cached_db import KEY_PREFIX
        from django.core.cache import caches

        caches[settings.SESSION_CACHE_ALIAS].set_many(
            {KEY_PREFIX + session.session_key: store.decode(session.session_data) for session in sessions},
            settings.SESSION_COOKIE_AGE,
        )
        # ... and what the landing page after the login (the dashboard) leaves in the cache: the
        # signed-in user, the navigation's answer and the memberships, through the same code the
        # pages use.
        from django.contrib.auth import load_backend

        from applications.selectors import memberships_of
        from facilitation.navigation import shows_facilitation_nav

        backend = load_backend("accounts.backends.CachedUserBackend")
        for user in users:
            signed_in = backend.get_user(user.pk)
            shows_facilitation_nav(signed_in)
            memberships_of(signed_in)
    return [(application.pk, session.session_key) for application, session in zip(applications, sessions, strict=True)]


# --- the servers ----------------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command, env, log, *, nice=0):
    """A child in its own session and process group (stopped as a whole), ``nice`` lowering its CPU priority.

    Linux with autogroup scheduling (the default on desktop and many server kernels) shares the CPU
    fairly between sessions first, and a process's own nice value counts only within its session:
    a niced worker in a session of its own would still take an equal share from the web tier. The
    session's autogroup is niced as well, and the process runs under ``SCHED_IDLE`` where Linux has
    it: a niced task still keeps the CPU until its time slice ends when a web request wakes up, an
    idle-class one is preempted at once. So the worker really gets only what the others leave.
    """

    def lower_priority():
        if nice:
            os.nice(nice)
            try:
                Path("/proc/self/autogroup").write_text(str(nice))
            except OSError:  # no autogroup (not Linux, or a kernel without it): the nice value suffices
                pass
            if hasattr(os, "SCHED_IDLE"):
                try:
                    os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
                except OSError:
                    pass

    return subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=lower_priority,
    )


def stop(process):
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wait_until_serving(base, process, timeout=60):
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn ist beendet, bevor es antwortete (siehe gunicorn.log).")
        try:
            with urllib.request.urlopen(base + ONE_QUERY_PAGE, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn antwortet nicht innerhalb von {timeout} s.")


# --- the load -------------------------------------------------------------------------------


class Recorder:
    def __init__(self):
        self.times = {}
        self.errors = {}
        self.positions = {}  # the one-query page's times by place in its journey (0: first)

    def ok(self, step, seconds):
        self.times.setdefault(step, []).append(seconds * 1000)

    def error(self, step, reason):
        self.errors.setdefault(step, []).append(reason)


def percentile(values, share):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def _remember(cookies, response):
    for name, morsel in response.cookies.items():
        if morsel.value == "" or morsel["max-age"] == "0":
            cookies.pop(name, None)
        else:
            cookies[name] = morsel.value


def _cookie_header(cookies):
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


async def request(client, recorder, step, method, url, cookies, expect, **kwargs):
    """One request; records its time (ms) or an error. Returns (status, body) or None."""
    import aiohttp

    started = time.perf_counter()
    try:
        async with client.request(
            method, url, headers={"Cookie": _cookie_header(cookies)}, allow_redirects=False, **kwargs
        ) as response:
            body = await response.text()
            _remember(cookies, response)
            status, location = response.status, response.headers.get("Location", "")
    except (TimeoutError, aiohttp.ClientError) as error:
        recorder.error(step, type(error).__name__)
        return None
    elapsed = time.perf_counter() - started
    if status != expect:
        recorder.error(step, f"HTTP {status} {location}".strip())
        return None
    recorder.ok(step, elapsed)
    return status, body, location


async def journey(client, base, recorder, application_id, session_key, submitted):
    cookies = {"sessionid": session_key}
    overview = f"{base}/portal/antrag/{application_id}/"
    answer = await request(client, recorder, "overview", "GET", overview, cookies, 200)
    if answer is None:
        return
    token = CSRF_FIELD.search(answer[1])
    if token is None:
        recorder.error("overview", "kein Einreichen-Formular")
        return
    answer = await request(
        client,
        recorder,
        "submit",
        "POST",
        f"{overview}einreichen/",
        cookies,
        302,
        data={"csrfmiddlewaretoken": token.group(1), "declaration": "on"},
    )
    if answer is None:
        return
    if not answer[2].endswith(f"/portal/antrag/{application_id}/eingangsbestaetigung/"):
        recorder.error("submit", f"abgelehnt: weiter nach {answer[2]}")
        return
    submitted.append((application_id, time.perf_counter()))
    if await request(client, recorder, "receipt", "GET", f"{overview}eingangsbestaetigung/", cookies, 200) is None:
        return
    await request(client, recorder, "dashboard", "GET", f"{base}/portal/", cookies, 200)


async def one_query_journey(client, base, recorder, _application_id, _session_key, _sections):
    """The reference: the rush's load shape (four requests one after the other) on the one-query page."""
    for position in range(len(STEPS)):
        if await request(client, recorder, "one-query", "GET", base + ONE_QUERY_PAGE, {}, 200) is not None:
            # Also by its place in the journey: the first request after a pause answers slower.
            recorder.positions.setdefault(position, []).append(recorder.times["one-query"][-1])


async def section_journey(client, base, recorder, application_id, session_key, sections):
    """The same shape on a draft's sections: a member clicking through the first four."""
    cookies = {"sessionid": session_key}
    for slug in sections[: len(STEPS)]:
        await request(
            client, recorder, "section", "GET", f"{base}/portal/antrag/{application_id}/{slug}/", cookies, 200
        )


async def open_loop(rate, items, make):
    """Start ``make(item)`` every 1/rate s whatever the earlier ones are doing; wait for all."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    tasks = []
    for index, item in enumerate(items):
        delay = started + index / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(make(item)))
    await asyncio.gather(*tasks)
    return loop.time() - started


async def run_rate(base, rate, journeys, drafts_for_reference, args, sections):
    import aiohttp

    # Idle connections are dropped before gunicorn closes them (keepalive 5 s): no reset on reuse.
    connector = aiohttp.TCPConnector(limit=args.concurrency, keepalive_timeout=2)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
    ) as client:
        recorder = Recorder()
        # The same open-loop load (rate, four requests per journey) first on the one-query page, then
        # on the section pages: each page's median against the one-query page's at the same load.
        reference_count = max(1, int(rate * args.reference_seconds))
        references = [drafts_for_reference[i % len(drafts_for_reference)] for i in range(reference_count)]
        for shape in (one_query_journey, section_journey):
            await open_loop(rate, references, lambda item, shape=shape: shape(client, base, recorder, *item, sections))
        submitted = []
        rush_started = time.perf_counter()
        await open_loop(rate, journeys, lambda item: journey(client, base, recorder, *item, submitted))
        rush_ended = time.perf_counter()
    last_submit = max((moment for _pk, moment in submitted), default=rush_started)
    return recorder, submitted, rush_started, last_submit, rush_ended


def worker_boots(workdir):
    """Workers gunicorn has started so far (its log says "Booting worker with pid" for each)."""
    log = workdir / "gunicorn.log"
    return log.read_text(encoding="utf-8", errors="replace").count("Booting worker") if log.exists() else 0


def report_rate(rate, journeys, recorder, submitted, rush_started, last_submit):
    print(f"\n== {rate:g} Einreichungen pro Sekunde angeboten, {len(journeys)} Abläufe ==")
    print(f"{'Schritt':<12}{'Anzahl':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'Fehler':>8}")
    for step in ("one-query", "section", *STEPS):
        times = recorder.times.get(step, [])
        errors = recorder.errors.get(step, [])
        print(
            f"{step:<12}{len(times):>8}{percentile(times, 0.50):>10.1f}{percentile(times, 0.95):>10.1f}"
            f"{percentile(times, 0.99):>10.1f}{len(errors):>8}"
        )
    errors = sum(len(reasons) for reasons in recorder.errors.values())
    for step, reasons in recorder.errors.items():
        print(f"  Fehler bei {step}: {sorted(set(reasons))[:5]}")
    span = last_submit - rush_started
    achieved = len(submitted) / span if span > 0 else float("nan")
    print(f"erreicht: {achieved:.1f} Einreichungen pro Sekunde ({len(submitted)} in {span:.1f} s), Fehler: {errors}")
    # Other processes on the machine distort every figure: say how busy it was.
    print("Last des Rechners (1/5/15 min): " + "/".join(f"{load:.1f}" for load in os.getloadavg()))
    base = statistics.median(recorder.times.get("one-query", [float("nan")]))
    ratios = []
    for step in ("section", "overview", "receipt", "dashboard"):
        median = statistics.median(recorder.times.get(step, [float("nan")]))
        ratios.append(f"{step} {median / base:.1f}x")
    print(f"Median gegen die Ein-Abfrage-Seite ({base:.1f} ms): " + ", ".join(ratios))
    # Each step of the rush always has the same place in its journey (the overview first, the
    # dashboard last); the reference's median mixes all four places. For reading the ratios:
    places = [statistics.median(recorder.positions.get(place, [float("nan")])) for place in range(len(STEPS))]
    print(
        "Ein-Abfrage-Seite nach Stelle im Ablauf (p50): "
        + " · ".join(f"{place + 1}. {median:.1f} ms" for place, median in enumerate(places))
    )
    same_place = [
        f"{step} {statistics.median(recorder.times.get(step, [float('nan')])) / places[place]:.1f}x"
        for place, step in enumerate(STEPS)
        if step != "submit"
    ]
    print("Median gegen die Ein-Abfrage-Seite an derselben Stelle: " + ", ".join(same_place))
    return errors


# --- checks ---------------------------------------------------------------------------------


def wait_for_receipts(journeyed, timeout):
    """Seconds until every submitted application of ``journeyed`` has its receipt (None on timeout),
    how many had one at the start, and how many were submitted."""
    from applications.models import Application
    from letters.models import Letter

    expected = Application.objects.filter(pk__in=journeyed, status=Application.Status.SUBMITTED).count()
    receipts = Letter.objects.filter(kind=Letter.Kind.RECEIPT, application_id__in=journeyed)
    at_start = receipts.count()
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if receipts.count() >= expected:
            return time.monotonic() - started, at_start, expected
        time.sleep(0.5)
    return None, at_start, expected


def check(journeyed, untouched):
    """The correctness after the rush: a list of failures (empty when everything holds)."""
    from django.db.models import Count, Q

    from applications.models import Application
    from letters.models import Letter

    failures = []
    applications = Application.objects.filter(pk__in=journeyed).annotate(
        submitted_events=Count("events", filter=Q(events__action="submitted"), distinct=True),
        receipts=Count(
            "letters",
            filter=Q(letters__kind=Letter.Kind.RECEIPT, letters__status=Letter.Status.RELEASED),
            distinct=True,
        ),
    )
    rows = list(applications.values("pk", "status", "reference_number", "submitted_events", "receipts"))
    not_submitted = [row["pk"] for row in rows if row["status"] != Application.Status.SUBMITTED]
    if not_submitted or len(rows) != len(journeyed):
        failures.append(f"{len(not_submitted) + len(journeyed) - len(rows)} Anträge nicht eingereicht")
    twice = [row["pk"] for row in rows if row["submitted_events"] != 1]
    if twice:
        failures.append(f"{len(twice)} Anträge nicht genau einmal eingereicht")
    references = [row["reference_number"] for row in rows]
    if None in references or len(set(references)) != len(references):
        failures.append("Aktenzeichen fehlen oder sind doppelt")
    without_receipt = [row["pk"] for row in rows if row["receipts"] != 1]
    if without_receipt:
        failures.append(f"{len(without_receipt)} Anträge ohne genau eine Eingangsbestätigung")
    empty = Letter.objects.filter(application_id__in=journeyed, kind=Letter.Kind.RECEIPT).filter(
        Q(file="") | Q(sha256="")
    )
    if empty.exists():
        failures.append("Eingangsbestätigungen ohne PDF")
    if Application.objects.filter(pk__in=untouched).exclude(status=Application.Status.DRAFT).exists():
        failures.append("Anträge ohne Ablauf sind eingereicht")
    return failures


def flush_redis(*urls):
    import redis

    for url in urls:
        redis.Redis.from_url(url).flushdb()


def share(count, rates, duration):
    """How many drafts each rate's rush takes: in proportion to the rate, at most rate x duration."""
    total = sum(rates)
    shares = [int(count * rate / total) for rate in rates]
    shares[-1] += count - sum(shares)
    if duration is not None:
        shares = [min(part, max(1, int(rate * duration))) for part, rate in zip(shares, rates, strict=True)]
    return shares


def main():
    args = parse_args()
    rates = [float(rate) for rate in args.rates.split(",") if rate.strip()]
    if args.organisations < len(rates) or any(rate <= 0 for rate in rates):
        raise SystemExit("Mindestens ein Antrag pro Rate und nur positive Raten.")
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("Der Benchmark braucht PostgreSQL (--database-url postgres://…).")
    os.environ["DATABASE_URL"] = args.database_url
    description, drop_database = prepare_database(args.database_name)
    workdir = Path(tempfile.mkdtemp(prefix="foerderportal-rush-"))
    env = production_environment(args, workdir)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "foerderportal.settings"
    server = worker = None
    failed = True
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from applications.forms import SECTIONS

        flush_redis(args.broker_url, args.cache_url)
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        drafts = seed(args.organisations)
        print(f"{description}: {args.organisations} Entwürfe mit Sitzungen in {time.perf_counter() - started:.1f} s")

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        child_env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}"}
        server_log = open(workdir / "gunicorn.out", "w")  # noqa: SIM115 - closed with the folder
        worker_log = open(workdir / "worker.out", "w")  # noqa: SIM115
        server = start(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "foerderportal.wsgi"], child_env, server_log
        )
        worker = start(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "foerderportal",
                "worker",
                "--loglevel=WARNING",
                f"--concurrency={args.worker_concurrency}",
                "-Q",
                "foerderportal",
                "-n",
                f"rush-{secrets.token_hex(4)}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            child_env,
            worker_log,
            nice=19,
        )
        wait_until_serving(base, server)
        gunicorn_settings = {k: v for k, v in env.items() if k.startswith("GUNICORN_") and "LOG" not in k}
        print(
            f"gunicorn -c gunicorn.conf.py {gunicorn_settings or ''} auf {base}; "
            f"Celery-Worker (nice 19, SCHED_IDLE, {args.worker_concurrency} Prozesse); {os.cpu_count()} Kerne"
        )

        errors = 0
        offset = 0
        journeyed = []
        rush_end = None
        for rate, part in zip(rates, share(len(drafts), rates, args.duration), strict=True):
            journeys = drafts[offset : offset + part]
            later = drafts[offset + part :] or journeys
            offset += part
            booted = worker_boots(workdir)
            recorder, submitted, rush_started, last_submit, rush_end = asyncio.run(
                run_rate(base, rate, journeys, later, args, [section.slug for section in SECTIONS])
            )
            errors += report_rate(rate, journeys, recorder, submitted, rush_started, last_submit)
            # A worker replaced mid-rush (max_requests) hands its load to the others for a while.
            print(f"gunicorn-Worker ersetzt während dieser Rate: {worker_boots(workdir) - booted}")
            journeyed += [pk for pk, _session in journeys]

        drained, at_end, expected = wait_for_receipts(journeyed, args.drain_timeout)
        if drained is None:
            print(f"\nEingangsbestätigungen: nach {args.drain_timeout:.0f} s noch nicht alle gerendert")
        else:
            print(
                f"\nEingangsbestätigungen: {at_end} von {expected} bei Ende des Ansturms gerendert, "
                f"die übrigen {expected - at_end} nach {drained:.1f} s"
            )
        failures = check(journeyed, [pk for pk, _session in drafts[offset:]])
        for failure in failures:
            print(f"PRÜFUNG FEHLGESCHLAGEN: {failure}")
        if not failures:
            print(
                f"Prüfung: {len(journeyed)} Anträge je genau einmal eingereicht, Aktenzeichen eindeutig, "
                "jede Eingangsbestätigung gerendert"
            )
        failed = bool(failures or errors)
    finally:
        stop(server)
        stop(worker)
        drop_database()
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
