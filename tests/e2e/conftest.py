"""Browser tests: headless Chromium driven by Playwright against pytest-django's live server.

Needs Debian's Chromium (``apt-get install chromium``) and axe-core from npm
(``npm ci`` in the project root). Without them the tests are skipped locally
and fail when ``CI=true``, so a CI image that lost its browser cannot go green.
"""

import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
AXE_JS = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_URL = "/__e2e__/axe.min.js"  # answered by the test browser itself (page.route), never by the portal
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = ("serious", "critical")
TIMEOUT_MS = 15_000


def _unavailable(reason):
    """Skip locally, fail in CI: a CI run must never pass without having run the browser tests."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"{reason} – browser tests skipped (they fail instead when CI=true)")


def _chromium_executable():
    """CHROMIUM_PATH if set (and only that), else Debian's /usr/bin/chromium or a chromium on PATH."""
    configured = os.environ.get("CHROMIUM_PATH")
    candidates = (
        [configured]
        if configured
        else [
            DEFAULT_CHROMIUM,
            shutil.which("chromium"),
            shutil.which("chromium-browser"),
        ]
    )
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def axe_source():
    if not AXE_JS.is_file():
        _unavailable(f"axe-core not installed ({AXE_JS} missing); run `npm ci` in {PROJECT_ROOT}")
    return AXE_JS


@pytest.fixture(scope="package", autouse=True)
def _allow_orm_next_to_playwright_loop():
    """Set DJANGO_ALLOW_ASYNC_UNSAFE=true while the browser tests run, and only then.

    Playwright's sync API keeps an asyncio event loop running in the test thread, so
    Django would refuse every ORM query made by a test ("async unsafe"). The variable is
    removed again after tests/e2e: set for the whole process it would leak into later
    tests and their subprocesses (``manage.py check --deploy`` warns about it).
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="package")
def browser(_allow_orm_next_to_playwright_loop):
    """One headless Chromium for tests/e2e, closed afterwards (which also stops Playwright's loop)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is in requirements.txt
        _unavailable("the Python package playwright is not installed; run `pip install -r requirements.txt`")
    executable = _chromium_executable()
    if not executable:
        where = os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM
        _unavailable(f"Chromium not found at {where}; install it with `apt-get install chromium` or set CHROMIUM_PATH")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _plain_http_live_server(settings):
    """The live server speaks plain HTTP: no HTTPS redirect or secure-only cookies, whatever DEBUG is."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_HSTS_SECONDS = 0


def _record_csp_violation(message, violations):
    """Note a refusal under the Content-Security-Policy, unless axe-core's own probes caused it."""
    source = (message.location or {}).get("url", "")
    if "Content Security Policy" in message.text and not source.endswith(AXE_URL):
        page = message.page.url if message.page else ""
        violations.append(f"{page}: {message.text} (at {source or 'the page'})")


@pytest.fixture
def new_context(browser, live_server):
    """Factory for isolated browser contexts (separate cookies), closed after the test.

    The pages' Content-Security-Policy stays enforced, and the test fails if the browser refused
    anything under it (Chromium reports each violation on the console).
    """
    contexts = []
    violations = []

    def make(**kwargs):
        context = browser.new_context(base_url=live_server.url, locale="de-DE", **kwargs)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("console", lambda message: _record_csp_violation(message, violations))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations), pytrace=False)


@pytest.fixture
def page(new_context):
    return new_context().new_page()


def field(text):
    """Label matcher for a form field: the exact text, ignoring crispy's whitespace and the required asterisk."""
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


def log_in(context, live_server, user):
    """Log ``user`` in by planting a session cookie (no form round trip)."""
    from django.conf import settings

    from tests.twofactor import TwoFactorClient

    client = TwoFactorClient()  # staff: also past the second factor, as after the real login
    client.force_login(user, backend="accounts.backends.CachedUserBackend")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "domain": urlsplit(live_server.url).hostname,
                "path": "/",
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )


def staff_log_in(page, user, password):
    """A staff user through the real forms: the admin sends to the portal login, then the code page,
    where the code the user's authenticator app shows now is typed."""
    from playwright.sync_api import expect

    from tests.twofactor import totp_device

    totp_device(user)
    page.goto("/admin/")
    page.get_by_label(field("E-Mail-Adresse")).fill(user.email)
    page.get_by_label(field("Passwort")).fill(password)
    page.get_by_role("button", name="Anmelden").click()
    enter_code(page, user)
    expect(page.locator("#site-name")).to_contain_text("Förderportal – Verwaltung")


def enter_code(page, user):
    from playwright.sync_api import expect

    from tests.twofactor import current_code, totp_device

    expect(page.get_by_role("heading", level=1, name="Anmeldung bestätigen")).to_be_visible()
    page.get_by_label(field("Code aus der Authenticator-App")).fill(current_code(totp_device(user)))
    page.get_by_role("button", name="Bestätigen", exact=True).click()


def log_in_staff(context, live_server, user):
    """Log a staff member in for the admin with a planted session that passed the second factor
    (``log_in`` uses ``TwoFactorClient``); ``staff_log_in`` walks the real forms with the code."""
    assert user.is_staff, f"{user} is not staff"
    log_in(context, live_server, user)


def format_violations(violations):
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            lines.append(f"    target: {json.dumps(node['target'])}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n        ")
            if summary:
                lines.append(f"        {summary}")
            lines.append(f"        html: {node['html'][:200]}")
    return "\n".join(lines)


@pytest.fixture
def axe(axe_source):
    """``axe(page)`` scans the page for WCAG 2.1 A/AA and fails on serious or critical violations."""

    def check(page, *, label=None):
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            # Loaded from the page's own origin: the Content-Security-Policy (script-src 'self')
            # refuses the inline script that add_script_tag(path=…) would insert.
            page.route(
                f"**{AXE_URL}", lambda route: route.fulfill(path=str(axe_source), content_type="text/javascript")
            )
            page.add_script_tag(url=AXE_URL)
        results = page.evaluate(
            """async (tags) => await axe.run(document, {
                runOnly: {type: 'tag', values: tags},
                resultTypes: ['violations'],
            })""",
            WCAG_21_AA,
        )
        blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            pytest.fail(
                f"axe-core found {len(blocking)} serious/critical WCAG 2.1 AA violation(s) on "
                f"{label or page.url}:\n{format_violations(blocking)}",
                pytrace=False,
            )
        return results

    return check
