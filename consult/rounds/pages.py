"""The dashboard and the round page: the plan, the timeline and participation pictures, and the threads."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request
from flask_login import current_user, login_required
from marshmallow import Schema, fields, validate

from consult.accounts.auth import require_user
from consult.accounts.models import Constituency
from consult.api.fields import Reference
from consult.api.routing import load_input
from consult.api.session import db_session
from consult.comments.models import Channel
from consult.comments.services import visible_comment
from consult.comments.threads import PAGE_SIZE, PREVIEW_SIZE, comment_labels, latest_threads, present_all
from consult.db import utcnow
from consult.errors import ConsultError
from consult.opinions.experts import expert_briefs
from consult.outcomes.followup_api import my_commitments
from consult.policy import aliases_of
from consult.questions.services import open_question_ids
from consult.registry.front_door import front_door
from consult.rounds.anonymity import anonymity_before_posting
from consult.rounds.cards import (
    index_card,
    participation_card,
    plan_card,
    post_form_card,
    section_cards,
    timeline_card,
)
from consult.rounds.charts import participation_chart, timeline_chart
from consult.rounds.dashboard import my_rounds, waiting_for
from consult.rounds.participation import participation
from consult.rounds.services import get_visible_round
from consult.rounds.workspace import (
    is_searching,
    last_seen,
    mark_visited,
    open_to_post,
    search_comments,
)
from consult.timeline.api import present_timeline
from consult.web import pages
from consult.web.marks import keep_mark

log = logging.getLogger(__name__)


class ThreadQuery(Schema):
    """Which thread of which section the round page shows (?section=privacy&channel=caucus&before=<a comment's
    public id>), and
    the search inside the round (?q=roster&topic=privacy&constituency=workers&unanswered=1&mine=1)."""

    section = fields.String(load_default=None, validate=validate.Length(max=40))
    channel = fields.Enum(Channel, by_value=True, load_default=Channel.PLENARY)
    before = Reference(load_default=None)
    q = fields.String(load_default="", validate=validate.Length(max=200))
    topic = fields.String(load_default="", validate=validate.Length(max=40))
    constituency = fields.String(load_default="", validate=validate.OneOf(["", *(c.value for c in Constituency)]))
    unanswered = fields.Boolean(load_default=False)
    mine = fields.Boolean(load_default=False)


@pages.route("/")
def dashboard():
    """My rounds, with each one's stage and time left, and what waits for me; a visitor gets the front door."""
    if not current_user.is_authenticated:
        return front_door()
    user = require_user()
    session = db_session()
    listed = my_rounds(session, user, utcnow())
    waiting = waiting_for(session, user, [item["round"] for item in listed])
    overdue = [c for c in my_commitments(user) if c.status == "overdue"]
    return render_template("dashboard.html", rounds=listed, user=user, overdue=overdue, waiting=waiting,
                           briefs=expert_briefs(session, user), endpoints=current_app.view_functions)


def _row_before(session, view, before: str | None) -> int | None:
    """The row id of the comment a page of older comments ends before (the link names it by public id)."""
    if before is None:
        return None
    return visible_comment(session, view, before).id


def render_round(round_id: int, *, problem: ConsultError | None = None, draft: dict | None = None,
                 status: int = 200, visiting: bool = False):
    """The round page as this viewer may see it; a refused form shows it again with `problem` and `draft`.

    `visiting`: a plain visit, which moves the viewer's "new since your last visit" mark to what it shows."""
    session = db_session()
    view = get_visible_round(session, require_user(), round_id)
    query = load_input(ThreadQuery(), request.args.to_dict())
    round = view.round
    since = last_seen(session, view)
    timeline = present_timeline(round)
    # One pass over the round's comments: participation per stage, and the section index's counts.
    taking_part = participation(session, view, timeline["stages"], since,
                               current_app.extensions.get("consult.round_tallies"))
    counts, newest = taking_part["sections"], taking_part["newest"]
    aliases = aliases_of(session, round_id)
    results = None
    if is_searching(query):
        found, total = search_comments(session, view, query, {s.key: s.id for s in round.sections})
        results = {"comments": [{**c, "depth": 0} for c in present_all(session, view, found, aliases, since)],
                   "total": total}
    # Each section shows one thread (plenary, or its caucus where asked for and readable); the other tab is a
    # link that loads it, so a page costs one thread per section.
    # Until a section is chosen each shows its latest PREVIEW_SIZE top-level comments; the chosen one a page.
    wanted, sizes = {}, {}
    for section in round.sections:
        chosen = section.key == query["section"]
        channel = query["channel"] if chosen and view.visible_caucuses else Channel.PLENARY
        wanted[(section.id, channel)] = _row_before(session, view, query["before"]) if chosen else None
        sizes[(section.id, channel)] = PAGE_SIZE if chosen else PREVIEW_SIZE
    threads = {} if results else latest_threads(session, view, wanted, aliases, since, sizes,
                                                current_app.extensions.get("consult.thread_choices"))
    # The cards that change rarely come from consult/rounds/cards.py's cache, keyed by this plain data.
    open_to = open_to_post(session, view)
    constituencies = [c.value for c in Constituency]
    plans = {section.id: plan_card(round.plan, section) for section in round.sections}
    cards = {"timeline": timeline_card(timeline, timeline_chart(timeline, round.created_at, utcnow()), round.time_zone),
             "participation": participation_card(taking_part, participation_chart(taking_part)),
             "sections": {} if results else section_cards(round, view, query, threads, open_to, plans),
             "index": index_card(round, counts, query, bool(results), constituencies),
             "post_form": post_form_card(round, draft or {}, query, open_to)}
    page = render_template(
        "round.html", view=view, round=round, threads=threads, timeline=timeline, zone=ZoneInfo(round.time_zone),
        cards=cards, page_size=PAGE_SIZE,
        problem=problem, draft=draft or {}, query=query, labels=comment_labels(),
        anonymity=anonymity_before_posting(session, view), counts=counts, since=since, results=results,
        open_to=open_to, constituencies=constituencies,
        open_questions=len(open_question_ids(session, round_id)))
    if visiting and (since is None or newest > since):  # write only when the mark moves
        keep_mark(lambda session: mark_visited(session, view, newest),
                  f"of person {view.user_id} in round {round.id}")
    return page, status


@pages.route("/rounds/<int:round_id>")
@login_required
def round_page(round_id: int):
    """The plan, the timeline, participation, and each section's threads."""
    return render_round(round_id, visiting=True)
