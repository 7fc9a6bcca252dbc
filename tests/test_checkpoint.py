"""The suite's checkpoint (tests/checkpoint.py) puts a database back exactly: rows, and the ids given next."""

from __future__ import annotations

from sqlalchemy import func, select

from consult.accounts.models import Organisation, User
from consult.events.models import Event
from tests.checkpoint import Checkpoint


def _counts(db) -> tuple[int, int, int]:
    with db.transaction(write=False) as session:
        return tuple(session.scalar(select(func.count()).select_from(model)) for model in (Organisation, User, Event))


def test_a_restored_checkpoint_has_the_saved_rows_and_gives_the_same_ids_again(make, db):
    kept = make.user("workers", name="Kept Person")
    saved = Checkpoint(db)
    before = _counts(db)
    added = make.user("employers", name="Added Person")
    make.round(added)
    with db.transaction() as session:
        session.get(User, kept.id).display_name = "Renamed"
    assert _counts(db) != before

    saved.restore()
    assert _counts(db) == before
    with db.transaction(write=False) as session:
        assert session.get(User, kept.id).display_name == "Kept Person"
        assert session.get(User, added.id) is None
    again = make.user("employers", name="Added Again")
    assert (again.id, again.organisation_id) == (added.id, added.organisation_id)
