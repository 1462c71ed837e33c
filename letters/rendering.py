"""HTML template → PDF/A-3u bytes with WeasyPrint.

Per process, one ``FontConfiguration`` and the pre-parsed letter stylesheet are created on
first use and reused: loading the bundled fonts and parsing the CSS is a large share of a
small letter's rendering time. Fonts ship with the project (``letters/fonts``, Liberation
Sans, SIL OFL 1.1), so a letter looks the same on every worker whatever fonts the host has.

A letter loads exactly its stylesheet and the font files under ``fonts/`` (``LocalAssetsFetcher``);
anything else a template might name (another file beside this module, ``file:///etc/passwd``,
``http(s)://``, ``data:``, an ``<a rel="attachment">``) is refused and logged, and the letter is
rendered without it: the templates escape every applicant input, so such a URL can only come
from a template bug, and the Bescheid must still be issued (nothing is read or embedded).
"""

import logging
import os
import threading
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

ASSETS_DIR = Path(__file__).resolve().parent
STYLESHEET = ASSETS_DIR / "letter.css"
FONTS_DIR = ASSETS_DIR / "fonts"
FONT_SUFFIXES = frozenset({".ttf", ".otf", ".woff", ".woff2"})
#: the only files a letter may load: its stylesheet and the bundled fonts (not OFL.txt, README.md)
ALLOWED_ASSETS = frozenset(
    {STYLESHEET, *(path for path in FONTS_DIR.iterdir() if path.suffix.lower() in FONT_SUFFIXES and path.is_file())}
)
BASE_URL = ASSETS_DIR.as_uri() + "/"

# PDF/A-3u: archivable and text-extractable; tags make the PDF readable by screen readers.
# WeasyPrint subsets the fonts with HarfBuzz by default (full_fonts=False).
PDF_OPTIONS = {"pdf_variant": "pdf/a-3u", "pdf_tags": True}


class AssetRefused(ValueError):
    """A letter named a resource other than its stylesheet and fonts."""


class LocalAssetsFetcher(URLFetcher):
    """Only ``letter.css`` and the fonts under ``fonts/``: a letter never fetches anything else.

    The templates escape applicant input, but should markup ever slip through, an
    ``<img src="http://…">``, ``file:///etc/…`` or a file beside this module must not reach
    the network or the disk. WeasyPrint skips a refused resource and renders on.
    """

    def fetch(self, url, headers=None):
        path = _asset_path(url)
        if path is None:
            logger.warning("Letter asset refused: %s", url[:200])
            raise AssetRefused(f"Letters load only their stylesheet and fonts, not {url[:200]}")
        return URLFetcherResponse(url, body=path.read_bytes())


def _asset_path(url: str) -> Path | None:
    """The allowed asset a ``file:`` URL names (after ``..`` and symbolic links), else ``None``."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(url2pathname(parts.path)).resolve()
    return path if path in ALLOWED_ASSETS else None


_state = None
_state_lock = threading.Lock()
# Pango's font map is not thread-safe; a threaded web server (admin preview) renders one at a time.
_render_lock = threading.Lock()
_inherited = []


def _forget_after_fork():
    # A forked child builds its own configuration. The parent's copy is kept alive on
    # purpose: its finaliser would delete the temporary font folder the parent still uses.
    global _state
    if _state is not None:
        _inherited.append(_state)
        _state = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


def _shared():
    global _state
    if _state is None:
        with _state_lock:
            if _state is None:
                font_config = FontConfiguration()
                fetcher = LocalAssetsFetcher()
                css = CSS(filename=str(STYLESHEET), font_config=font_config, url_fetcher=fetcher)
                _state = (font_config, [css], fetcher)
    return _state


def render_html(template_name: str, context: dict) -> str:
    """The letter's HTML, always in German whatever the request's language."""
    with translation.override("de"):
        return render_to_string(template_name, context)


def html_to_pdf(html: str) -> bytes:
    font_config, stylesheets, fetcher = _shared()
    with _render_lock:
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
        return document.write_pdf(stylesheets=stylesheets, font_config=font_config, **PDF_OPTIONS)


def render_pdf(template_name: str, context: dict) -> bytes:
    return html_to_pdf(render_html(template_name, context))
