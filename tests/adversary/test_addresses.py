"""Promise 1 for addresses: an address a party gives (a person invited, an affected worker listed) is refused at
input with a 422 naming the field and nothing stored, or the mail to it is sent intact; a password reset queued
after it arrives either way."""

from __future__ import annotations

import time

import pytest

from consult.notifications.mailer import send_now
from tests.factories import tripartite
from tests.test_bad_input import snapshot

ADDRESSES = {"quoted local part": '"jo doe"@example.org', "domain literal": "jo@[127.0.0.1]",
             "angle brackets": "<jo@example.org>", "display form": "Jo <jo@example.org>",
             "comment": "jo(comment)@example.org", "trailing dot": "jo.@example.org",
             "percent hack": "jo%victim.example@example.org", "bang path": "victim!jo@example.org",
             "newline": "jo@example.org\nBcc: eve@example.org", "nul": "jo\x00@example.org",
             "long local part": "j" * 65 + "@example.org", "idn punycode": "jo@xn--bcher-kva.example"}


def _arrived(app, smtp, addresses: list[str], seconds: float = 20) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        send_now(app)
        if all(smtp.inbox.to(a) for a in addresses):
            return True
        time.sleep(0.2)
    return False


@pytest.mark.parametrize("case", list(ADDRESSES))
def test_an_invited_persons_address_is_refused_or_its_mail_arrives(case, app, api, make, db, smtp):
    world = tripartite(make)
    address = ADDRESSES[case]
    before = snapshot(db)
    invited = api(world["secretariat"]).post("/people", {"organisation_id": world["worker"].organisation_id,
                                                         "display_name": "Jo Doe", "email": address})
    reset_for = make.user(make.organisation("workers"), name="Rosa Reset")
    assert make.app.test_client().post("/api/v1/password/forgotten", json={"email": reset_for.email}).status_code == 202
    if invited.status_code == 422:
        assert "email" in invited.get_json()["error"]["fields"], invited.get_json()
        assert _arrived(app, smtp, [reset_for.email])
        after = snapshot(db)
        assert after.get("users") == before.get("users") + 1  # Rosa only
        return
    assert invited.status_code == 201, invited.get_json()
    stored = invited.get_json()["email"]
    assert _arrived(app, smtp, [reset_for.email])
    assert _arrived(app, smtp, [stored], seconds=5), (case, stored, [e[1] for e in smtp.inbox.envelopes])
