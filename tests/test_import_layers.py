"""Which code may import which: `annotation` owns the core records and never imports `selection`;
no module imports one that imports it back.

Read from the source (every import statement, in functions too), so an import that only runs
on some request is checked as well."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("annotation", "selection", "config")


def modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
                found[name.removesuffix(".__init__")] = path
    return found


def imports(path: Path) -> list[tuple[str, bool]]:
    """(what each import statement names, whether it runs at import time) of one file."""
    tree = ast.parse(path.read_text())
    top = {id(node) for node in tree.body}
    named = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            named += [(alias.name, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            named += [(f"{node.module}.{a.name}", id(node) in top) for a in node.names]
    return named


def graph() -> dict[str, set[str]]:
    """Module → the modules it imports. A service imports its app's Celery task inside the
    function that enqueues it (the task module imports the service): that edge is left out."""
    known = modules()
    edges: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        for target, at_import in imports(path):
            while target and target not in known:  # `from a.b import c`: c may be a name in a.b
                target = target.rpartition(".")[0]
            if target and target != name and (at_import or not target.endswith(".tasks")):
                edges[name].add(target)
    return edges


def a_cycle(edges: dict[str, set[str]]) -> list[str]:
    """One import cycle as a list of modules, or [] when there is none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return []

    for start in sorted(edges):
        if start not in state and (found := visit(start)):
            return found
    return []


def test_annotation_never_imports_selection():
    offenders = [
        f"{name} imports {target}"
        for name, path in modules().items()
        if name.startswith("annotation")
        for target, _ in imports(path)
        if target.split(".")[0] == "selection"
    ]
    assert offenders == []


def test_no_module_imports_one_that_imports_it_back():
    assert a_cycle(graph()) == []


def test_the_cycle_check_finds_a_cycle():
    assert a_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
