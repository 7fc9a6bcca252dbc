"""Promise 7: no stored or served file name, nor the ASCII fallback of Content-Disposition, holds a path separator
or a `..` segment after NFKC, nor a character that reads as one. Unicode's confusables.txt (UTS #39) maps each
of these to / or \\ (NFKC leaves them): a person, or a tool that folds confusables, takes them for folders."""

from __future__ import annotations

import re
import unicodedata

import pytest

from tests.factories import tripartite
from tests.package.files import PDF
from tests.package.helpers import attach, upload

#: Confusables of / and \ that consult/package/inspect.py's LOOKALIKE_SEPARATORS does not list.
UNLISTED = {"box drawings light diagonal (U+2571)": "a\u2571..\u2571b.pdf",
            "box drawings light diagonal (U+2572)": "a\u2572..\u2572b.pdf",
            "mathematical rising diagonal (U+27CB)": "a\u27cb..\u27cbb.pdf",
            "mathematical falling diagonal (U+27CD)": "a\u27cd..\u27cdb.pdf",
            "philippine single punctuation (U+1735)": "a\u1735..\u1735b.pdf"}
#: The classes the promise names, each in a `..` escape, and two dot leaders that NFKC makes "..".
NAMED = {"full-width": "..\uff0f..\uff0fx.pdf", "reverse": "..\\..\\x.pdf", "division": "..\u2215x.pdf",
         "fraction": "..\u2044x.pdf", "two-dot leader": "\u2025\uff0fx.pdf", "set minus": "a\u2216..\u2216x.pdf",
         "one-dot leaders": "x\u2024\u2024\u2215y.pdf"}


def _served_names(api, world) -> list[str]:
    """Every name the package shows: the stored name, and each download's Content-Disposition names."""
    client = api(world["employer"])
    names = []
    for document in client.get(f"/rounds/{world['round'].id}/package").get_json()["documents"]:
        for version in document["versions"]:
            names.append(version["filename"])
            header = client.get(version["download"].removeprefix("/api/v1")).headers["Content-Disposition"]
            names.append(re.search(r'filename="([^"]*)"', header)[1])
    return names


def _unsafe(name: str) -> bool:
    folded = unicodedata.normalize("NFKC", name)
    parts = re.split(r"[/\\\u2044\u2215\u2216\u2571\u2572\u27cb\u27cd\u1735\u29f5\u29f8\u29f9]", folded)
    return len(parts) > 1 or ".." in parts


@pytest.mark.parametrize("case", list(NAMED))
def test_named_separators_never_reach_a_stored_or_served_name(make, api, case):
    world = tripartite(make, stage="draft")
    response = attach(api(world["employer"]), world["round"].id, NAMED[case], PDF)
    assert response.status_code in (201, 422), response.get_json()
    assert not [name for name in _served_names(api, world) if _unsafe(name)]


@pytest.mark.parametrize("case", UNLISTED)
def test_unlisted_confusables_of_a_separator_are_refused(make, api, case):
    world = tripartite(make, stage="draft")
    response = attach(api(world["employer"]), world["round"].id, UNLISTED[case], PDF)
    assert response.status_code == 422, (case, response.status_code, _served_names(api, world))


def test_a_new_versions_name_is_checked_like_the_first(make, api):
    world = tripartite(make, stage="draft")
    client = api(world["employer"])
    assert attach(client, world["round"].id, "plan.pdf", PDF).status_code == 201
    [document] = client.get(f"/rounds/{world['round'].id}/package").get_json()["documents"]
    for name in NAMED.values():
        response = upload(client, f"/rounds/{world['round'].id}/package/documents/{document['id']}/versions",
                          name, PDF)
        assert response.status_code in (201, 422)
    assert not [name for name in _served_names(api, world) if _unsafe(name)]
