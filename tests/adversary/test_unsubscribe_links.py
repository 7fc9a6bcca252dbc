"""Promise 5: an unsubscribe link is its own authority only for the person, the kind and the preference version
it was made for. A link signed with another key, one whose payload names another person or kind under the
original signature, and a digest link after any of the person's preferences changed, all change nothing."""

from __future__ import annotations

import base64
import json

from itsdangerous import URLSafeSerializer

from consult.accounts.models import User
from consult.notifications.render import UNSUBSCRIBE_SALT, unsubscribe_token
from consult.notifications.services import delivery_of, link_version, set_preferences

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


def _deliveries(db, *people) -> list[dict]:
    with db.transaction(write=False) as session:
        return [delivery_of(session, person.id) for person in people]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def test_forged_and_spliced_links_change_nothing(app, make, db, client):
    victim, attacker = make.user("workers"), make.user("employers")
    before = _deliveries(db, victim, attacker)
    forged = URLSafeSerializer("guessed-secret", salt=UNSUBSCRIBE_SALT).dumps([victim.id, "stage.entered", 0])
    unsalted = URLSafeSerializer(app.config["SECRET_KEY"]).dumps([victim.id, "stage.entered", 0])
    mine = unsubscribe_token(app, attacker.id, "stage.entered")
    _payload, signature = mine.rsplit(".", 1)
    spliced = [f"{_b64(json.dumps(body, separators=(',', ':')).encode())}.{signature}"
               for body in ([victim.id, "stage.entered", 0], [attacker.id, "digest.daily", 0],
                            [attacker.id, "stage.entered", 0, 0])]
    for token in (forged, unsalted, *spliced, mine + "x", mine.replace(".", "..", 1)):
        assert client.get(f"/notifications/unsubscribe/{token}").status_code == 404, token
        assert client.post(f"/notifications/unsubscribe/{token}", data=ONE_CLICK).status_code == 404, token
    assert _deliveries(db, victim, attacker) == before


def test_a_digest_link_is_replaced_by_any_change_of_the_persons_preferences(app, make, db, client):
    person = make.user("workers")
    with db.transaction() as session:
        set_preferences(session, session.get(User, person.id), {"stage.entered": "weekly"})
        link = unsubscribe_token(app, person.id, "digest.weekly", link_version(session, person.id, "digest.weekly"))
    with db.transaction() as session:  # the person turns another kind to the weekly digest since
        set_preferences(session, session.get(User, person.id), {"comment.reply": "weekly"})
    before = _deliveries(db, person)
    replayed = client.post(f"/notifications/unsubscribe/{link}", data=ONE_CLICK)
    assert replayed.status_code == 410
    assert _deliveries(db, person) == before
    with db.transaction() as session:  # ... and back: the sum of versions only grows, the old link stays replaced
        set_preferences(session, session.get(User, person.id), {"comment.reply": "daily"})
    assert client.post(f"/notifications/unsubscribe/{link}", data=ONE_CLICK).status_code == 410
