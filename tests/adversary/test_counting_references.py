"""Issue 29 against the references a URL may name: can a party count what went to a caucus it does not read?

Comments, package documents and releases are shown by opaque public ids, but every route that names one also
takes the row id of "an old link" (consult/public_ids.py, `by_reference`). Row ids count across audiences. The
attacker probes small integers on routes any participant uses and notes where its own, visible items answer:
if the numbers at which they answer have holes, the attacker counted the other side's caucus items between
them. Found on 8e7ae12 (each test failed with Counted there); since migration 0024 a row id opens only a row that
links or events named by number before public ids, so on a log begun since, no row id opens anything.

Three pairs are played: a worker and a government representative against the employers' caucus, and an
employer against the workers' caucus.
"""

from __future__ import annotations

import pytest

from tests.factories import log_in, tripartite
from tests.package.files import PDF
from tests.package.helpers import attach

#: (who probes, whose caucus is busy)
SIDES = [("worker", "employer"), ("government", "employer"), ("employer", "worker")]
PROBES = range(1, 13)
COMMENTS = ("GET /api/v1/rounds/<r>/comments/<row id>, the comment's fragment and reply pages and the round page's "
            "?before= resolve row ids: a party finds its visible comments at 1 and 5 and counts the 3 comments of a "
            "caucus it does not read between them")
DOCUMENTS = ("GET /api/v1/rounds/<r>/package/documents/<row id>/versions/1/file (and the page's download) resolve "
             "row ids: a party downloads the all-party documents at 1 and 3 and learns that a document went to a "
             "caucus it does not read (or waits unreleased) between them")
RELEASES = ("POST /api/v1/rounds/<r>/package/releases/<row id>/acknowledgement resolves row ids: a party "
            "acknowledges the all-party releases at 1 and 3 and learns that a release went to a caucus it does "
            "not read between them (the numbers shown, 1 and 2, hold)")


class Counted(AssertionError):
    """The attacker counted items it may not see (only this failure is the documented finding: a broken set-up
    fails the test for real)."""


def _no_holes(found: list[int], what: str) -> None:
    """Raise Counted if the numbers at which the attacker's visible items answered have holes."""
    assert len(found) >= 2 or not found, found
    holes = [(a, b) for a, b in zip(found, found[1:], strict=False) if b - a != 1]
    if holes:
        raise Counted(f"visible {what} answer at {found}: the holes are another caucus's {what}")


@pytest.mark.parametrize(("attacker", "busy"), SIDES)
def test_comment_references_leave_no_hole_where_another_caucus_commented(app, make, api, attacker, busy):
    world = tripartite(make)
    round_id = world["round"].id
    mine = api(world[attacker])
    seen = [mine.post(f"/rounds/{round_id}/comments", json={"section": "system", "body": "Plenary, first"})]
    other = api(world[busy])
    for n in range(3):
        assert other.post(f"/rounds/{round_id}/comments", json={
            "section": "system", "body": f"Caucus only {n}", "channel": "caucus"}).status_code == 201
    seen.append(mine.post(f"/rounds/{round_id}/comments", json={"section": "system", "body": "Plenary, second"}))
    assert [response.status_code for response in seen] == [201, 201]

    pages = app.test_client()
    log_in(pages, world[attacker])
    for path in (f"/api/v1/rounds/{round_id}/comments/{{}}", f"/rounds/{round_id}/comments/{{}}/fragment",
                 f"/rounds/{round_id}/comments/{{}}/reply", f"/rounds/{round_id}?section=system&before={{}}"):
        client = mine.client if path.startswith("/api/v1") else pages
        headers = mine.headers if client is mine.client else {}
        found = [k for k in PROBES if client.get(path.format(k), headers=headers).status_code == 200]
        _no_holes(found, "comments")
        assert found == [], found  # none of these rows was ever named by its row id


@pytest.mark.parametrize("attacker", ["worker", "government"])
def test_document_references_leave_no_hole_where_a_caucus_document_went(app, make, api, attacker):
    world = tripartite(make)
    round_id = world["round"].id
    employer = api(world["employer"])
    assert attach(employer, round_id, "system.pdf", PDF, title="System description").status_code == 201
    assert attach(employer, round_id, "margins.pdf", PDF + b"%caucus\n", title="Margins",
                  caucus="employers").status_code == 201
    assert attach(employer, round_id, "dpia.pdf", PDF + b"%dpia\n", title="DPIA").status_code == 201
    assert employer.post(f"/rounds/{round_id}/package/release").status_code == 201
    mine = api(world[attacker])
    assert [d["title"] for d in mine.get(f"/rounds/{round_id}/package").get_json()["documents"]] == [
        "System description", "DPIA"]

    pages = app.test_client()
    log_in(pages, world[attacker])
    for get in (mine.client.get, pages.get):  # the API's download, then the page's
        headers = mine.headers if get == mine.client.get else {}
        prefix = "/api/v1" if headers else ""
        found = [k for k in PROBES if get(f"{prefix}/rounds/{round_id}/package/documents/{k}/versions/1/file",
                                         headers=headers).status_code == 200]
        _no_holes(found, "documents")
        assert found == [], found  # none of these rows was ever named by its row id


@pytest.mark.parametrize("attacker", ["worker", "government"])
def test_release_references_leave_no_hole_where_a_caucus_release_went(app, make, api, attacker):
    world = tripartite(make)
    round_id = world["round"].id
    employer = api(world["employer"])
    assert attach(employer, round_id, "system.pdf", PDF, title="System description").status_code == 201
    assert employer.post(f"/rounds/{round_id}/package/release").status_code == 201
    assert attach(employer, round_id, "margins.pdf", PDF + b"%caucus\n", title="Margins",
                  caucus="employers").status_code == 201
    assert employer.post(f"/rounds/{round_id}/package/release").status_code == 201
    assert attach(employer, round_id, "dpia.pdf", PDF + b"%dpia\n", title="DPIA").status_code == 201
    assert employer.post(f"/rounds/{round_id}/package/release").status_code == 201
    mine = api(world[attacker])
    assert [r["number"] for r in mine.get(f"/rounds/{round_id}/package").get_json()["releases"]] == [1, 2]

    found = [k for k in PROBES
             if mine.post(f"/rounds/{round_id}/package/releases/{k}/acknowledgement").status_code != 404]
    _no_holes(found, "releases")
    assert found == [], found  # none of these rows was ever named by its row id
