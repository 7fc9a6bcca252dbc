"""The resilience suite's report: one line per scenario (what was done, what was checked, the figure, pass or
fail), written to resilience-report.md at the end of the run (an artifact, not committed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from consult import ROOT

_LINES: dict[str, dict] = {}


@pytest.fixture
def scenario(request):
    """`scenario(done=..., checked=..., figure=...)` describes the running test's line in the report."""
    entry = {"name": request.node.name, "done": "", "checked": "", "figure": ""}

    def describe(*, done: str, checked: str, figure: str = "") -> None:
        entry.update(done=done, checked=checked, figure=figure)

    _LINES[request.node.nodeid] = entry
    return lambda **kwargs: describe(**kwargs)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    entry = _LINES.get(item.nodeid)
    if entry is not None and (report.when == "call" or report.failed or report.skipped):
        if report.when == "call" or "result" not in entry:
            entry["result"] = "skipped" if report.skipped else ("pass" if report.passed else "FAIL")


def pytest_sessionfinish(session, exitstatus):
    if not _LINES:
        return
    rows = ["# Resilience report", "", "| scenario | what was done | what was checked | figure | result |",
            "|---|---|---|---|---|"]
    for entry in _LINES.values():
        cells = [entry["name"], entry["done"], entry["checked"], entry["figure"], entry.get("result", "not run")]
        rows.append("| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |")
    Path(ROOT / "resilience-report.md").write_text("\n".join(rows) + "\n")
