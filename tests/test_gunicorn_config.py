"""gunicorn.conf.py: what gunicorn itself reads from it, and the README's production command uses it."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _gunicorn_config(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")}
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--print-config", "foerderportal.wsgi"],
        cwd=ROOT,
        env={**clean, "DEBUG": "true", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return dict(re.findall(r"^(\w+)\s+= (.*)$", result.stdout, flags=re.MULTILINE))


def test_one_gthread_worker_per_core_with_timeouts_recycling_and_request_times_in_the_access_log():
    config = _gunicorn_config()
    assert config["workers"] == str(len(os.sched_getaffinity(0)))
    assert config["worker_class"] == "gthread"
    assert int(config["threads"]) > 1
    assert config["timeout"] == "30"
    # Recycled, but rarely and spread out: a worker replaced mid-rush leaves its load to the others.
    assert int(config["max_requests"]) >= 10_000
    assert int(config["max_requests_jitter"]) >= int(config["max_requests"]) // 4
    assert "%(M)s" in config["access_log_format"]  # request time in milliseconds
    # No shared control socket under ~/.gunicorn that a second instance on the host would take over.
    assert config["control_socket_disable"] == "True"


def test_the_environment_overrides_the_file():
    config = _gunicorn_config(GUNICORN_WORKER_CLASS="sync", GUNICORN_WORKERS="5", GUNICORN_BIND="127.0.0.1:9001")
    assert config["worker_class"] == "sync"
    assert config["workers"] == "5"
    assert config["bind"] == "['127.0.0.1:9001']"


def test_the_readme_production_command_uses_the_configuration():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "gunicorn -c gunicorn.conf.py foerderportal.wsgi" in readme
