"""Every word a template shows goes through {% translate %} or {% blocktranslate %} (docs/architecture.md, "Language").

The check removes translate tags and blocktranslate blocks, every other template tag, variable and
comment, <style> and <script> elements and the markup itself, and then expects no word to be left
but the proper names below. Attributes people read (title, aria-label, alt, placeholder, …) are
checked the same way.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = [ROOT / "templates", *sorted(p for p in ROOT.glob("*/templates") if p.is_dir())]
TEMPLATES = sorted(
    path for directory in TEMPLATE_DIRS for path in directory.rglob("*") if path.suffix in {".html", ".txt"}
)
# Names, not language: they stay as written in every language.
NAMES = ["Führungsakademie Baden-Württemberg", "Förderportal", "SHA-256"]

BLOCKTRANSLATE = re.compile(r"{%\s*blocktrans(late)?\b.*?{%\s*endblocktrans(late)?\s*%}", re.S)
COMMENT_BLOCK = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S)
# The admin's <body class="…">: CSS classes, not text.
BODYCLASS_BLOCK = re.compile(r"{%\s*block bodyclass\s*%}.*?{%\s*endblock", re.S)
TEMPLATE_SYNTAX = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
NON_TEXT_ELEMENTS = re.compile(r"<(style|script)\b.*?</\1>", re.S | re.I)
READABLE_ATTRIBUTE = re.compile(
    r"""\b(?:title|aria-label|alt|placeholder|data-reference)\s*=\s*("[^"]*"|'[^']*')""", re.I
)
TAG = re.compile(r"<[^>]*>", re.S)
ENTITY = re.compile(r"&#?\w+;")
URL_PATH = re.compile(r"(?<!\w)/[\w./?=&%-]*")
WORD = re.compile(r"[A-Za-zÄÖÜäöüß]{2,}")


def untranslated_words(source: str) -> list[str]:
    text = BLOCKTRANSLATE.sub(" ", source)
    text = COMMENT_BLOCK.sub(" ", text)
    text = BODYCLASS_BLOCK.sub(" ", text)
    text = NON_TEXT_ELEMENTS.sub(" ", text)
    text = TEMPLATE_SYNTAX.sub(" ", text)
    # Attribute values people read keep their text; the rest of the markup goes.
    text = TAG.sub(lambda tag: " ".join(m.group(1)[1:-1] for m in READABLE_ATTRIBUTE.finditer(tag.group(0))), text)
    text = ENTITY.sub(" ", text)
    text = URL_PATH.sub(" ", text)
    for name in NAMES:
        text = text.replace(name, " ")
    return WORD.findall(text)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_template_text_is_marked_for_translation(path):
    assert untranslated_words(path.read_text(encoding="utf-8")) == []


def test_the_check_finds_untranslated_text():
    assert untranslated_words("<p>Noch keine Anträge.</p>") == ["Noch", "keine", "Anträge"]
    assert untranslated_words('<nav aria-label="Hauptmenü"></nav>') == ["Hauptmenü"]
    assert untranslated_words('<nav class="a b" aria-label="{% translate "Hauptmenü" %}"></nav>') == []
    assert untranslated_words('<a href="/x/?a=b">{{ n }} Tag(e)</a>') == ["Tag"]
    assert (
        untranslated_words(
            '<p title="{{ x }}">{% translate "Gut" %} {{ y }} {% blocktranslate %}A {{ b }}{% endblocktranslate %}</p>'
        )
        == []
    )
    assert untranslated_words("<p>Förderportal der Führungsakademie Baden-Württemberg</p>") == ["der"]
