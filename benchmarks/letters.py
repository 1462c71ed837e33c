"""Benchmark of letter rendering: the project's code path against WeasyPrint alone, and throughput.

    DEBUG=true .venv/bin/python benchmarks/letters.py [--runs 15] [--letters 200]

Uses a throwaway SQLite database and media folder in a temporary directory (migrated from
scratch); the project's own database is never touched. It creates one application with a
proposed award decision and measures (median over ``--runs`` after one warm-up):

* project: ``letters.services.preview_decision_letter`` – load the decision, build the
  context, render the Django template under German, WeasyPrint with the process-wide
  FontConfiguration and pre-parsed stylesheet (``letters.rendering``);
* weasyprint: ``HTML(string=<the same final HTML>).write_pdf(...)`` with the same options,
  stylesheet and a FontConfiguration built once by this script – WeasyPrint's own cost;
* weasyprint, cold: the same, but with a new FontConfiguration and a freshly parsed
  stylesheet per letter – what the per-process cache saves;

then the throughput for ``--letters`` letters through the project's code path with one
worker process and with two (each renders half), forked like Celery's prefork pool.
"""

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="timed renders per variant (median)")
    parser.add_argument("--letters", type=int, default=200, help="letters for the throughput runs")
    return parser.parse_args()


def setup_django(workdir):
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.pop("CELERY_BROKER_URL", None)  # tasks eager, nothing leaves the process
    os.environ.setdefault("DEBUG", "true")
    os.environ["DJANGO_SETTINGS_MODULE"] = "foerderportal.settings"
    sys.path.insert(0, str(PROJECT_ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def create_decision():
    """A submitted application in review with a proposed award (four-eyes round)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from accounts.models import User
    from applications.models import Application, FundingRound, Organisation, Programme
    from reviews.models import Decision

    now = timezone.now()
    programme = Programme.objects.create(
        name="Integration durch bürgerschaftliches Engagement und Zivilgesellschaft",
        short_name="Integration durch Engagement",
        slug="integration-engagement",
        funding_body="Ministerium für Soziales, Gesundheit und Integration Baden-Württemberg",
        operator="Führungsakademie Baden-Württemberg",
    )
    funding_round = FundingRound.objects.create(
        programme=programme,
        name="Zweite Runde 2020/2021",
        code="IBE-2020",
        opens_at=now - timedelta(days=60),
        deadline=now - timedelta(days=1),
        places=13,
        budget=Decimal("520000"),
        four_eyes=True,
    )
    organisation = Organisation.objects.create(name="Esslingen am Neckar", kind="grosse_kreisstadt", region="1")
    staff = User.objects.create(email="akademie@fa.example", is_staff=True)
    application = Application.objects.create(
        funding_round=funding_round,
        organisation=organisation,
        status=Application.Status.IN_REVIEW,
        reference_number="IBE-2020-0001",
        sequence=1,
        submitted_at=now - timedelta(days=5),
        postal_address="Stadtverwaltung\nRathausplatz 2\n73728 Esslingen am Neckar",
        lead_name="Max Leitung",
        lead_function="Integrationsbeauftragter",
        council_body="gemeinderat",
        resolution_date=(now - timedelta(days=30)).date(),
        staff_hours_per_week=Decimal("10"),
    )
    return Decision.objects.create(
        application=application, kind=Decision.Kind.AWARD, amount=Decimal("40000"), proposed_by=staff
    )


def median_seconds(variants, runs):
    """Median per variant; the variants take turns, so a busy moment hits all alike."""
    times = {name: [] for name in variants}
    for function in variants.values():
        function()  # warm-up
    for _ in range(runs):
        for name, function in variants.items():
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def _render_many(args):
    decision_id, count = args
    from django.db import connections

    from letters import services
    from reviews.models import Decision

    decision = Decision.objects.get(pk=decision_id)
    for _ in range(count):
        services.preview_decision_letter(decision)
    connections.close_all()
    return count


def throughput(decision_id, letters, workers):
    from django.db import connections

    connections.close_all()  # never share a connection with forked children
    share = [letters // workers + (1 if i < letters % workers else 0) for i in range(workers)]
    context = multiprocessing.get_context("fork")
    start = time.perf_counter()
    with context.Pool(workers) as pool:
        done = sum(pool.map(_render_many, [(decision_id, n) for n in share]))
    elapsed = time.perf_counter() - start
    return done, elapsed


def main():
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="letters-bench-") as tmp:
        setup_django(Path(tmp))
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration

        from letters import issuing, rendering, services

        decision = create_decision()

        captured = {}
        original = rendering.render_html

        def capture(template_name, context):
            captured["html"] = original(template_name, context)
            return captured["html"]

        rendering.render_html = capture
        pdf = services.preview_decision_letter(decision)
        rendering.render_html = original
        html = captured["html"]

        font_config = FontConfiguration()
        fetcher = rendering.LocalAssetsFetcher()
        stylesheets = [CSS(filename=str(rendering.STYLESHEET), font_config=font_config, url_fetcher=fetcher)]

        def project():
            services.preview_decision_letter(decision)

        def weasyprint_direct():
            HTML(string=html, base_url=rendering.BASE_URL, url_fetcher=fetcher).write_pdf(
                stylesheets=stylesheets, font_config=font_config, **rendering.PDF_OPTIONS
            )

        def project_without_pdf():
            # What the project adds before WeasyPrint: load the decision, build the context, render the template.
            loaded = issuing.load_decision(decision.pk)
            kind = issuing.KIND_FOR_DECISION[loaded.kind]
            context = issuing._context(loaded.application, kind, decision=loaded, preview=True)
            rendering.render_html(issuing.TEMPLATES[kind], context)

        def weasyprint_cold():
            config = FontConfiguration()
            css = CSS(filename=str(rendering.STYLESHEET), font_config=config, url_fetcher=fetcher)
            HTML(string=html, base_url=rendering.BASE_URL, url_fetcher=fetcher).write_pdf(
                stylesheets=[css], font_config=config, **rendering.PDF_OPTIONS
            )

        medians = median_seconds({"project": project, "direct": weasyprint_direct, "cold": weasyprint_cold}, args.runs)
        t_project, t_direct, t_cold = medians["project"], medians["direct"], medians["cold"]
        t_overhead = median_seconds({"overhead": project_without_pdf}, args.runs * 4)["overhead"]
        one = throughput(decision.pk, args.letters, 1)
        two = throughput(decision.pk, args.letters, 2)

    load = os.getloadavg()[0]
    print(f"Letter: award decision, {len(pdf):,} bytes PDF/A-3u; median of {args.runs} runs")
    print(
        f"Machine: {os.cpu_count()} CPUs, load average {load:.1f} at the end (other work on the machine skews figures)"
    )
    print()
    print(f"{'variant':<48}{'ms/letter':>12}{'ratio':>10}")
    print("-" * 70)
    print(f"{'project (preview_decision_letter)':<48}{t_project * 1000:>12.1f}{t_project / t_direct:>10.2f}")
    print(f"{'WeasyPrint direct, same HTML/options/CSS':<48}{t_direct * 1000:>12.1f}{1:>10.2f}")
    print(f"{'WeasyPrint cold (new fonts + CSS per letter)':<48}{t_cold * 1000:>12.1f}{t_cold / t_direct:>10.2f}")
    print(
        f"{'project before WeasyPrint (load + template)':<48}{t_overhead * 1000:>12.1f}{t_overhead / t_direct:>10.2f}"
    )
    print()
    print(f"{'throughput (project path)':<48}{'letters':>8}{'seconds':>10}{'letters/s':>12}")
    print("-" * 78)
    for workers, (done, elapsed) in ((1, one), (2, two)):
        label = f"{workers} worker process{'es' if workers > 1 else ''}"
        print(f"{label:<48}{done:>8}{elapsed:>10.1f}{done / elapsed:>12.1f}")
    print()
    verdict = "ok" if t_project / t_direct <= 1.15 else "ABOVE 1.15"
    print(f"project / WeasyPrint direct = {t_project / t_direct:.2f} (aim ≤ 1.15: {verdict})")
    return 0 if t_project / t_direct <= 1.15 else 1


if __name__ == "__main__":
    sys.exit(main())
