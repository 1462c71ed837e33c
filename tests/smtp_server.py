"""A real SMTP server in the test process (aiosmtpd) that refuses chosen recipients at RCPT.

``refuse(address, 450, times=1)`` answers 450 (greylisting) to the first RCPT of ``address`` and
accepts it afterwards; ``refuse(address, 550)`` refuses it every time. ``received(address)``
lists the Message-IDs the server accepted for ``address`` (one per accepted message).
"""

import socket
import threading
from contextlib import contextmanager
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

ANSWERS = {
    450: "450 4.2.0 Greylisted, please try again later",
    451: "451 4.3.0 Temporary local problem",
    550: "550 5.1.1 Mailbox unavailable",
}


class RefusingHandler:
    def __init__(self):
        self.lock = threading.Lock()
        self.rules = {}  # address: [code, times left or None for always]
        self.messages = []  # (recipients, Message-ID, Subject)

    def refuse(self, address, code, times=None):
        with self.lock:
            self.rules[address.lower()] = [code, times]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            rule = self.rules.get(address.lower())
            if rule and (rule[1] is None or rule[1] > 0):
                if rule[1] is not None:
                    rule[1] -= 1
                return ANSWERS[rule[0]]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(([a.lower() for a in envelope.rcpt_tos], message["Message-ID"], message["Subject"]))
        return "250 Message accepted for delivery"

    def received(self, address):
        with self.lock:
            return [message_id for recipients, message_id, _ in self.messages if address.lower() in recipients]


@contextmanager
def refusing_smtp_server():
    """Start the server on a free local port; yields (handler, port)."""
    handler = RefusingHandler()
    with socket.socket() as probe:  # aiosmtpd cannot start on port 0: ask the system for a free one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def use_smtp(settings, port):
    """Django's own SMTP backend against the local server (no TLS, no login)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
