"""The API's affected-worker routes: list them, inform each, and read who was informed (as the policy lets)."""

from __future__ import annotations

from consult.accounts.auth import require_user
from consult.api.routing import route
from consult.api.session import db_session
from consult.errors import Conflict
from consult.informing import gate, services
from consult.informing.present import affected_workers_of
from consult.informing.schemas import AffectedWorkersIn, AffectedWorkersOut
from consult.rounds.services import get_visible_round

#: Imported for its registration: the stage the workflow gates does not end before the workers are informed.
REGISTERED = gate.informing_facts


def _shown(round_id: int) -> dict:
    session = db_session()
    shown = affected_workers_of(session, get_visible_round(session, require_user(), round_id))
    if shown is None:
        raise Conflict("This round's workflow informs the workers' representatives only: it lists no affected "
                       "workers.")
    return shown


@route("/rounds/<int:round_id>/affected-workers", summary="The workers the plan affects and how each was informed",
       tag="procedure", response=AffectedWorkersOut, errors=(404, 409))
def get_affected_workers(round_id: int):
    """Counts for every participant; names, addresses and each delivery for the employer and the secretariat."""
    return _shown(round_id)


@route("/rounds/<int:round_id>/affected-workers", "POST", summary="List workers the plan affects", tag="procedure",
       body=AffectedWorkersIn, response=AffectedWorkersOut, status=201, errors=(403, 404, 409, 422))
def list_affected_workers(round_id: int, body):
    """The employer or the secretariat lists workers (a name, and an e-mail address where they have one)."""
    services.list_affected_workers(db_session(), require_user(), round_id, body["workers"])
    return _shown(round_id)


@route("/rounds/<int:round_id>/affected-workers/inform", "POST", summary="Inform each listed worker",
       tag="procedure", response=AffectedWorkersOut, errors=(403, 404, 409))
def inform_affected_workers(round_id: int):
    """A mail to each listed worker with an address (sent after the commit), a printable letter for the others."""
    services.inform_affected_workers(db_session(), require_user(), round_id)
    return _shown(round_id)
