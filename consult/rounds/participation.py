"""Who took part, and when: comments and stances per constituency and stage, as this viewer may see them.

A comment or stance belongs to the stage the round was in when it was made (the stage entered last before
it). Only what the viewer may see is counted: comments through the policy's comment filter (another
constituency's caucus is not counted), stances through its event filter. Two queries, whatever the size.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session

from consult.accounts.models import Constituency
from consult.comments.models import Comment
from consult.events.models import Event
from consult.policy import RoundView

#: Constituencies in the order the chart and its table list them.
ORDER = [c.value for c in Constituency]


def participation(session: Session, view: RoundView, stages: list[dict[str, Any]],
                  since: int | None = None) -> dict[str, Any]:
    """{"stages": [{"key", "title", "counts": {constituency: {"comments": n, "stances": n}}}], "constituencies",
    "sections": {section id: {"comments": n, "new": n}}, "newest": id}.

    `stages` is the presented timeline; only stages the round has entered are listed. The same pass over the
    comments counts each section's comments the viewer may read and those new since the comment id `since`
    (others' comments only), and finds the newest (0: none): the section index's counts.
    """
    entered = sorted(((s["entered_at"], s["key"]) for s in stages if s["entered_at"]), key=lambda pair: pair[0])
    counts: dict[str, dict[str, dict[str, int]]] = {key: {} for _, key in entered}
    stage_of = case(*((Comment.created_at >= at, literal(key)) for at, key in reversed(entered)),
                    else_=literal(entered[0][1])) if entered else literal(None)
    made = select(Comment.section_id, stage_of.label("stage"), Comment.author_constituency.label("constituency"),
                  Comment.id, Comment.author_id).where(Comment.round_id == view.round.id, view.comment_filter()) \
        .subquery()
    row = made.c  # one comment's columns
    fresh = func.sum(case((and_(row.id > since, row.author_id != (view.user_id or 0)), 1), else_=0)) \
        if since is not None else literal(0)
    sections: dict[int, dict[str, int]] = {}
    newest = 0
    for section_id, stage, constituency, number, new, top in session.execute(
            select(row.section_id, row.stage, row.constituency, func.count(), fresh,
                   func.max(row.id)).group_by(row.section_id, row.stage, row.constituency)):
        cell = sections.setdefault(section_id, {"comments": 0, "new": 0})
        cell["comments"] += number
        cell["new"] += int(new or 0)
        newest = max(newest, top or 0)
        if entered:
            _add(counts, stage, constituency.value if isinstance(constituency, Constituency) else constituency,
                 "comments", number)
    if entered:
        for created_at, payload in session.execute(select(Event.created_at, Event.payload).where(
                Event.round_id == view.round.id, Event.type == "stance.recorded", view.event_filter())):
            _add(counts, stage_at(entered, created_at), payload["constituency"], "stances", 1)
    seen = {c for by in counts.values() for c in by}
    titles = {s["key"]: s["title"] for s in stages}
    return {"constituencies": [c for c in ORDER if c in seen],
            "stages": [{"key": key, "title": titles[key], "counts": counts[key]} for _, key in entered],
            "sections": sections, "newest": newest}


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
