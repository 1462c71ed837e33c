"""A tiny renderer for the pages' plain text: paragraphs, ``## `` headings, ``- `` lists, links.

Everything is escaped first; the only markup that comes out is what this module writes. Links
take only ``https://``, ``mailto:``, ``tel:`` or a path on the portal (``/…``).
"""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

LINK = re.compile(r"\[([^\]]+)\]\(((?:https://|mailto:|tel:|/)[^\s)]*)\)")


def _inline(text: str) -> str:
    return LINK.sub(lambda m: f'<a href="{m.group(2)}">{m.group(1)}</a>', escape(text))


def render_body(text: str) -> str:
    """HTML for a page body (a safe string)."""
    html = []
    for block in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip()):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if len(lines) == 1 and lines[0].startswith("## "):
            html.append(f"<h2>{_inline(lines[0][3:])}</h2>")
        elif all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{_inline(line[2:])}</li>" for line in lines)
            html.append(f"<ul>{items}</ul>")
        else:
            html.append(f"<p>{'<br>'.join(_inline(line) for line in lines)}</p>")
    return mark_safe("\n".join(html))  # noqa: S308 - built from escaped text only
