"""The legal profiles' documentation stays in step with the tests: every row of every table in docs/legal/*.md
names at least one test, and every test it names exists (read with `ast`, without importing the test files)."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = "| Requirement (article) | What consult does | Test |"
NODE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


@cache
def _tests_in(path: str) -> frozenset[str]:
    """The test functions of a test file, module-level and in classes (`Class::test` too)."""
    tree = ast.parse((ROOT / path).read_text())
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
            names.add(node.name)
        if isinstance(node, ast.ClassDef):
            names.update(f"{node.name}::{item.name}" for item in node.body
                         if isinstance(item, ast.FunctionDef) and item.name.startswith("test"))
    return frozenset(names)


def table_rows(text: str) -> list[list[str]]:
    """The rows of every requirement table of a document, as cells."""
    rows, inside = [], False
    for line in text.splitlines():
        if line.strip() == HEADER:
            inside = True
            continue
        if inside and re.fullmatch(r"\|[-| ]+\|", line.strip()):
            continue
        if inside and line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split(" | ")])
        else:
            inside = False
    return rows


def problems_of(path: Path) -> list[str]:
    """What is wrong with one document: no warning, no table, a row with no test, a test that does not exist."""
    text = path.read_text()
    problems = []
    if "needs a lawyer's check" not in text[:400].lower():
        problems.append(f"{path.name}: the \"needs a lawyer's check\" warning must open the document")
    rows = table_rows(text)
    if not rows:
        problems.append(f"{path.name}: no table headed {HEADER}")
    for row in rows:
        if len(row) != 3:
            problems.append(f"{path.name}: a row does not have three cells: {row}")
            continue
        named = NODE.findall(row[2])
        # A requirement consult does not model says so in its row ("Not modelled ...", test "none ..."): an
        # honest gap for a lawyer to read, never a silent one.
        gap = row[2].strip().lower().startswith("none") and row[1].strip().lower().startswith("not modelled")
        if not named and not gap:
            problems.append(f"{path.name}: {row[0]!r} names no test")
        for file, test in named:
            if not (ROOT / file).is_file():
                problems.append(f"{path.name}: {row[0]!r}: no file {file}")
            elif test not in _tests_in(file):
                problems.append(f"{path.name}: {row[0]!r}: no test {file}::{test}")
    return problems


def test_every_legal_requirement_row_names_tests_that_exist():
    documents = sorted(path for path in (ROOT / "docs" / "legal").glob("*.md") if path.name != "README.md")
    assert documents, "docs/legal/ holds one document per legal profile"
    problems = [problem for path in documents for problem in problems_of(path)]
    assert problems == []


def test_the_checker_catches_a_missing_test_and_a_row_with_none(tmp_path):
    broken = tmp_path / "broken.md"
    broken.write_text(f"> Needs a lawyer's check.\n\n{HEADER}\n|---|---|---|\n"
                      "| A (art. 1) | does A | `tests/test_legal_docs.py::test_that_does_not_exist` |\n"
                      "| B (art. 2) | does B | nothing yet |\n")
    assert problems_of(broken) == [
        "broken.md: 'A (art. 1)': no test tests/test_legal_docs.py::test_that_does_not_exist",
        "broken.md: 'B (art. 2)' names no test"]
