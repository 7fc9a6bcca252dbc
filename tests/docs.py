"""The documentation's pages as the site publishes them: their Markdown after docs/hooks.py has written the
code's tables into it, exactly as `mkdocs build` does (mkdocs.yml names the hook)."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


@cache
def hooks() -> ModuleType:
    """docs/hooks.py, loaded by path: it is MkDocs' hook file, not a package."""
    assert "docs/hooks.py" in (ROOT / "mkdocs.yml").read_text(), "mkdocs.yml no longer runs docs/hooks.py"
    spec = importlib.util.spec_from_file_location("consult_docs_hooks", ROOT / "docs" / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def published(page: str) -> str:
    """A page of docs/ as published: its source with every generated table filled in."""
    return hooks().render((ROOT / "docs" / page).read_text())
