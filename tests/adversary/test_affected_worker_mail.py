"""Promise 1 and 2 through the affected workers' list (AI Act Art. 26(7)): a name or an address the employer
types is either refused at input with a 422 naming the field (nothing stored), or every listed worker's mail,
and an unrelated password reset queued after it, arrives intact."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from consult.notifications.mailer import send_now
from tests.opinions.helpers import establishment_today, profile_plan, profile_world
from tests.test_bad_input import assert_error_shape

#: Names a header or a page must never hold (Cc, Zl, Zp, bidi controls), one class each.
BAD_NAMES = {
    "u2028": "Ada\u2028Picker", "u2029": "Ada\u2029Picker", "vt": "Ada\x0bPicker", "ff": "Ada\x0cPicker",
    "nel": "Ada\x85Picker", "fs": "Ada\x1cPicker", "tab": "Ada\tPicker", "rlo": "Ada \u202erekciP",
    "rli": "Ada \u2067Picker\u2069", "lre": "Ada \u202aPicker\u202c",
}
#: Addresses consult says it refuses (ASCII only, one line).
BAD_ADDRESSES = {"non-ascii-local": "j\u00f6rg@example.org", "idn-domain": "anna@b\u00fccher.example",
                 "u2028": "ada\u2028@example.org"}


def _world(make):
    rollout = (establishment_today() + timedelta(days=120)).isoformat()
    return profile_world(make, "eu-ai-act", stage="information",
                         plan=profile_plan("eu-ai-act", rollout_starts_on=rollout, rollout_completes_on=None))


def _listed(api, world) -> int:
    return len(api(world["employer"]).get(f"/rounds/{world['round'].id}/affected-workers").get_json()["workers"])


@pytest.mark.parametrize("kind", sorted(BAD_NAMES))
def test_an_affected_workers_name_with_a_control_is_refused_naming_the_field(api, make, kind):
    world = _world(make)
    body = {"workers": [{"name": BAD_NAMES[kind], "email": "ada@example.org"}]}
    response = api(world["employer"]).post(f"/rounds/{world['round'].id}/affected-workers", json=body)
    assert response.status_code == 422, (kind, response.status_code)
    assert "workers" in str(assert_error_shape(response, 422)["fields"])
    assert _listed(api, world) == 0


@pytest.mark.parametrize("kind", sorted(BAD_ADDRESSES))
def test_an_affected_workers_non_ascii_or_broken_address_is_refused_naming_the_field(api, make, kind):
    world = _world(make)
    body = {"workers": [{"name": "Ada Picker", "email": BAD_ADDRESSES[kind]}]}
    response = api(world["employer"]).post(f"/rounds/{world['round'].id}/affected-workers", json=body)
    assert response.status_code == 422, (kind, response.status_code)
    assert _listed(api, world) == 0


def test_one_bad_name_among_the_affected_workers_does_not_stop_the_others_mail(api, make, app, smtp):
    world = _world(make)
    round_id = world["round"].id
    employer = api(world["employer"])
    workers = [{"name": "Bea Good", "email": "bea@example.org"},
               {"name": "Ada\u2028Picker", "email": "ada@example.org"},
               {"name": "Cy Good", "email": "cy@example.org"}]
    listed = employer.post(f"/rounds/{round_id}/affected-workers", json={"workers": workers})
    if listed.status_code == 422:  # refused at input: the promise's first branch; nothing to deliver
        assert _listed(api, world) == 0
        return
    informed = employer.post(f"/rounds/{round_id}/affected-workers/inform")
    assert informed.status_code == 200, (informed.status_code, informed.get_json())
    reset_for = make.user(make.organisation("workers"), name="Rosa Reset")
    assert make.app.test_client().post("/api/v1/password/forgotten", json={"email": reset_for.email}).status_code == 202
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (smtp.inbox.to("bea@example.org") and smtp.inbox.to(reset_for.email)
                                                and smtp.inbox.to("cy@example.org")):
        send_now(app)
        time.sleep(0.2)
    assert smtp.inbox.to("bea@example.org") and smtp.inbox.to("cy@example.org")
    assert smtp.inbox.to(reset_for.email)
