"""``benchmarks/page_cost.py`` runs on tiny numbers (SQLite), so it cannot rot, and its reference page
(shared with the deadline-rush benchmark) really reads one row."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_page_cost_benchmark_runs_and_its_reference_is_a_one_query_page():
    unset = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "CACHE_URL", "CELERY_BROKER_URL"}
    result = subprocess.run(
        [sys.executable, "benchmarks/page_cost.py", "--drafts=4", "--requests=2", "--rounds=1", "--profile=section"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in unset},
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    rows = dict(re.findall(r"^(one-query|section|overview|receipt|dashboard)\s+[\d.]+\s+(\d+)\s", output, re.M))
    assert set(rows) == {"one-query", "section", "overview", "receipt", "dashboard"}, output
    assert rows["one-query"] == "1"
    # The budgets of tests/applications/test_query_counts.py (sessions in the database without a
    # shared cache); the dashboard without the navigation's and the open rounds' queries, cached
    # by the warm-up.
    assert rows == {"one-query": "1", "section": "3", "overview": "3", "receipt": "3", "dashboard": "4"}
    assert "Funktionsaufrufe je Abruf" in output and "cumulative" in output  # --profile
