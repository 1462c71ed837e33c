"""Development: e-mails as files under var/mail, and /entwicklung/mails/ lists them (DEBUG only)."""

import os
import subprocess
import sys

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.test import override_settings

from tests.test_settings import ROOT

URL = "/entwicklung/mails/"


@pytest.fixture
def mail_folder(settings, tmp_path):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    return tmp_path / "mail"


def send_two():
    first = EmailMessage(
        "Bitte bestätigen Sie Ihre E-Mail-Adresse",
        "Hallo,\nbitte öffnen Sie http://127.0.0.1:8000/konto/bestaetigen/abc/ innerhalb von 3 Tagen.\n",
        to=["erika@gemeinde.example"],
    )
    second = EmailMessage("Neu <script>alert(1)</script>", "Ohne Link.", to=["max@gemeinde.example"])
    mail.get_connection().send_messages([first, second])


def test_the_page_lists_mails_newest_first_with_clickable_links(client, mail_folder):
    send_two()
    assert list(mail_folder.glob("*.log"))
    page = client.get(URL).content.decode()
    assert page.index("Neu &lt;script&gt;") < page.index("Bitte bestätigen Sie Ihre E-Mail-Adresse")
    assert "<script>alert(1)</script>" not in page
    assert "erika@gemeinde.example" in page and "max@gemeinde.example" in page
    link = "http://127.0.0.1:8000/konto/bestaetigen/abc/"
    assert f'<a href="{link}">{link}</a>' in page


def test_no_mails_yet(client, mail_folder):
    assert "Noch keine E-Mails." in client.get(URL).content.decode()


def test_the_page_is_404_when_debug_is_off(client, mail_folder):
    send_two()
    with override_settings(DEBUG=False):
        assert client.get(URL).status_code == 404


def test_debug_without_email_url_writes_files_under_var_mail():
    shell = "from django.conf import settings; print(settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH)"
    unset = {"EMAIL_URL", "EMAIL_FILE_PATH", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECRET_KEY"}
    env = {**{k: v for k, v in os.environ.items() if k not in unset}, "DEBUG": "true"}
    command = [sys.executable, "manage.py", "shell", "-c", shell]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    backend, path = result.stdout.strip().splitlines()[-1].split()
    assert backend == "django.core.mail.backends.filebased.EmailBackend"
    assert path.endswith("var/mail")
