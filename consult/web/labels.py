"""The names of the domain's codes in the page's language: sections, AI functions, the shipped workflows' stages
(the names are consult/vocabulary.py's; a form's field names are here).

Records keep codes and English titles (`privacy`, "Privacy"); pages show them through these filters:

    {{ section.key | section_name }}    {{ "Privacy" | section_name }}    {{ "monitoring" | function_name }}
    {{ round.stage | stage_name }}      {{ stage.key | stage_name(stage.title) }}
    {{ "workers" | constituency_name }}

A stage of a deployer's own workflow has no translation here: it keeps the title its workflow file gives it.
"""

from __future__ import annotations

from flask import Flask, g, has_request_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from consult.rounds.plan import SECTIONS
from consult.vocabulary import (
    CONSTITUENCY_NAMES,
    FUNCTION_NAMES,
    POLICY_NAMES,
    SECTION_NAMES,
    STAGE_NAMES,
    WORKFLOW_NAMES,
)

#: Form fields named in a refused form's problems (their schema key is what the API reports).
FIELD_NAMES = {
    "body": _l("Comment"), "section": _l("Section"), "channel": _l("Discussion"), "parent_id": _l("Reply to"),
    "text": _l("Text of the position"), "version": _l("Version"), "base_version": _l("Version"),
    "stance": _l("Stance"), "statement": _l("Statement"), "description": _l("What is committed"),
    "owner_organisation_id": _l("Owner"), "kpi": _l("KPI"), "target": _l("Target"), "due_on": _l("Due date"),
    "password": _l("Password"), "digest": _l("Digest"), "reservation": _l("Reservation"), "kind": _l("Kind"),
    "reason": _l("Reason"), "organisation_id": _l("Organisation"), "user_id": _l("Person"),
    "constituency": _l("Constituency"), "identity_policy": _l("Identity policy"), "language": _l("Language"),
    "email": _l("E-mail"), "display_name": _l("Name"), "name": _l("Name"), "country": _l("Country"),
    "role_title": _l("Role title"), "value": _l("Value"), "note": _l("Note"), "evidence": _l("Evidence"),
    "title": _l("Title"), "days": _l("Days"), "hours": _l("Hours"), "_schema": _l("The form"),
}
#: Outcome documents record each section's English title; this finds its key again.
_KEY_OF_TITLE = {title: key for key, title in SECTIONS}


def _translated(names: dict, key: str) -> str:
    """names[key] in the page's language, remembered for the length of a request and per language (a round
    page names the same sections and constituencies a hundred times); outside a request, translated afresh."""
    if not has_request_context():
        return str(names[key])
    memo = g.setdefault("_label_names", {})
    remembered = (id(names), key, str(get_locale()))
    if remembered not in memo:
        memo[remembered] = str(names[key])
    return memo[remembered]


def section_name(key_or_title: str) -> str:
    """A section's name in the page's language, from its key or its recorded English title."""
    key = _KEY_OF_TITLE.get(key_or_title, key_or_title)
    return _translated(SECTION_NAMES, key) if key in SECTION_NAMES else key_or_title


def function_name(key: str) -> str:
    """An algorithmic-management function's name in the page's language."""
    return str(FUNCTION_NAMES[key]) if key in FUNCTION_NAMES else key


def stage_name(key: str, title: str | None = None) -> str:
    """A stage's name in the page's language; a stage of another workflow keeps its own `title` (or key)."""
    return _translated(STAGE_NAMES, key) if key in STAGE_NAMES else (title or key)


def workflow_name(key: str, title: str | None = None) -> str:
    """A shipped workflow's name in the page's language; another workflow keeps its own `title` (or key)."""
    return str(WORKFLOW_NAMES[key]) if key in WORKFLOW_NAMES else (title or key)


def constituency_name(key: object) -> str:
    """A constituency's name in the page's language, from its code or its Constituency member."""
    key = str(getattr(key, "value", key))
    return _translated(CONSTITUENCY_NAMES, key) if key in CONSTITUENCY_NAMES else key


def field_name(key: str) -> str:
    """A form field's label in the page's language, from its schema key ("due_on" -> "Due date")."""
    return str(FIELD_NAMES[key]) if key in FIELD_NAMES else key


def policy_name(key: object) -> str:
    """An identity policy's name in the page's language (named, organisation, pseudonymous)."""
    key = str(getattr(key, "value", key))
    return str(POLICY_NAMES[key]) if key in POLICY_NAMES else key


class LiveNames:
    """The names the live script shows for codes in pushed events, in the page's language (see _live.html)."""

    @staticmethod
    def constituencies() -> dict[str, str]:
        return {key: str(name) for key, name in CONSTITUENCY_NAMES.items()}

    @staticmethod
    def sections() -> dict[str, str]:
        return {key: str(name) for key, name in SECTION_NAMES.items()}

    @staticmethod
    def stages() -> dict[str, str]:
        return {key: str(name) for key, name in STAGE_NAMES.items()}


def register_label_filters(app: Flask) -> None:
    """Make the filters of this module available to every template."""
    app.jinja_env.globals["live_names"] = LiveNames
    app.jinja_env.filters.update(section_name=section_name, function_name=function_name, stage_name=stage_name,
                                 workflow_name=workflow_name, constituency_name=constituency_name,
                                 policy_name=policy_name, field_name=field_name)
