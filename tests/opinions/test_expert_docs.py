"""docs/legal/experts.md stays in step with the tests: it opens with the lawyer's-check warning and every test it
names exists."""

from __future__ import annotations

import re

from consult.paths import ROOT


def test_every_test_the_experts_legal_table_names_exists():
    text = (ROOT / "docs" / "legal" / "experts.md").read_text()
    assert "Needs a lawyer's check" in text.split("|", 1)[0]
    assert "| Requirement (article) | What consult does | Test |" in text
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", text)
    assert len(named) >= 10
    for path, test in named:
        assert re.search(rf"^def {test}\(", (ROOT / path).read_text(), re.M), f"{path}::{test} is not a test"
