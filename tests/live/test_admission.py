"""A join asks, in one statement, everything that admits a socket to a round (consult/live/admission.py).

DESIGN.md: a revoked token, a deactivated person and a removed organisation lose the round at once; a join is
checked against the committed state even when the cut that follows has not reached the socket's process.
"""

from __future__ import annotations

from sqlalchemy import event, update

from consult.accounts.models import User
from consult.accounts.services import revoke_all_tokens
from consult.rounds.models import Participant
from tests.factories import Factory, tripartite
from tests.live.test_live import wait_until


def _connected(app, make: Factory, user, token: str | None = None):
    client = app.extensions["socketio"].test_client(app, auth={"token": token or make.token(user)})
    assert client.is_connected()
    return client


def _join(client, round_id: int) -> dict:
    return client.emit("join", {"round_id": round_id, "cursor": {}}, callback=True)


def test_a_join_reads_the_database_in_two_statements(app, make):
    world = tripartite(make)
    _join(_connected(app, make, world["employer"]), world["round"].id)  # its replay is kept for the next join
    token = make.token(world["employer"])
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    engine = make.db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        answer = _join(_connected(app, make, world["employer"], token), world["round"].id)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert answer["events"] and "error" not in answer
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # The token at the connect; the person, their token, the round, their standing in it and its heads at the
    # join (read again only when a push reached the round's rooms meanwhile). One at a time, with the person,
    # token and round loaded whole, it took six; with the heads read after entering the room, three.
    assert len(reads) == 2, "\n\n".join(reads)
    # Read outside transactions, on SQLite as on PostgreSQL: nothing is sent but the reads (no BEGIN).
    assert statements == reads, "\n\n".join(statements)


def test_an_event_committed_after_the_access_check_is_in_the_joins_answer(app, make, monkeypatch):
    # Its push went to the room before the socket was in it: the answer must hold it. The heads were read with
    # the access check, so the join reads them again; and the round, which nobody followed yet, was pushed.
    from consult.live import sockets

    world = tripartite(make)
    client = _connected(app, make, world["worker"])
    entered = sockets.join_room

    def enter_while_another_commits(room):
        make.comment(world["employer"], world["round"], body="Committed between the check and the room")
        assert wait_until(app.extensions["consult.pusher"].idle)  # its push has gone to the rooms
        entered(room)
    monkeypatch.setattr(sockets, "join_room", enter_while_another_commits)
    answer = _join(client, world["round"].id)
    bodies = [(e.get("comment") or {}).get("body") for e in answer["events"]]
    assert "Committed between the check and the room" in bodies, answer


def test_a_token_revoked_after_the_connect_cannot_join(app, make):
    world = tripartite(make)
    client = _connected(app, make, world["worker"])
    with make.db.transaction() as session:  # as another process would: this one cuts nothing
        revoke_all_tokens(session, world["worker"].id)
    assert _join(client, world["round"].id)["error"]["code"] == "unauthorized"


def test_a_person_deactivated_after_the_connect_cannot_join(app, make):
    world = tripartite(make)
    client = _connected(app, make, world["worker"])
    with make.db.transaction() as session:
        session.execute(update(User).where(User.id == world["worker"].id).values(is_active=False))
    assert _join(client, world["round"].id)["error"]["code"] == "unauthorized"


def test_an_organisation_removed_after_the_connect_cannot_join_and_the_others_still_can(app, make):
    world = tripartite(make)
    removed, other = _connected(app, make, world["worker"]), _connected(app, make, world["government"])
    with make.db.transaction() as session:
        session.execute(update(Participant).where(
            Participant.round_id == world["round"].id,
            Participant.organisation_id == world["worker"].organisation_id).values(removed_at=Participant.invited_at))
    assert _join(removed, world["round"].id)["error"]["code"] == "not_found"
    assert "error" not in _join(other, world["round"].id)


def test_a_round_that_does_not_exist_is_not_found(app, make):
    world = tripartite(make)
    assert _join(_connected(app, make, world["worker"]), world["round"].id + 1000)["error"]["code"] == "not_found"


def test_a_browsers_socket_reads_on_its_turns_one_connection(app, make):
    # Its person is loaded through the ORM (the connect's session cookie, the join's locale): on the connection
    # the handler's turn holds, not on a second one taken from the pool beside it.
    from tests.factories import log_in

    world = tripartite(make)
    browser = app.test_client()
    log_in(browser, world["worker"])
    checkouts: list[int] = []
    listener = lambda *_args: checkouts.append(1)  # noqa: E731
    event.listen(make.db.engine.pool, "checkout", listener)
    try:
        client = app.extensions["socketio"].test_client(app, flask_test_client=browser)
        assert client.is_connected()
        answer = _join(client, world["round"].id)
    finally:
        event.remove(make.db.engine.pool, "checkout", listener)
    assert "error" not in answer, answer
    assert len(checkouts) == 2  # the connect's turn and the join's


def _browser_socket(app, user, **headers):
    from tests.factories import log_in

    browser = app.test_client()
    log_in(browser, user)
    client = app.extensions["socketio"].test_client(app, flask_test_client=browser, headers=headers)
    assert client.is_connected()
    return client


def test_a_browsers_join_reads_its_person_once_with_the_admission(app, make):
    # The locale a replay is presented in is the person's choice, read with their admission: Flask-Login
    # loaded the person again for it, a fourth statement per join.
    world = tripartite(make)
    _join(_connected(app, make, world["worker"]), world["round"].id)  # its replay is kept for the next join
    client = _browser_socket(app, world["worker"])
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(make.db.engine, "before_cursor_execute", listener)
    try:
        answer = _join(client, world["round"].id)
    finally:
        event.remove(make.db.engine, "before_cursor_execute", listener)
    assert "error" not in answer, answer
    assert len(statements) == 1, "\n\n".join(statements)  # the admission, with the heads


def test_a_joins_replay_is_kept_in_the_locale_its_person_or_request_chose(app, make):
    world = tripartite(make)
    with make.db.transaction() as session:
        session.execute(update(User).where(User.id == world["worker"].id).values(language="fr"))
    colleague = make.user(world["worker"].organisation, name="Walt Worker")  # the same lens, another person
    replays = app.extensions.get("consult.replays")
    before = set(replays._entries) if replays else set()
    assert "error" not in _join(_browser_socket(app, world["worker"], **{"Accept-Language": "es"}), world["round"].id)
    token_socket = app.extensions["socketio"].test_client(app, auth={"token": make.token(colleague)},
                                                          headers={"Accept-Language": "es"})
    assert "error" not in _join(token_socket, world["round"].id)
    locales = {key[9] for key in set(app.extensions["consult.replays"]._entries) - before}
    assert locales == {"fr", "es"}
