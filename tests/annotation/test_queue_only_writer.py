"""annotation/queue is the one writer of leases, labels and a pair's status: no other module of
the product creates, bulk-inserts or updates them (reads are anyone's)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("annotation", "selection", "config")
QUEUE = ROOT / "annotation" / "queue"
WRITES = {"create", "bulk_create", "update", "delete", "get_or_create", "update_or_create"}
# A pair's fields only the queue may change (others, such as its rendering, are anyone's).
PAIR_QUEUE_FIELDS = {"status"}


def _root(node: ast.AST) -> str:
    """The name a chain of calls and attributes starts from: `Label` in
    `Label.objects.live().filter(...).update(...)`."""
    while isinstance(node, ast.Call | ast.Attribute):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else ""


def _writes(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("Label", "Assignment", "BulkInsert"):
            first = node.args[0] if node.args else None
            if func.id != "BulkInsert" or (isinstance(first, ast.Name) and first.id == "Label"):
                found.append((node.lineno, func.id))
        if not isinstance(func, ast.Attribute) or func.attr not in WRITES:
            continue
        root = _root(func.value)
        keywords = {k.arg for k in node.keywords}
        if root in ("Label", "Assignment") or (root == "Pair" and keywords & PAIR_QUEUE_FIELDS):
            found.append((node.lineno, f"{root}...{func.attr}"))
    return found


def writers_outside_the_queue(root: Path = ROOT) -> list[str]:
    out = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts or (root / "annotation" / "queue") in path.parents:
                continue
            for line, what in _writes(ast.parse(path.read_text(), str(path))):
                out.append(f"{path.relative_to(root)}:{line}: {what}")
    return out


def test_only_the_queue_writes_leases_labels_and_pair_status():
    assert writers_outside_the_queue() == []


def test_the_check_finds_a_write_outside_the_queue(tmp_path):
    module = tmp_path / "selection" / "rogue.py"
    module.parent.mkdir()
    module.write_text(
        "def f(ids):\n"
        "    Label.objects.bulk_create([Label(pair_id=1, choice='a')])\n"
        "    Pair.objects.filter(id__in=ids).update(status='complete')\n"
        "    Assignment.objects.filter(id=1).update(state='released')\n"
        "    Pair.objects.filter(id__in=ids).update(priority=1.0)\n"
    )
    found = writers_outside_the_queue(tmp_path)
    assert sorted(entry.split(": ")[1] for entry in found) == [
        "Assignment...update",
        "Label",
        "Label...bulk_create",
        "Pair...update",
    ]
