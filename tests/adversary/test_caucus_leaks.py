"""Promise 9: what one constituency writes or attaches for its own caucus never reaches another constituency, on
any path: every GET route and page (notifications included), the events, the CSV and JSON records, the signed
PDF and its annex, the registry, the mail each person received, and a socket that followed the round live.

The employer's side is the one attacked here (tests/test_unlinkability.py plays the workers' caucus): a document
attached for the employers' caucus, a new version of it released by hand, and an employers' caucus comment."""

from __future__ import annotations

import time

from consult.accounts.models import User
from consult.notifications.mailer import send_now
from consult.outcomes.models import StanceKind
from consult.outcomes.services import add_commitment, draft_position, record_stance
from consult.rounds.plan import SECTIONS
from tests.factories import tripartite
from tests.opinions.helpers import REASON
from tests.outcomes.helpers import PARTIES, _date
from tests.outcomes.test_exports import wait_ready
from tests.package.files import CSV
from tests.package.helpers import attach, upload
from tests.registry.test_registry import conclude
from tests.test_unlinkability import follow_live, gather

SECRETS = ("Quokka redundancy", "quokka-plan", "Quokka note", "Quokka caucus")


def _to_drafting_with_outcome(make, world) -> None:
    round = world["round"]
    for key in PARTIES:
        make.signatory(world["secretariat"], round, world[key].constituency.value, world[key])
    make.move_to(world["employer"], round, "drafting")
    with make.db.transaction() as session:
        secretariat = session.get(User, world["secretariat"].id)
        for key, title in SECTIONS:
            draft_position(session, secretariat, round.id, key, f"The parties agree on {title}.", 0)
        add_commitment(session, secretariat, round.id, {
            "description": "Publish an annual algorithmic audit", "kpi": "Audits published", "target": "1 per year",
            "owner_organisation_id": world["employer"].organisation_id, "due_on": _date("2027-12-31")})
    for party in PARTIES:
        with make.db.transaction() as session:
            for key, _title in SECTIONS:
                record_stance(session, session.get(User, world[party].id), round.id, key, StanceKind.AGREE, "Yes.")


def test_the_employers_caucus_documents_and_comments_reach_no_other_constituency(app, make, api, smtp,
                                                                                  live_server):
    world = tripartite(make, stage="draft", is_public=True)
    round_id = world["round"].id
    employer = api(world["employer"])
    watchers = {who: follow_live(live_server, make, world[who], round_id) for who in ("worker", "government")}
    try:
        attached = upload(employer, f"/rounds/{round_id}/package/documents", "quokka-plan.csv", CSV,
                          title="Quokka redundancy list", caucus="employers", note="Quokka note: 40 posts")
        assert attached.status_code == 201, attached.get_json()
        assert attach(employer, round_id, "vendor.csv", CSV).status_code == 201
        assert api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/start", json=REASON).status_code == 200
        make.move_to(world["employer"], world["round"], "caucus")
        documents = employer.get(f"/rounds/{round_id}/package").get_json()["documents"]
        [secret] = [d for d in documents if d["title"].startswith("Quokka")]
        again = upload(employer, f"/rounds/{round_id}/package/documents/{secret['id']}/versions",
                       "quokka-plan-v2.csv", CSV, note="Quokka note: now 45 posts")
        assert again.status_code == 201, again.get_json()
        assert employer.post(f"/rounds/{round_id}/package/release").status_code in (200, 201)
        make.comment(world["employer"], world["round"], "Quokka caucus: we cut forty posts in March.",
                     channel="caucus")
        _to_drafting_with_outcome(make, world)
        conclude(api, world)
        deadline = time.monotonic() + 90  # the registry's PDF first: two first signings at once race (report)
        while make.app.test_client().get(f"/registry/{round_id}/outcome.pdf").status_code != 200:
            assert time.monotonic() < deadline, "the registry's PDF was never made"
            time.sleep(0.2)
        annex = api(world["government"]).post(f"/rounds/{round_id}/exports", json={"kind": "pdf_annex"}).get_json()
        assert wait_ready(api(world["government"]), round_id, annex["id"])["status"] == "ready"
        send_now(app)
        time.sleep(1)  # the last pushes reach the sockets
    finally:
        for watcher in watchers.values():
            watcher.close()
    problems = []
    for who in ("worker", "government", "anonymous visitor"):
        adversary = gather(app, make, world, who, world.get(who))
        for where, text, _node in adversary.records:
            problems += [f"{who} · {where}: {s}" for s in SECRETS if s in text]
    for who, watcher in watchers.items():
        problems += [f"{who} · socket: {s}" for s in SECRETS if s in repr(watcher.frames)]
        for mail in smtp.inbox.to(world[who].email):
            problems += [f"{who} · mail {mail['Subject']}: {s}" for s in SECRETS if s in mail.as_string()]
    assert not problems, "\n".join(sorted(set(problems))[:40])
    # The gathering would have found them: the employer, who may, reads the caucus document and comment.
    seen = gather(app, make, world, "employer", world["employer"])
    assert {s for s in SECRETS if any(s in text for _, text, _ in seen.records)} >= {"Quokka redundancy",
                                                                                      "Quokka caucus"}
