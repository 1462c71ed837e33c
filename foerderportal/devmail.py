"""The e-mails Django's file backend wrote (development only): read back for /entwicklung/mails/.

The file backend appends each message to a ``.log`` file per connection, separated by a line of
79 dashes. Nothing here is trusted: the template escapes every value, and only http(s) links are
offered as links.
"""

import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime
from pathlib import Path

SEPARATOR = b"\n" + b"-" * 79 + b"\n"
LINK = re.compile(r"https?://[^\s<>\"']+")
MAX_MAILS = 200


@dataclass
class DevMail:
    subject: str
    recipients: str
    sent_at: object
    text: str
    links: list = field(default_factory=list)


def _text_of(message):
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else ""


def parse_mail(raw):
    message = message_from_bytes(raw, policy=policy.default)
    text = _text_of(message)
    try:
        sent_at = parsedate_to_datetime(message["Date"]) if message["Date"] else None
    except (TypeError, ValueError):
        sent_at = None
    return DevMail(
        subject=str(message["Subject"] or ""),
        recipients=", ".join(str(message[name]) for name in ("To", "Cc") if message[name]),
        sent_at=sent_at,
        text=text,
        links=list(dict.fromkeys(LINK.findall(text))),
    )


def read_mails(folder):
    """The e-mails under ``folder``, newest first (at most ``MAX_MAILS``); no folder → none."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    mails = []
    for path in sorted(folder.glob("*.log"), key=lambda p: (p.stat().st_mtime, p.name)):
        for chunk in path.read_bytes().split(SEPARATOR):
            if chunk.strip():
                mails.append(parse_mail(chunk.lstrip(b"\n")))
    mails.reverse()
    return mails[:MAX_MAILS]
