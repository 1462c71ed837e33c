"""The structure the code promises in docs/architecture.md: no import cycles between files,
every hook connected. (The layers themselves are checked by ``lint-imports`` in CI.)"""

import grimp
import pytest

from foerderportal import hooks

PACKAGES = (
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
)


def import_cycles(graph):
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        cycles.append(sorted(component))
    return cycles


def test_no_import_cycles_between_files():
    graph = grimp.build_graph(*PACKAGES, include_external_packages=False, cache_dir=None)
    assert import_cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for module in ("a.services", "a.tasks", "a.views"):
        graph.add_module(module)
    graph.add_import(importer="a.services", imported="a.tasks")
    graph.add_import(importer="a.tasks", imported="a.services")
    graph.add_import(importer="a.views", imported="a.services")
    assert import_cycles(graph) == [["a.services", "a.tasks"]]


@pytest.mark.parametrize("hook", hooks.ALL, ids=lambda hook: hook.name)
def test_every_hook_has_its_receiver(hook):
    # Each hook is filled in by the app above in AppConfig.ready(); an unconnected hook means a lost reaction.
    assert hook.receivers, f"{hook.name} has no receiver: check the higher app's AppConfig.ready()"
