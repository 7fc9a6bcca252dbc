"""Who may follow a round live, asked in one statement: the socket's person, their session or token, the round
and their standing in it.

A socket authenticates at its connect, and each join and catch-up asks again: since then the person may have
been deactivated, their session ended or their token revoked (the cut that follows may not have reached this
process yet), their organisation removed from the round or their expert appointment ended. Asked one read at
a time, with the person, the token and the round loaded whole, that was five statements per join, and when a
plenary opens hundreds of sockets join within a second (bench/live.py). Here it is one statement, built on the
conditions `view_round` and `api_token_for` use (`invited`, `appointed`, `token_is_live`), with the round's heads,
what a join answers up to (consult/live/sockets.py says when it reads them again). The round comes as a copy of
the columns a room's lens depends on (`RoundLens`): loading it whole built an object of thirty-odd columns per
join, a fifth of the join's work; a replay that presents events loads it.
The statement runs on the socket handler's connection, past the ORM, which has nothing to load.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from flask_babel import gettext
from sqlalchemy import bindparam, exists, select
from sqlalchemy.engine import Connection

from consult.accounts.models import ApiToken, Organisation, User
from consult.accounts.services import token_is_live
from consult.db import utcnow
from consult.errors import NotFound, Unauthorized
from consult.live.registry import Connection as Socket
from consult.opinions.models import Expert
from consult.policy import RoundView, appointed, invited, standing
from consult.rounds.models import Round
from consult.rounds.plan import IdentityPolicy


@dataclass(frozen=True, slots=True)
class RoundLens:
    """What a room's lens depends on of its round, standing in for it in a joining socket's view: building the
    mapped object cost more than the statement. A view that presents events gets the round itself (an
    attribute asked of this copy that it lacks fails loudly rather than reads as empty)."""

    id: int
    identity_policy: IdentityPolicy
    secretariat_sees_caucus: bool


_NOW = bindparam("now")
_ADMISSION = (
    select(User.is_active, User.session_token, User.language, User.organisation_id, Organisation.constituency,
           exists().where(ApiToken.id == bindparam("token_id"), ApiToken.user_id == User.id, token_is_live(_NOW)),
           exists().where(invited(Round.id, User.organisation_id)).correlate(Round, User),
           select(Expert.constituency).where(appointed(Round.id, User.id, _NOW)).limit(1)
           .correlate(Round, User).scalar_subquery(),
           Round.audience_heads, Round.id, Round.identity_policy, Round.secretariat_sees_caucus)
    .select_from(User).join(Organisation, Organisation.id == User.organisation_id)
    .outerjoin(Round, Round.id == bindparam("round_id"))
    .where(User.id == bindparam("user_id")))


class Admitted(NamedTuple):
    """A socket's view of a round, and what was read with it: the language its person chose (None: none) and the
    round's heads (its last number in each audience)."""

    view: RoundView
    language: str | None
    heads: dict[str, int]


def admitted_view(database: Connection, socket: Socket | None, round_id: int) -> Admitted:
    """The view of the round of the socket's person, checked again; 401 when the person, their session or their
    token is no longer live, 404 when the round is not theirs to see."""
    row = None
    if socket is not None:
        row = database.execute(_ADMISSION, {"user_id": socket.user_id, "round_id": round_id,
                                            "token_id": socket.token_id, "now": utcnow()}).first()
    if row is None or not row.is_active:
        raise Unauthorized(gettext("The session has ended."))
    (is_active, session_token, language, organisation_id, constituency, token_live, is_invited, expert_for, heads,
     found, *lens) = row
    if socket.session_token and session_token != socket.session_token:
        raise Unauthorized(gettext("The session has ended."))
    if socket.token_id is not None and not token_live:
        # Revoked (by its person, a password reset, a deactivation) or expired since the socket connected.
        raise Unauthorized(gettext("The API token is missing, malformed, revoked or unknown."))
    if found is None:
        raise NotFound(gettext("No such round."))
    view = standing(RoundLens(found, *lens), socket.user_id, organisation_id, constituency, bool(is_invited),
                    expert_for)
    if not view.is_participant:
        raise NotFound(gettext("No such round."))
    return Admitted(view, language, heads or {})
