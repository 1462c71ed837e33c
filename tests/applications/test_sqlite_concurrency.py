"""The embedded default (``make run``: SQLite) under members submitting at the same moment.

pytest's SQLite test database lives in memory, where WAL and lock waits do not apply, so a fresh
process migrates a temporary file database with the portal's own SQLite settings and lets eight
logged-in members post the submit form together (``concurrent_submit_sqlite.py``). Before WAL,
IMMEDIATE transactions and the busy timeout, some of them got a 500 "database is locked".
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MEMBERS = 8


def test_members_submitting_at_the_same_moment_on_sqlite_all_get_their_receipt(tmp_path):
    unset = {"DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "MEDIA_ROOT": str(tmp_path / "media"),
            "PYTHONPATH": str(ROOT),
        }
    )
    result = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("concurrent_submit_sqlite.py")), str(MEMBERS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["journal_mode"] == "wal"
    assert outcome["errors"] == []
    assert outcome["statuses"] == [302] * MEMBERS  # each redirected to its receipt
    assert len(set(outcome["references"])) == MEMBERS
    assert outcome["receipts"] == MEMBERS
