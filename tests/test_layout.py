"""The package's shape: no module of consult/ is over 300 lines, so each file holds one thing and reads whole."""

from __future__ import annotations

from pathlib import Path

import consult

PACKAGE = Path(consult.__file__).resolve().parent
MAX_LINES = 300


def test_no_module_of_consult_is_over_300_lines():
    lengths = {path.relative_to(PACKAGE.parent).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
               for path in sorted(PACKAGE.rglob("*.py"))}
    assert len(lengths) > 50, "the package's modules were not found"
    too_long = {name: count for name, count in lengths.items() if count > MAX_LINES}
    assert not too_long, f"split along their seams: {too_long}"
