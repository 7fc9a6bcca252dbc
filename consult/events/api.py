"""The API's event route: replay of a round's log."""

from consult.accounts.auth import require_user
from consult.api.routing import route
from consult.api.session import db_session
from consult.events.replay import events_after, present_events
from consult.events.schemas import EventPage, EventQuery
from consult.rounds.services import get_visible_round


@route("/rounds/<int:round_id>/events", summary="Replay the round's log", tag="events", query=EventQuery,
       response=EventPage, errors=(404, 422))
def list_events(round_id: int, query):
    """The events after `after` that the viewer may see, in sequence order."""
    session = db_session()
    view = get_visible_round(session, require_user(), round_id)
    events = events_after(session, view, query["after"], query["limit"])
    return {"items": present_events(session, view, events), "last_seq": view.round.last_seq}
