"""Promise 8 (de-betrvg, BetrVG §87(1) no. 6 and §87(2)): no round concludes while a monitoring-capable function's
consent is refused or undecided without a conciliation board ruling, by any path (the secretariat's advance,
the scheduler's clock), even when the function changes after everyone signed; §77(2): only employer and works
council sign."""

from __future__ import annotations

from datetime import timedelta

from consult.db import utcnow
from consult.scheduler.jobs import process_due
from tests.factories import PASSWORD
from tests.opinions.helpers import REASON
from tests.opinions.test_de_betrvg import consent, consents, in_consultation


def _signed_in_sign_off(api, make, db) -> dict:
    world = in_consultation(api, make, db, functions=["scheduling", "monitoring"])
    round_id = world["round"].id
    for function in ("scheduling", "monitoring"):
        assert consent(api, world, function, "given").status_code == 201
    make.move_to(world["secretariat"], world["round"], "sign_off")
    secretariat = api(world["secretariat"])
    assert secretariat.post(f"/rounds/{round_id}/outcome/freeze").status_code == 201
    digest = secretariat.get(f"/rounds/{round_id}/outcome").get_json()["digest"]
    for party in ("employer", "worker"):
        signed = api(world[party]).post(f"/rounds/{round_id}/outcome/sign", json={"digest": digest,
                                                                                  "password": PASSWORD})
        assert signed.status_code == 201, signed.get_json()
    return world


def test_a_function_changed_after_signing_holds_the_round_until_consent_or_ruling(api, make, db):
    world = _signed_in_sign_off(api, make, db)
    round_id = world["round"].id
    changed = api(world["employer"]).post(f"/rounds/{round_id}/plan/functions/monitoring/changes",
                                          json={"description": "Monitoring now also records idle time per person."})
    assert changed.status_code == 201, changed.get_json()
    assert consents(api, world)["monitoring"]["is_settled"] is False
    advanced = api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/advance", json=REASON)
    assert advanced.status_code == 409, advanced.get_json()
    process_due(db, utcnow() + timedelta(days=400))  # the clock runs out every deadline there is
    assert api(world["worker"]).get(f"/rounds/{round_id}").get_json()["stage"] != "concluded"


def test_a_refusal_after_signing_holds_the_round(api, make, db):
    world = _signed_in_sign_off(api, make, db)
    round_id = world["round"].id
    refused = consent(api, world, "monitoring", "refused", "We withdraw our consent: idle time is now recorded.")
    if refused.status_code >= 400:  # a decision cannot be taken back: the signed agreement stands as it is
        return
    assert consents(api, world)["monitoring"]["is_settled"] is False
    assert api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/advance", json=REASON).status_code == 409
    process_due(db, utcnow() + timedelta(days=400))
    assert api(world["worker"]).get(f"/rounds/{round_id}").get_json()["stage"] != "concluded"
