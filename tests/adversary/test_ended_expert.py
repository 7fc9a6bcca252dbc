"""Promise 3: an expert whose appointment ended (by decision, by its end date, at the round's conclusion, or
with their account, reactivated since) reads nothing of the caucus on the paths tests/opinions/test_expert_term.py
does not walk: the records with their `what` (JSON and CSV), the comment list's filters and the caucus page, and
a socket that connected while the appointment ran, asking to join or to replay."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consult.db import utcnow
from tests.factories import ApiClient, log_in
from tests.live.test_cut_off import Socket
from tests.opinions.test_expert_term import SECRETS, _appointed, _end

HOWS = ["decision", "end_date", "conclusion", "deactivated_then_reactivated"]


@pytest.mark.parametrize("how", HOWS)
def test_an_ended_expert_reads_no_records_nor_filtered_lists(how, app, api, make, db):
    world = _appointed(make, api, db, ends_on=(utcnow() + timedelta(days=30)).date().isoformat())
    round_id = world["round"].id
    _end(how, make, api, db, world)
    expert = ApiClient(app.test_client(), make.token(world["expert"]))
    pages = app.test_client()
    log_in(pages, world["expert"])
    gathered = []
    for what in ("comments", "stances", "positions"):
        gathered.append(expert.get(f"/rounds/{round_id}/records?what={what}"))
        gathered.append(pages.get(f"/rounds/{round_id}/records.csv?what={what}"))
    for query in ("channel=caucus", "channel=caucus&section=system", "constituency=workers", "q=strike"):
        gathered.append(expert.get(f"/rounds/{round_id}/comments?{query}"))
        gathered.append(pages.get(f"/rounds/{round_id}?{query}"))
    gathered.append(expert.get(f"/rounds/{round_id}/events?limit=500"))
    for response in gathered:
        assert response.status_code in (302, 404, 422), (how, response.request.path, response.status_code)
        assert not [s for s in SECRETS if s in response.get_data(as_text=True)], (how, response.request.path)


@pytest.mark.parametrize("how", ["end_date", "conclusion"])
def test_a_socket_opened_during_the_appointment_replays_nothing_after_it_ends(how, app, api, make, db, live_server):
    world = _appointed(make, api, db, ends_on=(utcnow() + timedelta(days=30)).date().isoformat())
    round_id = world["round"].id
    socket = Socket(live_server, token=make.token(world["expert"]))
    try:
        make.comment(world["worker"], world["round"], "Workers only, before the end: we may strike on Monday.",
                     channel="caucus")
        _end(how, make, api, db, world)
        answers = [socket.join(round_id),
                   socket.client.call("catch_up", {"round_id": round_id, "last_seq": 0}, timeout=10)]
        for answer in answers:
            assert "error" in answer, (how, answer)
            assert not [s for s in SECRETS if s in repr(answer)]
        assert not [s for s in SECRETS if s in repr(socket.events)]
    finally:
        socket.close()
