"""How the suite runs, beside the test world of conftest.py: what makes it fast and what keeps it honest.

- The fast tier: tests that need no database, server, browser or renderer are marked `fast` when collected
  (`scripts/test --fast` runs them alone, in seconds).
- No silent skip in CI: with `CI=true` (.ci/run sets it) a test skipped for a missing tool fails.
- The longest tests start first (tests/longest.txt), the fault scenarios run last.
- The test processes hash passwords at argon2id's cheapest cost and compile each URL builder once.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from consult.accounts import services as _accounts
from consult.paths import ROOT

# Passwords are hashed with argon2id at its cheapest cost in the test processes: at the product's cost (64 MiB,
# 3 passes, 4 lanes) hashing was 40 % of a test's time, and no test measures the cost itself except
# tests/accounts/test_password_cost.py, which checks the product's in a fresh process. A hash records its own
# parameters, so a log-in verifies exactly as in production, and servers started as processes use the real cost.
_accounts._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
_accounts._DUMMY_HASH = _accounts._hasher.hash("not anyone's password")



def _share_url_builders() -> None:
    """Compile each distinct URL builder once per test process instead of once per rule of every app.

    A test builds its own app, and werkzeug compiles two Python functions per URL rule when an app is made
    (about 160 rules): that was four fifths of `create_app`'s time. The generated code depends only on the rule's
    trace, its defaults and `append_unknown`, and reads the rule's converters through `self` when called, so one
    compiled function serves every rule of that shape.
    """
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    compiled: dict[tuple, object] = {}

    def shared(self, append_unknown: bool = True):
        converters = tuple((name, type(converter).__name__) for name, converter in self._converters.items())
        key = (tuple(self._trace), converters, repr(sorted((self.defaults or {}).items())), append_unknown)
        if key not in compiled:
            compiled[key] = compile_builder(self, append_unknown)
        return compiled[key]

    Rule._compile_builder = shared


_share_url_builders()


# Tests that need neither a database, nor a server, nor a browser: the engine, the policy rules, schemas and
# vocabulary. They are marked `fast` when collected (`scripts/test --fast` runs them alone, in seconds).
_HEAVY_FIXTURES = {"backend", "database_url", "app", "postgres_database", "postgres_factory", "sqlite_template",
                   "full_world_snapshot", "world_database", "form_world_snapshot",
                   "form_world_database", "live_server", "compiled_catalogues"}
_HEAVY_FOLDERS = {"browser", "resilience", "live", "documents"}  # browsers, servers, renderers, signers
_HEAVY_FILES = {"test_quickstart.py", "test_ci_guard.py", "test_password_cost.py", "test_migrations.py",
                "test_outcome_pdf.py", "test_migration_0018.py", "test_cooperative.py", "test_verification.py",
                "test_signed_pdf.py", "test_concurrent_signing.py"}  # render and sign PDFs, in processes too
#: Names of tests that render or sign a PDF, wherever they are.
_HEAVY_WORDS = ("pdf",)


def _is_fast(item) -> bool:
    parts = Path(str(item.path)).relative_to(ROOT / "tests").parts
    return (not _HEAVY_FIXTURES.intersection(getattr(item, "fixturenames", ()))
            and not _HEAVY_FOLDERS.intersection(parts[:-1]) and parts[-1] not in _HEAVY_FILES
            and not any(word in item.name.lower() for word in _HEAVY_WORDS))


def _longest() -> dict[str, float]:
    """tests/longest.txt: the longest tests' seconds, by test function (path::name)."""
    rows = (line.split(None, 1) for line in (ROOT / "tests" / "longest.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#"))
    return {name.strip(): float(seconds) for seconds, name in rows}


def pytest_collection_modifyitems(config, items):
    """Mark the fast tier; start the longest tests first and run the fault scenarios last.

    With the workers taking one test at a time (scripts/test: --maxschedchunk 1), the longest first means no
    two-minute test starts when the others are nearly done: the run ends when its work does.
    """
    for item in items:
        if _is_fast(item):
            item.add_marker(pytest.mark.fast)
    seconds = _longest()
    items.sort(key=lambda item: (item.get_closest_marker("faults") is not None,
                                 -seconds.get(item.nodeid.split("[", 1)[0], 0.0)))


# In CI (`CI=true`, which .ci/run sets) a guarantee test may not turn into a skip because a tool is missing
# (Chromium, nginx, the Node clients, PostgreSQL, Redis, poppler): the skip is reported as a failure. A test that
# is skipped on purpose whatever the machine (the same check on the other database) says "by design:".
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
BY_DESIGN = "by design:"


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    return str(longrepr[2]) if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = _skip_reason(report)
        if BY_DESIGN not in reason:
            report.outcome = "failed"
            report.longrepr = f"CI=true: this test would have been skipped, and in CI that is a failure: {reason}"
