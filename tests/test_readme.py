"""The README is what a newcomer reads first: under 150 lines, the two quick-start commands before anything
else, and every page it points to in docs/ exists (issue 25; the rest of the documentation is the site)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
COMMANDS = ["python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/consult serve --demo", "scripts/test"]


def test_the_readme_is_under_150_lines():
    assert len(README.splitlines()) < 150


def test_the_readme_opens_with_the_two_quick_start_commands():
    sections = README.split("\n## ")
    assert sections[1].startswith("Quick start\n"), "the first section after the introduction is the quick start"
    assert re.findall(r"^```\w*\n(.*?)\n```$", sections[1], re.MULTILINE | re.DOTALL) == COMMANDS


def test_every_page_the_readme_points_to_exists():
    links = re.findall(r"\]\((docs/[^)#]+)", README)
    assert links, "the README says where the documentation is"
    assert [link for link in links if not (ROOT / link).is_file()] == []
