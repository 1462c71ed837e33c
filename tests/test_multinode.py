"""Two portal nodes and two Celery workers share PostgreSQL, Redis and the object storage, and nothing else.

Started here, each a separate process with its own empty MEDIA_ROOT and mail folder: gunicorn on
two ports (nodes A and B), two Celery workers, and an S3-protocol server (moto's server mode);
PostgreSQL is a throwaway database this test creates and migrates, Redis uses the broker and
cache databases below. Over real HTTP sessions with CSRF (one cookie jar for both nodes, as a
load balancer without sticky sessions would have it):

* an applicant uploads the council resolution on node A and submits on node B; whichever worker
  takes the task renders the receipt, and the PDF downloads from both nodes with its SHA-256;
* a colleague of the academy releases a four-eyes award in the admin on node B; the decision
  letter a worker renders downloads on node A;
* one Celery beat fires the deadline-reminder sweep every second, and the sweep is also fired
  twice at once (as a second beat would); the two workers race: each reminder goes out exactly once;
* afterwards every process's MEDIA_ROOT is still empty: nothing was shared through a disk.

Needs PostgreSQL, Redis and moto[server]: under CI=true it fails without them, elsewhere it skips.
Every wait is bounded, the processes are killed in ``finally`` and their logs printed on failure.
"""

import hashlib
import json
import os
import re
import subprocess
import sys
import time
import uuid
from html import unescape
from pathlib import Path

import environ
import pytest
import redis
import requests
from celery import Celery
from django.conf import settings
from django_otp.oath import TOTP

from tests import object_storage
from tests.conftest import make_pdf, require_service

pytestmark = [pytest.mark.multinode, pytest.mark.postgres]

# Redis databases of their own: the queue is emptied before the run.
BROKER_URL = os.environ.get("MULTINODE_BROKER_URL", "redis://127.0.0.1:6379/5")
CACHE_URL = os.environ.get("MULTINODE_CACHE_URL", "redis://127.0.0.1:6379/6")
QUEUE = settings.CELERY_TASK_DEFAULT_QUEUE
TOKEN = "multinode-readiness-token"
START_SECONDS = 120
WAIT_SECONDS = 60
HTTP_TIMEOUT = 30

_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


# --- the processes ------------------------------------------------------------------------------


