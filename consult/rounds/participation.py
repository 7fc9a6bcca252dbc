"""Who took part, and when: comments and stances per constituency and stage, as this viewer may see them.

A comment or stance belongs to the stage the round was in when it was made (the stage entered last before
it). Only what the viewer may see is counted: comments through the policy's comment filter (another
constituency's caucus is not counted), stances through its event filter. Two queries, whatever the size.

The counts change only when the round's log moves (a comment, a stance and a stage each append an event), so
each lens's tally is kept by the round's last event number (`Round.last_seq`) and read once per event rather
than once per page. The key holds everything the tally depends on in the viewer, which comments and events
they may see (`_lens`), and never who they are: two workers share a tally, a worker and an employer never do.
What is new to one person (since their last visit, others' comments only) is counted for them alone, from
the index, and only when the round has a comment newer than their mark.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Hashable
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session

from consult.accounts.models import Constituency
from consult.comments.fragments import FragmentCache
from consult.comments.models import Comment
from consult.events.models import Event
from consult.policy import RoundView, user_audience

#: Constituencies in the order the chart and its table list them.
ORDER = [c.value for c in Constituency]


def participation(session: Session, view: RoundView, stages: list[dict[str, Any]],
                  since: int | None = None, cache: FragmentCache | None = None) -> dict[str, Any]:
    """{"stages": [{"key", "title", "counts": {constituency: {"comments": n, "stances": n}}}], "constituencies",
    "sections": {section id: {"comments": n, "new": n}}, "newest": id}.

    `stages` is the presented timeline; only stages the round has entered are listed. The same pass over the
    comments counts each section's comments the viewer may read and those new since the comment id `since`
    (others' comments only), and finds the newest (0: none): the section index's counts. `cache` keeps each
    lens's tally until the round's next event.
    """
    entered = sorted(((s["entered_at"], s["key"]) for s in stages if s["entered_at"]), key=lambda pair: pair[0])
    key = (view.round.id, view.round.last_seq, _lens(view), tuple(entered))
    tally = cache.get(key) if cache is not None else None
    if tally is None:
        tally = _tally(session, view, entered)
        if cache is not None:
            cache.put(key, tally)
    counts, totals, newest = tally
    sections = {section_id: {"comments": number, "new": 0} for section_id, number in totals.items()}
    if since is not None and newest > since:
        for section_id, new in session.execute(
                select(Comment.section_id, func.count()).where(
                    Comment.round_id == view.round.id, view.comment_filter(), Comment.id > since,
                    Comment.author_id != (view.user_id or 0)).group_by(Comment.section_id)):
            sections[section_id]["new"] = new
    seen = {c for by in counts.values() for c in by}
    titles = {s["key"]: s["title"] for s in stages}
    return {"constituencies": [c for c in ORDER if c in seen],
            "stages": [{"key": key, "title": titles[key], "counts": counts[key]} for _, key in entered],
            "sections": sections, "newest": newest}


def _lens(view: RoundView) -> Hashable:
    """What a tally depends on in its viewer: the comments and events they may see, not who they are."""
    return (view.expert_for, view.is_participant, view.visible_caucuses, _shared_audiences(view))


def _shared_audiences(view: RoundView) -> frozenset[str]:
    """The viewer's event audiences but their own (a stance is recorded for the participants, never one person)."""
    return view.audiences - {user_audience(view.user_id)} if view.user_id is not None else view.audiences


def _tally(session: Session, view: RoundView, entered: list[tuple[datetime, str]]
           ) -> tuple[dict[str, dict[str, dict[str, int]]], dict[int, int], int]:
    """The lens's counts per stage and constituency, its comments per section, and its newest comment id."""
    counts: dict[str, dict[str, dict[str, int]]] = {key: {} for _, key in entered}
    stage_of = case(*((Comment.created_at >= at, literal(key)) for at, key in reversed(entered)),
                    else_=literal(entered[0][1])) if entered else literal(None)
    made = select(Comment.section_id, stage_of.label("stage"), Comment.author_constituency.label("constituency"),
                  Comment.id).where(Comment.round_id == view.round.id, view.comment_filter()).subquery()
    row = made.c  # one comment's columns
    sections: dict[int, int] = {}
    newest = 0
    for section_id, stage, constituency, number, top in session.execute(
            select(row.section_id, row.stage, row.constituency, func.count(), func.max(row.id))
            .group_by(row.section_id, row.stage, row.constituency)):
        sections[section_id] = sections.get(section_id, 0) + number
        newest = max(newest, top or 0)
        if entered:
            _add(counts, stage, constituency.value if isinstance(constituency, Constituency) else constituency,
                 "comments", number)
    if entered:
        for created_at, payload in session.execute(select(Event.created_at, Event.payload).where(
                Event.round_id == view.round.id, Event.type == "stance.recorded",
                Event.audience.in_(sorted(_shared_audiences(view))))):
            _add(counts, stage_at(entered, created_at), payload["constituency"], "stances", 1)
    return counts, sections, newest


def _add(counts: dict, stage: str, constituency: str, kind: str, number: int) -> None:
    cell = counts[stage].setdefault(constituency, {"comments": 0, "stances": 0})
    cell[kind] += number


def most(data: dict[str, Any]) -> int:
    """The largest count of the chart (its scale)."""
    return max([n for s in data["stages"] for by in s["counts"].values() for n in by.values()] or [0])


def stage_at(entered: list[tuple[datetime, str]], at: datetime) -> str | None:
    """The stage a round was in at a moment, from the (entered_at, key) pairs in order."""
    index = bisect_right([when for when, _ in entered], at) - 1
    return entered[max(index, 0)][1] if entered else None


#: Tallies kept per application (one per round, lens and event: a few hundred bytes each).
TALLIES = 2000


def init_app(app) -> None:
    """Give the application its cache of tallies (the round page passes it to `participation`)."""
    app.extensions["consult.round_tallies"] = FragmentCache(TALLIES)
