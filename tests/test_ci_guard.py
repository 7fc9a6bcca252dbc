"""In CI a guarantee test never turns into a silent skip: a skip for a missing tool fails the run."""

import os
import subprocess
import sys

from consult.paths import ROOT


def _run(ci: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-rA", "tests/ci_guard_sample.py"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    return done.stdout.splitlines()[-1]


def test_in_ci_a_skip_for_a_missing_tool_fails_and_a_skip_by_design_stays_a_skip():
    assert "1 failed, 1 skipped" in _run("true")


def test_outside_ci_a_missing_tool_is_a_skip():
    assert "2 skipped" in _run(None)
