"""The information package: attach, version, release at the round's start or by hand, acknowledge, download."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select

from consult.events.models import Event
from consult.package.models import Acknowledgement, DocumentVersion, PackageRelease
from tests.factories import tripartite
from tests.package.files import CSV, PDF, docx, odt, png
from tests.package.helpers import attach, upload


def _events(db, round_id: int, type: str) -> list[Event]:
    with db.transaction(write=False) as session:
        return list(session.scalars(select(Event).where(Event.round_id == round_id, Event.type == type)
                                    .order_by(Event.seq)))


def test_documents_attached_in_the_draft_are_released_when_the_round_starts(make, api, db):
    world = tripartite(make, stage="draft")
    round_id, employer, worker = world["round"].id, world["employer"], world["worker"]
    assert attach(api(employer), round_id, "dpia.pdf", PDF, title="Impact assessment").status_code == 201
    # Before release the parties see nothing, not even that a document exists.
    assert api(worker).get(f"/rounds/{round_id}/package").get_json()["documents"] == []
    make.move_to(employer, world["round"], "information")
    package = api(worker).get(f"/rounds/{round_id}/package").get_json()
    [document] = package["documents"]
    [version] = document["versions"]
    assert version["sha256"] == hashlib.sha256(PDF).hexdigest() and version["size_bytes"] == len(PDF)
    assert version["kind"] == "pdf" and version["released_at"] is not None
    [release] = package["releases"]
    assert package["awaiting_my_acknowledgement"] == [release["id"]]
    [event] = _events(db, round_id, "package.released")
    assert event.audience == "participants" and event.payload["caucus"] is None
    assert event.payload["documents"][0]["sha256"] == version["sha256"] and event.payload["by"] == "round start"


def test_a_new_version_keeps_the_old_one_and_is_released_by_hand(make, api, db):
    world = tripartite(make, stage="draft")
    round_id, employer, worker = world["round"].id, world["employer"], world["worker"]
    attach(api(employer), round_id, "system.docx", docx(), title="System description")
    make.move_to(employer, world["round"], "information")
    document_id = api(worker).get(f"/rounds/{round_id}/package").get_json()["documents"][0]["id"]
    response = upload(api(employer), f"/rounds/{round_id}/package/documents/{document_id}/versions", "system.odt",
                      odt(), note="Converted to ODF")
    assert response.status_code == 201, response.get_json()
    # The worker sees version 1 only until version 2 is released.
    versions = api(worker).get(f"/rounds/{round_id}/package").get_json()["documents"][0]["versions"]
    assert [v["version"] for v in versions] == [1]
    released = api(employer).post(f"/rounds/{round_id}/package/release")
    assert released.status_code == 201 and [r["number"] for r in released.get_json()] == [2]
    versions = api(worker).get(f"/rounds/{round_id}/package").get_json()["documents"][0]["versions"]
    assert [(v["version"], v["kind"]) for v in versions] == [(1, "docx"), (2, "odt")]
    assert versions[0]["sha256"] != versions[1]["sha256"]
    again = api(employer).post(f"/rounds/{round_id}/package/release")
    assert again.status_code == 409


def test_each_organisation_acknowledges_once_and_the_time_is_recorded(make, api, db):
    world = tripartite(make, stage="draft")
    round_id, employer, worker = world["round"].id, world["employer"], world["worker"]
    attach(api(employer), round_id, "figures.csv", CSV, title="Headcount")
    make.move_to(employer, world["round"], "information")
    release_id = api(worker).get(f"/rounds/{round_id}/package").get_json()["releases"][0]["id"]
    colleague = make.user(worker.organisation)
    response = api(worker).post(f"/rounds/{round_id}/package/releases/{release_id}/acknowledgement")
    assert response.status_code == 201
    [ack] = response.get_json()["acknowledgements"]
    assert ack["organisation"] == worker.organisation.name and ack["acknowledged_at"]
    assert api(colleague).get(f"/rounds/{round_id}/package").get_json()["awaiting_my_acknowledgement"] == []
    twice = api(colleague).post(f"/rounds/{round_id}/package/releases/{release_id}/acknowledgement")
    assert twice.status_code == 409
    [event] = _events(db, round_id, "package.acknowledged")
    assert event.payload["organisation_id"] == worker.organisation.id
    with db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Acknowledgement)) == 1


def test_downloads_are_attachments_never_inline(make, api, client):
    world = tripartite(make, stage="draft")
    round_id, employer, worker = world["round"].id, world["employer"], world["worker"]
    attach(api(employer), round_id, "pilot report.png", png(), title="Pilot")
    make.move_to(employer, world["round"], "information")
    version = api(worker).get(f"/rounds/{round_id}/package").get_json()["documents"][0]["versions"][0]
    response = api(worker).get(version["download"].removeprefix("/api/v1"))
    assert response.status_code == 200 and response.data == png()
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["Content-Type"] == "image/png"


def test_nothing_is_released_before_the_round_starts(make, api, db):
    world = tripartite(make, stage="draft")
    round_id, employer = world["round"].id, world["employer"]
    attach(api(employer), round_id, "dpia.pdf", PDF)
    assert api(employer).post(f"/rounds/{round_id}/package/release").status_code == 409
    with db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(PackageRelease)) == 0
        assert session.scalar(select(DocumentVersion.release_id)) is None


def test_the_outcome_lists_each_document_and_the_times_of_release_and_acknowledgement(make, api, db):
    from consult.documents.render import render_html
    from consult.outcomes.snapshot import build_document
    from consult.rounds.models import Round

    world = tripartite(make, stage="draft")
    round_id, employer, worker = world["round"].id, world["employer"], world["worker"]
    attach(api(employer), round_id, "dpia.pdf", PDF, title="Impact assessment")
    attach(api(employer), round_id, "costs.csv", CSV, title="Employers' costs", caucus="employers")
    make.move_to(employer, world["round"], "information")
    release_id = api(worker).get(f"/rounds/{round_id}/package").get_json()["releases"][0]["id"]
    assert api(worker).post(f"/rounds/{round_id}/package/releases/{release_id}/acknowledgement").status_code == 201
    with db.transaction(write=False) as session:
        round = session.get(Round, round_id)
        document = build_document(session, round)
        released_at = session.scalar(select(PackageRelease).where(PackageRelease.public_id == release_id)).released_at
        acknowledged_at = session.scalar(select(Acknowledgement.acknowledged_at))
        html = render_html(document)
    package = document["information_package"]
    assert package["documents"] == [{"title": "Impact assessment", "version": 1, "filename": "dpia.pdf",
                                     "media_type": "application/pdf", "size_bytes": len(PDF),
                                     "sha256": hashlib.sha256(PDF).hexdigest(), "release": 1}]
    [release] = package["releases"]
    assert release["released_at"] == released_at.isoformat()
    assert release["acknowledgements"] == [{"organisation": worker.organisation.name,
                                            "acknowledged_at": acknowledged_at.isoformat()}]
    assert hashlib.sha256(PDF).hexdigest() in html and "Impact assessment" in html
    assert "Employers&#39; costs" not in html and "costs.csv" not in html
