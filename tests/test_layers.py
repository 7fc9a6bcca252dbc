"""The layers of docs/layers.md hold: import-linter keeps the contracts of .importlinter, every module of
consult/ has its place in them, and no import cycle runs through consult/.

A missing tool fails these tests (import-linter and grimp are in the `test` extra); they never skip."""

from __future__ import annotations

import configparser
import subprocess
import sys
from pathlib import Path

import grimp

from consult.paths import ROOT

#: The root package's `__init__` is no layer: its `create_app` is only a shortcut to consult.app.
UNLAYERED = {"consult"}


def _graph() -> grimp.ImportGraph:
    return grimp.build_graph("consult", exclude_type_checking_imports=True)  # as .importlinter reads it


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[module])
            if low[module] == index[module]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _layered_modules() -> set[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    names = set()
    for line in config["importlinter:contract:layers"]["layers"].split("\n"):
        for name in line.replace("|", ":").split(":"):
            if name.strip():
                names.add(name.strip().strip("()"))
    return names


def test_lint_imports_keeps_every_contract():
    tool = Path(sys.executable).parent / "lint-imports"
    assert tool.exists(), "import-linter is missing: pip install -e '.[test]'"
    done = subprocess.run([str(tool), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_import_cycle_runs_through_consult():
    assert _cycles(_graph()) == []


def test_every_module_of_consult_has_a_layer():
    graph, layered = _graph(), _layered_modules()

    def placed(module: str) -> bool:
        return any(module == name or module.startswith(name + ".") for name in layered)

    packages = {m for m in graph.modules if graph.find_children(m)}
    # A package's `__init__` that imports nothing of consult needs no line of its own (its modules have theirs).
    bare = {p for p in packages if not graph.find_modules_directly_imported_by(p)}
    missing = sorted(m for m in graph.modules if not placed(m) and m not in bare | UNLAYERED)
    assert missing == [], f"add these to a layer of .importlinter: {missing}"


def test_the_cycle_check_finds_a_cycle():
    graph = _graph()
    graph.add_import(importer="consult.db", imported="consult.events.dispatcher")
    assert ["consult.db", "consult.events.dispatcher", "consult.events.models"] in _cycles(graph)
