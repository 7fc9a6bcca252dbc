"""Promise 9 for a pseudonymous worker's identity: acts other than comments (acknowledging the package for the
union, reacting, asking a question, recording a stance) never name the worker to another constituency, on the
API, the pages, the events or the CSV records. (Which organisations take part, and that a union acknowledged
the package for itself, is known to all participants by design.)"""

from __future__ import annotations

from consult.rounds.plan import IdentityPolicy
from tests.factories import log_in, tripartite
from tests.opinions.helpers import REASON
from tests.package.files import CSV
from tests.package.helpers import attach


def test_a_workers_acts_never_name_them_to_the_employer_or_the_government(app, api, make):
    world = tripartite(make, stage="draft")
    round = world["round"]
    assert round.identity_policy == IdentityPolicy.PSEUDONYMOUS
    worker = make.user(world["worker"].organisation, name="Zelda Quist", role_title="Night-shift steward")
    assert attach(api(world["employer"]), round.id, "vendor.csv", CSV).status_code == 201
    assert api(world["secretariat"]).post(f"/rounds/{round.id}/timeline/start", json=REASON).status_code == 200
    make.move_to(world["employer"], round, "consultation")
    mine = api(worker)
    [release] = mine.get(f"/rounds/{round.id}/package").get_json()["releases"]
    acknowledged = mine.post(f"/rounds/{round.id}/package/releases/{release['id']}/acknowledgement")
    assert acknowledged.status_code == 201, acknowledged.get_json()
    comment = make.comment(world["employer"], round, "The employer explains the roster.")
    reacted = mine.put(f"/rounds/{round.id}/comments/{comment.public_id}/reaction", {"kind": "disagree"})
    assert reacted.status_code == 200
    asked = mine.post(f"/rounds/{round.id}/questions", {"section": "system", "body": "Which data does it keep?"})
    assert asked.status_code in (201, 409), asked.get_json()
    secrets = ["Zelda", "Quist", "Night-shift steward", worker.email]
    problems = []
    for who in ("employer", "government"):
        client, pages = api(world[who]), app.test_client()
        log_in(pages, world[who])
        bodies = [client.get(path) for path in (
            f"/rounds/{round.id}", f"/rounds/{round.id}/package", f"/rounds/{round.id}/events?limit=500",
            f"/rounds/{round.id}/questions", f"/rounds/{round.id}/comments?limit=200",
            *(f"/rounds/{round.id}/records?what={what}" for what in ("comments", "stances", "positions")))]
        bodies += [pages.get(path) for path in (
            f"/rounds/{round.id}", f"/rounds/{round.id}/package", f"/rounds/{round.id}/people",
            f"/rounds/{round.id}/questions", f"/rounds/{round.id}/records.csv?what=comments", "/notifications")]
        for response in bodies:
            text = response.get_data(as_text=True)
            problems += [f"{who} {response.request.path}: {s}" for s in secrets if s in text]
    assert not problems, "\n".join(problems)
