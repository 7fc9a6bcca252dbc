"""The API's event route: replay of a round's log."""

from consult.accounts.auth import require_user
from consult.api.routing import route
from consult.api.session import db_session
from consult.events import cursor
from consult.events.replay import present_events
from consult.events.schemas import EventPage, EventQuery
from consult.rounds.services import get_visible_round


@route("/rounds/<int:round_id>/events", summary="Replay the round's log", tag="events", query=EventQuery,
       response=EventPage, errors=(404, 422))
def list_events(round_id: int, query):
    """The events after the cursor `after` that the viewer may see, in the log's order."""
    session = db_session()
    view = get_visible_round(session, require_user(), round_id)
    heads = cursor.heads_of(view.round, view.audiences)
    events = cursor.events_after(session, view.round.id, query["after"], heads, query["limit"])
    moved = cursor.moved(query["after"], events, heads, complete=len(events) < query["limit"])
    return {"items": present_events(session, view, events), "cursor": cursor.written(moved), "heads": heads}
