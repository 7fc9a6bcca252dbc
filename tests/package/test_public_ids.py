"""No counters across audiences: what a worker obtains about the package (API, pages, the event log) names
documents and releases by opaque ids, so it cannot count what went to a caucus it does not read.

The world: the employer releases, in this order, a document for every party, two documents for the
employers' caucus (each in a release of its own), then a second document for every party. Row ids would run
1, 2, 3, 4 for both documents and releases; a worker who saw releases 1 and 4 would know that two went
elsewhere. What the worker may see is counted by hand: two all-party releases, numbered 1 and 2 (the
numbering of their own audience), and two documents.
"""

from __future__ import annotations

import re

from consult.rounds.models import Round
from tests.factories import log_in, tripartite
from tests.package.files import PDF
from tests.package.helpers import attach

#: An opaque id: "d" (document) or "r" (release), then 80 random bits in lower-case base32.
OPAQUE = re.compile(r"^[dr][a-z2-7]{16}$")


def _release(api, employer, round_id: int) -> None:
    assert api(employer).post(f"/rounds/{round_id}/package/release").status_code == 201


def _world(make, api):
    world = tripartite(make, stage="information")
    round_id, employer = world["round"].id, world["employer"]
    plan = [("everyone-1.pdf", None), ("margins-1.pdf", "employers"), ("margins-2.pdf", "employers"),
            ("everyone-2.pdf", None)]
    for number, (filename, caucus) in enumerate(plan):
        answer = attach(api(employer), round_id, filename, PDF + f"%{number}\n".encode(), title=filename,
                        caucus=caucus)
        assert answer.status_code == 201, answer.get_json()
        _release(api, employer, round_id)
    return world


def _events(api, user, round_id: int) -> list[dict]:
    return [e for e in api(user).get(f"/rounds/{round_id}/events?limit=500").get_json()["items"]
            if e["type"].startswith(("package.", "document."))]


def test_a_worker_cannot_count_package_items_sent_to_a_caucus_it_does_not_read(make, api, app):
    world = _world(make, api)
    round_id, worker = world["round"].id, world["worker"]
    package = api(worker).get(f"/rounds/{round_id}/package").get_json()
    assert [d["title"] for d in package["documents"]] == ["everyone-1.pdf", "everyone-2.pdf"]
    assert [r["number"] for r in package["releases"]] == [1, 2]  # their audience's own numbering
    named = [d["id"] for d in package["documents"]] + [r["id"] for r in package["releases"]]
    named += [v["release_id"] for d in package["documents"] for v in d["versions"]]
    named += package["awaiting_my_acknowledgement"]
    for event in _events(api, worker, round_id):
        payload = event["payload"]
        named += [payload[k] for k in ("release_id", "document_id") if k in payload]
        named += [d["document_id"] for d in payload.get("documents", [])]
    assert named and all(isinstance(n, str) and OPAQUE.match(n) for n in named), named
    # The pages link to what the worker may open by the same opaque ids, and by no number.
    pages = app.test_client()
    log_in(pages, worker)
    html = pages.get(f"/rounds/{round_id}/package").get_data(as_text=True)
    linked = re.findall(r"/package/(?:documents|releases)/([^/\"]+)/", html)
    assert linked and all(OPAQUE.match(n) for n in linked), linked
    assert set(linked) <= set(named)


def test_an_old_row_id_link_opens_only_what_the_viewer_may_see(make, api):
    """Links made before public ids carry row ids: they still open, for the viewer who may see the row; a
    caucus row answers as a row that never existed."""
    from consult.public_ids import LegacyRowIds

    world = _world(make, api)
    round_id, worker, employer = world["round"].id, world["worker"], world["employer"]
    for number in (1, 2, 3, 4):  # newer rows were never named by row id: none opens by it
        assert api(worker).post(f"/rounds/{round_id}/package/releases/{number}/acknowledgement").status_code == 404
    assert api(worker).get(f"/rounds/{round_id}/package/documents/1/versions/1/file").status_code == 404
    with make.db.transaction() as session:  # as migration 0024 finds them in a log written before public ids
        session.merge(LegacyRowIds(table_name="package_documents", last_id=4))
        session.merge(LegacyRowIds(table_name="package_releases", last_id=4))
    # Row ids by hand: documents and releases were made in the order of the plan, 1 to 4.
    assert api(worker).get(f"/rounds/{round_id}/package/documents/1/versions/1/file").status_code == 200
    assert api(employer).get(f"/rounds/{round_id}/package/documents/2/versions/1/file").status_code == 200
    for hidden, missing in (("2", "99"), ("3", "98")):
        assert api(worker).get(f"/rounds/{round_id}/package/documents/{hidden}/versions/1/file").status_code \
            == api(worker).get(f"/rounds/{round_id}/package/documents/{missing}/versions/1/file").status_code == 404
        assert api(worker).post(f"/rounds/{round_id}/package/releases/{hidden}/acknowledgement").status_code \
            == api(worker).post(f"/rounds/{round_id}/package/releases/{missing}/acknowledgement").status_code \
            == 404
    assert api(worker).post(f"/rounds/{round_id}/package/releases/4/acknowledgement").status_code == 201
    for odd in ("9" * 40, "x" * 300, "d" + "a" * 16, "%2e%2e"):
        assert api(worker).get(f"/rounds/{round_id}/package/documents/{odd}/versions/1/file").status_code == 404
    with make.db.transaction(write=False) as session:
        assert session.get(Round, round_id) is not None
