"""Issue 29 in the outcome: the document every party signs (and the registry publishes) counts nothing of a caucus.

The outcome document is built from the round as it stands (positions, stances, participants and how many of
each organisation commented, the information package with its release numbers, experts, opinions); its HTML
is what the PDF prints, with the annex of plenary comments that the annexed export adds. Built before and
after the other side's caucus works (comments, a reply, an edit, a reaction and, on the employers' side, a
caucus document with two releases, a draft document and a draft version), the document and its printed text
are the same, so no number in it (a release number, a version, a count of commenters) moved with that caucus.
"""

from __future__ import annotations

import json

import pytest

from consult.documents.render import render_html
from consult.outcomes.exports import plenary_annex
from consult.outcomes.snapshot import build_document, public_document
from consult.rounds.models import Round
from tests.adversary.test_counting_every_path import _busy
from tests.factories import ApiClient, tripartite
from tests.package.files import PDF
from tests.package.helpers import attach


def _outcome(make, round_id: int) -> tuple[str, str]:
    with make.db.transaction(write=False) as session:
        round = session.get(Round, round_id)
        document = public_document(round, build_document(session, round))
        document["annex"] = plenary_annex(session, round)  # as the annexed PDF prints it
    return json.dumps(document, sort_keys=True), render_html(document)


@pytest.mark.parametrize("busy", ["employer", "worker"])
def test_the_outcome_document_and_its_print_count_nothing_of_a_caucus(app, make, busy):
    world = tripartite(make)
    round_id = world["round"].id
    for party in ("worker", "employer", "government"):
        make.comment(world[party], world["round"], f"Plenary from the {party}")
    employer = ApiClient(app.test_client(), make.token(world["employer"]))
    assert attach(employer, round_id, "system.pdf", PDF, title="System description").status_code == 201
    assert employer.post(f"/rounds/{round_id}/package/release").status_code == 201
    [document] = employer.get(f"/rounds/{round_id}/package").get_json()["documents"]
    before = _outcome(make, round_id)

    _busy(make, world, busy, round_id, document["id"])

    after = _outcome(make, round_id)
    assert json.loads(after[0]) == json.loads(before[0])
    assert after[1] == before[1]
    assert "System description" in after[1] and "Plenary from the employer" in after[1]
    assert "Caucus" not in after[1]
