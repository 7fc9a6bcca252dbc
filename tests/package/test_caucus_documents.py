"""The adversary of a caucus-only document: everything a worker, a government, the secretariat (which does not
read caucuses in this round) and an observer can obtain (every GET page and API route, the event log, live
socket frames, the CSV records, the outcome document and its rendered text) never names the employers'
caucus document, its file, its digests, or that a release went to that caucus."""

from __future__ import annotations

import hashlib
import time

from consult.documents.render import render_html, write_pdf
from consult.outcomes.snapshot import build_document
from consult.rounds.models import Round
from tests.factories import ApiClient, log_in
from tests.package.files import PDF
from tests.package.helpers import attach, upload
from tests.routes import fill
from tests.test_unlinkability import Adversary, follow_live, pdf_lines

SECRET_TITLE = "Margin model ZETA"
SECRET_FILE = "zeta-margins.pdf"
SECRET_V1 = PDF + b"%zeta one\n"
SECRET_V2 = PDF + b"%zeta two\n"


def _world(make):
    employer = make.user("employers", name="Erin Employer")
    association = make.user("employers", name="Ada Association")
    worker = make.user("workers", name="Wanda Worker")
    government = make.user("government", name="Gil Government")
    secretariat = make.user("secretariat", name="Sasha Secretariat")
    observer = make.user("observers", name="Olga Observer")
    round = make.round(employer, stage="draft", invite=(
        association.organisation, worker.organisation, government.organisation, secretariat.organisation,
        observer.organisation))
    return {"round": round, "employer": employer, "association": association, "worker": worker,
            "government": government, "secretariat": secretariat, "observer": observer}


def _gather(app, make, round_id: int, ids: dict, who: str, person) -> Adversary:
    adversary = Adversary(who)
    pages = app.test_client()
    log_in(pages, person)
    apis = ApiClient(app.test_client(), make.token(person))
    paths = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith("/static") or rule.rule == "/logout":
            continue
        for version in (1, 2) if "<int:version>" in rule.rule else [1]:
            paths.add(fill(rule.rule, {"round_id": round_id, "comment_id": 1, "token_id": 1, **ids,
                                       "version": version}))
    paths |= {f"/api/v1/rounds/{round_id}/events?limit=500", f"/api/v1/rounds/{round_id}/package",
              *(f"/rounds/{round_id}/records.csv?what={what}" for what in ("comments", "stances", "positions"))}
    for path in sorted(paths):
        client = apis if path.startswith("/api/v1") else pages
        response = client.get(path[len("/api/v1"):] if client is apis else path)
        if response.status_code == 200 and path.endswith("/file"):  # a download: its bytes and headers as they are
            adversary.records.append((path, response.data.decode("latin-1") + str(response.headers), None))
        elif response.status_code == 200:
            adversary.take(path, response)
    return adversary


def test_a_caucus_only_document_never_reaches_anyone_outside_that_caucus(app, make, api, live_server):
    world = _world(make)
    round_id = world["round"].id
    employer = api(world["employer"])
    attach(employer, round_id, "system.pdf", PDF, title="System description")
    assert attach(employer, round_id, SECRET_FILE, SECRET_V1, title=SECRET_TITLE,
                  caucus="employers").status_code == 201
    outsiders = {who: world[who] for who in ("worker", "government", "secretariat", "observer")}
    sockets = {who: follow_live(live_server, make, person, round_id) for who, person in outsiders.items()}

    make.move_to(world["employer"], world["round"], "information")
    package = employer.get(f"/rounds/{round_id}/package").get_json()
    secret = next(d for d in package["documents"] if d["caucus"] == "employers")
    response = upload(employer, f"/rounds/{round_id}/package/documents/{secret['id']}/versions", SECRET_FILE,
                      SECRET_V2)
    assert response.status_code == 201
    [caucus_release] = employer.post(f"/rounds/{round_id}/package/release").get_json()
    assert caucus_release["caucus"] == "employers"
    # The employers' side sees it: the employer and the other employers' organisation, which acknowledges.
    association = api(world["association"])
    assert [d["title"] for d in association.get(f"/rounds/{round_id}/package").get_json()["documents"]] == [
        "System description", SECRET_TITLE]
    assert association.post(f"/rounds/{round_id}/package/releases/{caucus_release['id']}/acknowledgement"
                            ).status_code == 201

    with make.db.transaction(write=False) as session:
        heads = session.get(Round, round_id).audience_heads
        outcome = build_document(session, session.get(Round, round_id))
    outcome_text = render_html(outcome)
    pdf_text = " ".join(pdf_lines(write_pdf(outcome)))
    deadline = time.monotonic() + 30
    while not all(client.rounds[round_id].holds(heads) for client in sockets.values()):
        assert time.monotonic() < deadline, "a socket fell behind"
        time.sleep(0.05)
    ids = {"document_id": secret["id"], "release_id": caucus_release["id"]}
    adversaries = [_gather(app, make, round_id, ids, who, person) for who, person in outsiders.items()]
    for adversary in adversaries:
        for frame in sockets[adversary.who].frames:
            adversary.take_frame("socket", frame)
    for client in sockets.values():
        client.close()

    secrets = [SECRET_TITLE, SECRET_FILE, hashlib.sha256(SECRET_V1).hexdigest(),
               hashlib.sha256(SECRET_V2).hexdigest()]
    for adversary in adversaries:
        assert adversary.records, adversary.who
        for where, text, node in adversary.records:
            for word in secrets:
                assert word not in text, (adversary.who, where, text)
            if isinstance(node, dict) and str(node.get("type", "")).startswith(("package.", "document.")):
                assert (node.get("payload") or {}).get("caucus") is None, (adversary.who, where, node)
        # What they do see of the package: one release, numbered 1, with the one all-party document.
        seen = api(outsiders[adversary.who]).get(f"/rounds/{round_id}/package").get_json()
        assert [r["number"] for r in seen["releases"]] == [1]
        assert [d["title"] for d in seen["documents"]] == ["System description"]
        for path in (f"/rounds/{round_id}/package/documents/{secret['id']}/versions/1/file",
                     f"/rounds/{round_id}/package/documents/{secret['id']}/versions/2/file"):
            assert api(outsiders[adversary.who]).get(path).status_code == 404
        refused = api(outsiders[adversary.who]).post(
            f"/rounds/{round_id}/package/releases/{caucus_release['id']}/acknowledgement")
        assert refused.status_code in (403, 404)
    # The outcome (which may be published) lists the all-party document only.
    assert "System description" in outcome_text and "System description" in pdf_text
    for word in secrets:
        # The PDF's text lines may break a long digest: compared with every space taken out.
        assert word not in outcome_text and word.replace(" ", "") not in pdf_text.replace(" ", "")
