"""Tamper evidence: `consult audit verify` checks every round's chain and names the first bad event."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import text

from consult.cli import main
from tests.factories import tripartite


def _verify(app, *args):
    environment = {"CONSULT_DATABASE_URL": app.config["DATABASE_URL"], "CONSULT_INSTANCE_PATH": app.instance_path,
                   "CONSULT_SECRET_KEY": "test-secret"}
    return CliRunner().invoke(main, ["audit", "verify", *args], env=environment)


def test_an_altered_removed_or_reordered_event_is_caught_and_named(app, make, db, scenario):
    scenario(done="an event row altered and another deleted directly in the database",
             checked="consult audit verify names the round and the first bad event of each")
    world = tripartite(make)
    for body in ("one", "two", "three"):
        make.comment(world["worker"], world["round"], body)
    other = tripartite(make)["round"]
    clean = _verify(app)
    assert clean.exit_code == 0 and "2 rounds checked, 0 broken" in clean.output

    with db.engine.begin() as connection:  # someone with database access rewrites history
        connection.execute(text("UPDATE events SET payload = :p WHERE round_id = :r AND seq = 8"),
                           {"p": '{"comment_id": 999, "section": "system", "channel": "plenary", "parent_id": null}',
                            "r": world["round"].id})
    caught = _verify(app)
    assert caught.exit_code == 1
    assert f"round {world['round'].id}: event 8: its content was changed after it was written" in caught.output
    assert f"round {other.id}" not in caught.output

    with db.engine.begin() as connection:
        # A tamperer removes what points at the event first (its notifications), then the event itself.
        gone = "(SELECT id FROM events WHERE round_id = :r AND seq = 2)"
        connection.execute(text(f"DELETE FROM notifications WHERE event_id IN {gone}"), {"r": other.id})
        connection.execute(text("DELETE FROM events WHERE round_id = :r AND seq = 2"), {"r": other.id})
    removed = _verify(app, "--round", str(other.id))
    assert removed.exit_code == 1 and f"round {other.id}: event 2: event 2 is missing" in removed.output


def test_login_brute_force_answers_429_even_with_the_right_password_then_recovers(app, make, client, scenario):
    scenario(done="repeated wrong passwords for one e-mail from one address",
             checked="429 after the limit, even with the right password; another person is not locked out")
    import re

    from consult.web.ratelimit import RateLimiter
    from tests.factories import PASSWORD

    app.config["LOGIN_RATE"] = "3/minute"
    app.extensions["consult.login_limiter"] = RateLimiter(app, "LOGIN_RATE", "login", "Too many failed log-ins.")
    person = make.user("workers")
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    attempt = lambda password: client.post("/login", data={  # noqa: E731
        "email": person.email, "password": password, "csrf_token": csrf})
    assert [attempt(f"guess {n}").status_code for n in range(3)] == [401, 401, 401]
    assert attempt("guess 4").status_code == 429
    assert attempt(PASSWORD).status_code == 429  # the right password does not help the guesser
    other = make.user("workers")
    assert client.post("/login", data={"email": other.email, "password": PASSWORD,
                                       "csrf_token": csrf}).status_code == 302  # another person is not locked out