class Cluster:
    """The processes of the test, each with its own folder (media, mails, log)."""

    def __init__(self, root: Path, env: dict):
        self.root, self.env, self.processes = root, env, {}

    def folder(self, name) -> Path:
        return self.root / name

    def start(self, name, *argv):
        folder = self.folder(name)
        folder.mkdir(parents=True)
        env = {**self.env, "MEDIA_ROOT": str(folder / "media"), "EMAIL_FILE_PATH": str(folder / "mails")}
        log = open(folder / "log", "wb")  # noqa: SIM115 - closed in stop_all
        process = subprocess.Popen(
            [sys.executable, *argv],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        self.processes[name] = (process, log)
        return process

    def finish(self, name, process) -> str:
        """Wait for a short command (migrate and seed) to end; its output, or the test fails."""
        try:
            process.wait(timeout=START_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{name} did not finish within {START_SECONDS} s:\n{self.log(name)}")
        if process.returncode != 0:
            pytest.fail(f"{name} failed ({process.returncode}):\n{self.log(name)}")
        return self.log(name, tail=None)

    def log(self, name, tail=4000) -> str:
        text = (self.folder(name) / "log").read_text(encoding="utf-8", errors="replace")
        return text[-tail:] if tail else text

    def check_running(self):
        for name, (process, _log) in self.processes.items():
            if process.poll() is not None and name.startswith(("node", "worker", "beat")):
                pytest.fail(f"{name} exited with {process.returncode}:\n{self.log(name)}")

    def print_logs(self):
        print(f"files under {self.root}: {sorted(str(p.relative_to(self.root)) for p in self.root.rglob('*'))}")
        for name in self.processes:
            print(f"\n===== {name} =====\n{self.log(name)}")

    def stop_all(self):
        for process, _log in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process, log in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            log.close()


def wait_for(condition, cluster, what, seconds=WAIT_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        cluster.check_running()
        result = condition()
        if result:
            return result
        time.sleep(0.25)
    pytest.fail(f"no {what} within {seconds} s")


def start_node(cluster, name) -> str:
    port = object_storage.free_port()
    cluster.start(
        name,
        # The repository's configuration, as production runs it; one worker each keeps the test light.
        *("-m", "gunicorn", "-c", "gunicorn.conf.py", "foerderportal.wsgi:application"),
        *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "60"),
    )
    return f"http://127.0.0.1:{port}"


def start_worker(cluster, name):
    cluster.start(
        name,
        *("-m", "celery", "-A", "foerderportal", "worker", "--pool=solo", "--concurrency=1", "-Q", QUEUE),
        *("--loglevel=info", "--without-gossip", "--without-mingle", "--without-heartbeat"),
        *("-n", f"{name}-{uuid.uuid4().hex[:6]}@%h"),
    )


def wait_until_ready(cluster, url):
    def ready():
        try:
            response = requests.get(f"{url}/readyz", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
        except requests.ConnectionError:
            return False
        return response.status_code == 200 and response.json()["checks"]

    checks = wait_for(ready, cluster, f"ready node at {url}", seconds=START_SECONDS)
    assert checks == {"database": "ok", "broker": "ok", "storage": "ok"}


# --- the services -------------------------------------------------------------------------------


@pytest.fixture
def broker():
    clients = [redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5) for url in (BROKER_URL, CACHE_URL)]
    try:
        for client in clients:
            client.ping()
    except redis.RedisError as error:
        require_service(f"needs Redis at {BROKER_URL} and {CACHE_URL} ({error})")
    for client in clients:
        client.flushdb()  # leftovers of an earlier, killed run
    yield clients[0]
    for client in clients:
        client.close()


@pytest.fixture
def database():
    """A throwaway PostgreSQL database next to the one DATABASE_URL names; dropped afterwards."""
    import psycopg2

    url = os.environ.get("DATABASE_URL", "")
    config = environ.Env.db_url_config(url) if url else {}
    if "postgresql" not in config.get("ENGINE", ""):
        require_service("needs PostgreSQL shared by the nodes; set DATABASE_URL=postgres://…")
    name = f"{config['NAME']}_multinode_{uuid.uuid4().hex[:8]}"
    server = {"host": config["HOST"] or "127.0.0.1", "port": config["PORT"] or 5432, "user": config["USER"]}
    if config["PASSWORD"]:
        server["password"] = config["PASSWORD"]
    admin = psycopg2.connect(dbname="postgres", connect_timeout=5, **server)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection = psycopg2.connect(dbname=name, connect_timeout=5, **server)
    connection.autocommit = True
    try:
        yield url.rsplit("/", 1)[0] + "/" + name, connection
    finally:
        connection.close()
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def query(connection, sql, *params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- HTTP as a browser would do it --------------------------------------------------------------


def csrf_headers(session, referer):
    return {"X-CSRFToken": session.cookies.get("csrftoken", ""), "Referer": referer}


def log_in(session, node, email, password, *, path="/konto/anmelden/"):
    session.get(f"{node}{path}", timeout=HTTP_TIMEOUT).raise_for_status()
    response = session.post(
        f"{node}{path}",
        data={"username": email, "password": password},
        headers=csrf_headers(session, f"{node}{path}"),
        timeout=HTTP_TIMEOUT,
        allow_redirects=False,
    )
    assert response.status_code == 302, f"login of {email} on {node} failed ({response.status_code})"


def log_in_staff(session, node, email, password, totp_key):
    """The academy's login: password on the portal's login page, then the authenticator's code."""
    log_in(session, node, email, password)
    path = "/konto/zwei-faktor/code/"
    session.get(f"{node}{path}", timeout=HTTP_TIMEOUT).raise_for_status()
    totp = TOTP(bytes.fromhex(totp_key))
    response = session.post(
        f"{node}{path}",
        data={"code": f"{totp.token():06d}", "next": "/admin/"},
        headers=csrf_headers(session, f"{node}{path}"),
        timeout=HTTP_TIMEOUT,
        allow_redirects=False,
    )
    assert response.status_code == 302, f"second factor of {email} on {node} failed ({response.status_code})"


def post(session, node, path, data=None, files=None):
    return session.post(
        f"{node}{path}",
        data=data or {},
        files=files,
        headers=csrf_headers(session, f"{node}{path}"),
        timeout=HTTP_TIMEOUT,
        allow_redirects=False,
    )


def download(session, node, letter_id) -> bytes:
    response = session.get(f"{node}/portal/bescheide/{letter_id}/", timeout=HTTP_TIMEOUT)
    assert response.status_code == 200, f"download of letter {letter_id} from {node}: {response.status_code}"
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    return response.content


def release_in_admin(session, node, decision_id):
    """The admin action "Entscheidungen freigeben" and its confirmation page, as staff click through it."""
    changelist = "/admin/reviews/decision/"
    page = post(session, node, changelist, {"action": "release", "_selected_action": decision_id, "index": 0})
    assert page.status_code == 200 and 'name="confirmation"' in page.text, page.status_code
    form = page.text[page.text.index('<form method="post">') :]
    fields = [(name, unescape(value)) for name, value in _HIDDEN.findall(form[: form.index("</form>")])]
    confirmed = session.post(
        f"{node}{changelist}",
        data=fields,
        headers=csrf_headers(session, f"{node}{changelist}"),
        timeout=HTTP_TIMEOUT,
        allow_redirects=False,
    )
    assert confirmed.status_code == 302, confirmed.status_code


# --- the test -----------------------------------------------------------------------------------


def _mails(cluster, names):
    """(recipient, subject) of every e-mail the named processes wrote (file backend, one file per connection)."""
    from email import message_from_string, policy

    found = []
    for name in names:
        for path in sorted((cluster.folder(name) / "mails").glob("*.log")):
            for raw in path.read_text(encoding="utf-8").split("\n" + "-" * 79 + "\n"):
                if raw.strip():
                    message = message_from_string(raw, policy=policy.default)
                    found.append((str(message["To"]).strip(), str(message["Subject"]).strip()))
    return found


def _letter(connection, sql, *params):
    rows = query(connection, f"SELECT id, sha256 FROM letters_letter WHERE status = 'released' AND {sql}", *params)
    return rows[0] if rows else None


def test_two_nodes_and_two_workers_share_only_database_broker_and_object_storage(
    tmp_path, broker, database, s3_endpoint
):
    database_url, db = database
    bucket = object_storage.new_bucket(s3_endpoint)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CELERY_", "DJANGO_"))},
        **object_storage.storage_environment(s3_endpoint, bucket),
        # DEBUG on keeps cookies usable over plain HTTP; production settings are tested in test_settings.py.
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "foerderportal.settings",
        # Every node needs the same secret: sessions and signed tokens made on one are checked on another.
        "SECRET_KEY": "multinode-test-secret-" + uuid.uuid4().hex,
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": BROKER_URL,
        "CACHE_URL": CACHE_URL,
        "READINESS_TOKEN": TOKEN,
        "REMINDER_SWEEP_SECONDS": "1",  # only the beat reads it
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",
        "PYTHONUNBUFFERED": "1",
    }
    cluster = Cluster(tmp_path, env)
    try:
        # The nodes and workers start while the database is migrated and seeded.
        seeding = cluster.start("seed", "-m", "tests.multinode_seed")
        node_a, node_b = start_node(cluster, "node-a"), start_node(cluster, "node-b")
        start_worker(cluster, "worker-1")
        start_worker(cluster, "worker-2")
        seed = json.loads(cluster.finish("seed", seeding).strip().splitlines()[-1])
        wait_until_ready(cluster, node_a)
        wait_until_ready(cluster, node_b)

        # Upload on A, submit on B: one session, shared through the database.
        applicant = requests.Session()
        log_in(applicant, node_a, seed["applicant"], seed["password"])
        draft = seed["draft"]
        resolution = make_pdf("Beschluss des Gemeinderats")
        uploaded = post(
            applicant,
            node_a,
            f"/portal/antrag/{draft}/anlagen/",
            {"kind": "resolution"},
            files={"file": ("Beschluss.pdf", resolution, "application/pdf")},
        )
        assert uploaded.status_code == 302, uploaded.status_code
        [(attachment_id,)] = query(db, "SELECT id FROM applications_attachment WHERE application_id = %s", draft)
        for node in (node_a, node_b):
            response = applicant.get(f"{node}/portal/antrag/{draft}/anlagen/{attachment_id}/", timeout=HTTP_TIMEOUT)
            assert response.content == resolution
        submitted = post(applicant, node_b, f"/portal/antrag/{draft}/einreichen/", {"declaration": "on"})
        assert submitted.headers["Location"] == f"/portal/antrag/{draft}/eingangsbestaetigung/"

        receipt = wait_for(
            lambda: _letter(db, "application_id = %s AND kind = 'receipt'", draft), cluster, "receipt rendered"
        )
        receipt_id, receipt_hash = receipt
        from_a, from_b = download(applicant, node_a, receipt_id), download(applicant, node_b, receipt_id)
        assert from_a == from_b
        assert hashlib.sha256(from_a).hexdigest() == receipt_hash
        renderers = [w for w in ("worker-1", "worker-2") if "letters.tasks.issue_receipt" in cluster.log(w, tail=None)]
        assert renderers, "no worker took the receipt task"

        # A password changed on A ends the applicant's other session on B at once (the signed-in user
        # is cached in the shared Redis, accounts/backends.py) and keeps the session that changed it.
        other_device = requests.Session()
        log_in(other_device, node_b, seed["applicant"], seed["password"])
        assert other_device.get(f"{node_b}/portal/", timeout=HTTP_TIMEOUT, allow_redirects=False).status_code == 200
        new_password = "Ein neues Passwort für den Fristtag 2026"
        changed = post(
            applicant,
            node_a,
            "/konto/passwort/aendern/",
            {"old_password": seed["password"], "new_password1": new_password, "new_password2": new_password},
        )
        assert changed.status_code == 302, changed.status_code
        assert other_device.get(f"{node_b}/portal/", timeout=HTTP_TIMEOUT, allow_redirects=False).status_code == 302
        assert applicant.get(f"{node_b}/portal/", timeout=HTTP_TIMEOUT, allow_redirects=False).status_code == 200

        # The academy's colleague releases the proposed award on B; the addressee downloads on A.
        staff = requests.Session()
        log_in_staff(staff, node_b, seed["releaser"], seed["password"], seed["releaser_totp_key"])
        release_in_admin(staff, node_b, seed["decision"])
        letter = wait_for(
            lambda: _letter(db, "decision_id = %s", seed["decision"]), cluster, "decision letter rendered"
        )
        addressee = requests.Session()
        log_in(addressee, node_a, seed["addressee"], seed["password"])
        assert hashlib.sha256(download(addressee, node_a, letter[0])).hexdigest() == letter[1]

        # One beat fires the deadline-reminder sweep every second (REMINDER_SWEEP_SECONDS), and the
        # sweep is also fired twice at the same moment (as a second beat would): both workers race.
        cluster.start(
            "beat",
            *("-m", "celery", "-A", "foerderportal", "beat", "--loglevel=info"),
            *("--schedule", str(cluster.folder("beat") / "schedule")),
        )
        sender = Celery(broker=BROKER_URL)
        for _ in range(2):
            sender.send_task("reminders.tasks.send_due_reminders", queue=QUEUE)
        wait_for(
            lambda: cluster.log("beat", tail=None).count("Scheduler: Sending due task deadline-reminders") >= 2,
            cluster,
            "two sweeps from the beat",
        )

        def all_sent():
            rows = query(db, "SELECT status, count(*) FROM reminders_reminder GROUP BY status")
            idle = broker.llen(QUEUE) == 0 and broker.hlen("unacked") == 0
            return idle and dict(rows).get("sent") == len(seed["reminded"]) and dict(rows)

        assert wait_for(all_sent, cluster, "reminders sent") == {"sent": len(seed["reminded"])}
        sweeps = sum(
            cluster.log(w, tail=None).count("reminders.tasks.send_due_reminders[") for w in ("worker-1", "worker-2")
        )
        assert sweeps >= 4, "the two fired sweeps and the beat's must have run"

        def reminder_mails():
            # The file backend may flush a moment after the row is confirmed: wait for the files.
            mails = _mails(cluster, ["worker-1", "worker-2"])
            found = sorted(to for to, subject in mails if subject.startswith("Erinnerung"))
            return found if len(found) >= len(seed["reminded"]) else None

        assert wait_for(reminder_mails, cluster, "reminder e-mails", seconds=15) == seed["reminded"]

        # Nothing went to a local disk: every process's media folder is still absent or empty.
        for name in cluster.processes:
            media = cluster.folder(name) / "media"
            assert not media.exists() or not any(media.rglob("*")), f"{name} wrote {list(media.rglob('*'))}"
        # ... and the bucket holds exactly the files the database knows: attachments and letters.
        stored = {item["Key"] for item in object_storage.client(s3_endpoint).list_objects_v2(Bucket=bucket)["Contents"]}
        recorded = query(db, "SELECT file FROM applications_attachment UNION ALL SELECT file FROM letters_letter")
        assert stored == {name for (name,) in recorded}
    except BaseException:
        cluster.print_logs()
        raise
    finally:
        cluster.stop_all()
