"""The round page's kept choice of comments (consult/comments/threads.py): a thread is never shown as it was
before a comment or a reaction, a caucus thread chosen for one constituency is never shown to another, and an
author's new name shows on the next page although it moves no event."""

from __future__ import annotations

import re

from sqlalchemy import select

from consult.accounts.lifecycle import update_profile
from consult.accounts.models import User
from consult.comments.models import Comment, Reaction
from consult.comments.services import react
from consult.comments.threads import read_comments
from consult.policy import aliases_of, present_comment
from consult.rounds.services import get_visible_round
from tests.factories import tripartite
from tests.pages.forms import browser


def page(client, round, query: str = "") -> str:
    """The round page as this client's person sees it."""
    return client.get(f"/rounds/{round.id}{query}").get_data(as_text=True)


def shown(html: str) -> list[str]:
    """The public ids of the comments a page shows, in order."""
    return re.findall(r'<li id="comment-([^"]+)"', html)


def choices(app):
    return app.extensions["consult.thread_choices"]


def test_a_kept_choice_is_made_again_after_a_comment_and_a_reaction(app, make):
    world = tripartite(make)
    round = world["round"]
    first = make.comment(world["government"], round, "Who audits the roster?", section="privacy")
    worker = browser(app, world["worker"])
    assert shown(page(worker, round)) == [first.public_id] and len(choices(app)) == 1
    assert shown(page(worker, round)) == [first.public_id] and len(choices(app)) == 1  # the kept choice

    reply = make.comment(world["employer"], round, "Our auditor.", section="privacy", parent_id=first.public_id)
    second = make.comment(world["employer"], round, "Rosters a week ahead.", section="privacy")
    assert shown(page(worker, round)) == [first.public_id, reply.public_id, second.public_id]

    with make.db.transaction() as session:
        react(session, session.get(User, world["employer"].id), round.id, first.public_id, Reaction.AGREE)
    assert "Agree: Employers 1" in page(worker, round)


def test_a_caucus_thread_kept_for_one_constituency_is_never_shown_to_another(app, make):
    world = tripartite(make)
    round = world["round"]
    ours = make.comment(world["worker"], round, "Unions want 30 days.", section="privacy", channel="caucus")
    theirs = make.comment(world["employer"], round, "Offer 60 days.", section="privacy", channel="caucus")
    caucus = "?section=privacy&channel=caucus"
    worker = page(browser(app, world["worker"]), round, caucus)  # the workers' choice is kept first
    assert shown(worker) == [ours.public_id] and "Unions want 30 days." in worker
    employer = page(browser(app, world["employer"]), round, caucus)  # same round, same event, same thread
    assert shown(employer) == [theirs.public_id]
    assert "Unions want 30 days." not in employer and "Offer 60 days." in employer


def test_an_authors_new_name_shows_on_the_next_page(app, make):
    world = tripartite(make)
    round = world["round"]
    make.comment(world["government"], round, "Who audits the roster?", section="privacy")
    worker = browser(app, world["worker"])
    assert "Gil Government" in page(worker, round)
    with make.db.transaction() as session:
        update_profile(session, session.get(User, world["government"].id), {"display_name": "Gilda Government"})
    renamed = page(worker, round)
    assert "Gilda Government" in renamed and "Gil Government" not in renamed


def test_a_thread_read_as_columns_shows_each_comment_as_the_policy_shows_the_full_comment(app, make):
    world = tripartite(make)
    round = world["round"]
    first = make.comment(world["worker"], round, "Unions want 30 days.", section="privacy")
    make.comment(world["employer"], round, "Our auditor.", section="privacy", parent_id=first.public_id)
    make.comment(world["worker"], round, "Between us.", section="system", channel="caucus")
    for reader in ("worker", "employer", "secretariat"):
        with app.test_request_context(), make.db.transaction() as session:
            view = get_visible_round(session, session.get(User, world[reader].id), round.id)
            aliases = aliases_of(session, round.id)
            ids = list(session.scalars(select(Comment.id).order_by(Comment.id)))
            full = [c for c in session.scalars(select(Comment).order_by(Comment.id)) if view.may_see_comment(c)]
            read = read_comments(session, view, ids)
            assert [present_comment(view, c, aliases) for c in read] \
                == [present_comment(view, c, aliases) for c in full], reader
