"""The adversary of an affected worker: a party other than the employer and the secretariat gathers every path
(API, pages, events, CSV records, the signed PDF, the registry) and never obtains an affected worker's name or
address; they learn counts only (consult/policy/, AFFECTED WORKERS)."""

from __future__ import annotations

import time
from datetime import timedelta

from consult.notifications.mailer import send_now
from tests.informing.test_individual_information import WORKERS
from tests.opinions.helpers import establishment_today, profile_plan, profile_world
from tests.outcomes.test_exports import wait_ready
from tests.registry.test_registry import conclude
from tests.test_unlinkability import gather


def test_no_other_party_obtains_an_affected_workers_name_or_address(app, make, api, smtp):
    rollout = (establishment_today() + timedelta(days=120)).isoformat()
    world = profile_world(make, "eu-ai-act", stage="consultation", is_public=True,
                          plan=profile_plan("eu-ai-act", rollout_starts_on=rollout, rollout_completes_on=None))
    round_id = world["round"].id
    employer = api(world["employer"])
    assert employer.post(f"/rounds/{round_id}/affected-workers", json={"workers": WORKERS}).status_code == 201
    assert employer.post(f"/rounds/{round_id}/affected-workers/inform").status_code == 200
    send_now(app)
    make.comment(world["worker"], world["round"], "Were the drivers informed one by one?")
    conclude(api, world)
    job = api(world["government"]).post(f"/rounds/{round_id}/exports", json={"kind": "pdf"}).get_json()
    assert wait_ready(api(world["government"]), round_id, job["id"])["status"] == "ready"
    deadline = time.monotonic() + 90
    while make.app.test_client().get(f"/registry/{round_id}/outcome.pdf").status_code != 200:
        assert time.monotonic() < deadline, "the registry's PDF was never made"
        time.sleep(0.2)

    secrets = [w["name"] for w in WORKERS] + [w["email"] for w in WORKERS if w.get("email")]
    secrets += ["Zoë", "Ångström", "李小龍", "zoe+ai", "li.xiaolong", "Markup"]
    problems = []
    for who in ("worker", "government", "anonymous visitor"):
        adversary = gather(app, make, world, who, world.get(who))
        assert len(adversary.records) > 200
        for where, text, _node in adversary.records:
            found = [secret for secret in secrets if secret in text]
            if found:
                problems.append(f"{who} · {where}: {found}")
        if who != "anonymous visitor":  # the counts reach them, so the gathering did read the procedure
            assert any("3 workers listed; 3 informed" in text for _, text, _ in adversary.records), who
    assert not problems, "\n".join(sorted(set(problems))[:40])
    # The gathering would have found them: the employer, who may, sees each name on the procedure page.
    seen = gather(app, make, world, "employer", world["employer"])
    assert any("李小龍" in text for _, text, _ in seen.records)
