"""MkDocs hook: the tables the code holds are written into the pages when the site is built, never pasted.

A page asks for a table with a marker line, `<!-- generated: NAME -->`; `on_page_markdown` replaces it with
the table as the code renders it today:

- `consult.rounds.governance.markdown_table()`: the rule table (docs/rules.md);
- `consult.events.catalogue.markdown_table()`: the event types (docs/events.md);
- `settings`: every setting and its environment variable (docs/settings.md), from
  `consult.settings.markdown_table()` (the typed settings) where the code has it, else from
  `consult.config.ENVIRONMENT` and `DEFAULTS`.

A marker whose table the code is about to provide (`PENDING`) is replaced by a note saying so; any other
marker no code answers stops the build. While the settings come from `ENVIRONMENT`,
a variable the page's own text never names is a warning, which `--strict` turns into a failure: the page
cannot fall behind the code. The tests call `render` on a page's source (tests/rounds/test_governance_table.py).
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.hooks.consult")

#: Tables the code is about to provide (issue 25): until it does, their page says so instead of failing.
#: Any other marker whose table is missing fails the build. Remove an entry once its module is merged.
PENDING: frozenset[str] = frozenset()  # every table the docs name now exists in the code
MARKER = re.compile(r"^<!-- generated: (?P<name>[^>]+?) -->$", re.MULTILINE)
ROOT = Path(__file__).resolve().parents[1]


def _module(name: str) -> Any | None:
    """The module, or None where the code does not have it (yet)."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as missing:
        if missing.name and name.startswith(missing.name):
            return None
        raise


def _settings_table_function() -> Callable[[], str] | None:
    """The typed settings' own table (`consult.settings.markdown_table`), where the code has it."""
    module = _module("consult.settings")
    function = getattr(module, "markdown_table", None)
    return function if callable(function) else None


def _shown(value: object) -> str:
    """A default as the page shows it, in code: paths inside the checkout relative to it."""
    text = str(value)
    if text.startswith(str(ROOT)):
        text = text[len(str(ROOT)):].lstrip("/") + "/"
    return f"`{text}`"


def environment_table() -> str:
    """Every CONSULT_* variable the code reads, the setting it fills and that setting's default."""
    from consult.config import DEFAULTS, ENVIRONMENT  # late: the hook imports consult only when building

    lines = ["| variable | setting | default in the code |", "|---|---|---|"]
    for variable, key in ENVIRONMENT.items():
        lines.append(f"| `{variable}` | `{key}` | {_shown(DEFAULTS.get(key))} |")
    return "\n".join(lines)


def settings_table() -> str:
    """The settings table: the typed settings' own, else the one read off `ENVIRONMENT`."""
    typed = _settings_table_function()
    return str(typed()) if typed is not None else environment_table()


def _missing(module: str) -> str:
    return (f"!!! note \"Not in this build\"\n    `{module}` is not in the code yet; "
            "this table appears here when it is.\n")


def table(name: str) -> str:
    """The Markdown a marker stands for."""
    if name == "settings":
        return settings_table()
    module_name, _, call = name.removesuffix("()").rpartition(".")
    if not module_name.startswith("consult.") or not call:
        raise ValueError(f"no table is called {name!r}")
    module = _module(module_name)
    if module is None and module_name in PENDING:
        return _missing(module_name)
    function = getattr(module, call, None)
    if not callable(function):
        raise ValueError(f"the code has no {name}: the page's marker names a table that does not exist")
    return str(function())


def undocumented_variables(markdown: str) -> list[str]:
    """The CONSULT_* variables the code reads that a page's own text never names (settings from ENVIRONMENT)."""
    if _settings_table_function() is not None:
        return []
    from consult.config import ENVIRONMENT  # late: as above

    own = MARKER.sub("", markdown)
    return [variable for variable in ENVIRONMENT if f"`{variable}`" not in own]


def render(markdown: str) -> str:
    """A page's Markdown with every marker replaced by its table."""
    return MARKER.sub(lambda match: table(match.group("name").strip()), markdown)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """MkDocs' page event: fill the markers, and warn (an error under --strict) where settings are undocumented."""
    if "<!-- generated: settings -->" in markdown:
        for variable in undocumented_variables(markdown):
            log.warning("%s: %s is read by consult.config but not described on the page",
                        page.file.src_uri, variable)
    return render(markdown)
