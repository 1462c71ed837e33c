"""App-level import graph: importer -> imported, number of module imports, UP when it runs upward.

Run from the project root: `.venv/bin/python benchmarks/import_graph.py` (lint-imports enforces the same rule in CI)."""

import importlib.util
import os
import sys

sys.path.insert(0, os.getcwd())
import grimp

apps = [
    "foerderportal",
    "accounts",
    "applications",
    "reminders",
    "correspondence",
    "reviews",
    "letters",
    "facilitation",
    "pages",
    "demo",
    "staff",
]
rank = {
    "foerderportal": 0,
    "accounts": 1,
    "applications": 2,
    "reminders": 3,
    "correspondence": 4,
    "reviews": 5,
    "letters": 6,
    "facilitation": 6,
    "pages": 6,
    "demo": 7,
    "staff": 7,
}
present = [a for a in apps if importlib.util.find_spec(a)]
g = grimp.build_graph(*present, cache_dir=None)
edges = {}
for m in g.modules:
    if m == "foerderportal.urls":
        continue  # the root URLconf wires every app together
    for t in g.find_modules_directly_imported_by(m):
        a, b = m.split(".")[0], t.split(".")[0]
        if a != b:
            edges[(a, b)] = edges.get((a, b), 0) + 1
for (a, b), n in sorted(edges.items(), key=lambda e: (rank[e[0][0]], e[0][0], rank[e[0][1]])):
    print(f"{a:13} -> {b:13} {n:3}  {'UP' if rank[b] >= rank[a] else ''}")
print("upward edges:", sum(1 for (a, b) in edges if rank[b] >= rank[a]))
