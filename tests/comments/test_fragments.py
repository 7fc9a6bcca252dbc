"""The cache of rendered comments (consult/comments/fragments.py): a comment is never shown as it was before an
edit, a hide, a reaction or a reply, never in another language than the page's, and never as another lens
sees it (a caucus comment outside its constituency, a pseudonymous worker's name to an employer)."""

from __future__ import annotations

import re

from consult.accounts.models import User
from consult.accounts.services import set_language
from consult.comments.models import Reaction
from consult.comments.services import edit_comment, hide_comment, react
from tests.factories import tripartite
from tests.pages.forms import browser


def page(client, round, query: str = "") -> str:
    """The round page as this client's person sees it, with the per-request CSRF token left out."""
    html = client.get(f"/rounds/{round.id}{query}").get_data(as_text=True)
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token"', html)


def item(html: str, comment) -> str:
    """One comment's <li>, up to the next comment's (or the thread's end)."""
    return re.search(rf'<li id="comment-{comment.public_id}".*?(?=<li id="comment-|</ol>\s*(?:<p|</div>))',
                     html, re.S).group(0)


def as_(make, user, action, *args) -> None:
    """Run a comment service as `user`, in a unit of work of its own."""
    with make.db.transaction() as session:
        action(session, session.get(User, user.id), *args)


def fragments(app):
    return app.extensions["consult.comment_fragments"]


def test_a_cached_comment_is_shown_again_after_an_edit_a_reaction_a_reply_and_a_hide(app, make):
    world = tripartite(make)
    round = world["round"]
    comment = make.comment(world["worker"], round, "Scanner data is kept too long.", section="privacy")
    government, worker = browser(app, world["government"]), browser(app, world["worker"])
    before = item(page(government, round), comment)
    assert "Scanner data is kept too long." in before and len(fragments(app)) > 0
    assert item(page(government, round), comment) == before  # the second page is served from the cache
    assert "/edit" not in before and "/edit" in item(page(worker, round), comment)  # only its author edits

    as_(make, world["worker"], edit_comment, round.id, comment.public_id, "Scanner data is kept **far** too long.")
    edited = item(page(government, round), comment)
    assert "<strong>far</strong>" in edited and "Edited" in edited and "1 earlier version" in edited

    assert f'data-reactions="{comment.public_id}" hidden' in edited
    as_(make, world["employer"], react, round.id, comment.public_id, Reaction.AGREE)
    tallied = item(page(government, round), comment)
    assert f'data-reactions="{comment.public_id}" hidden' not in tallied and "Agree: Employers 1" in tallied
    assert 'value="agree" class="small" aria-pressed="false"' in tallied
    as_(make, world["government"], react, round.id, comment.public_id, Reaction.AGREE)
    mine = item(page(government, round), comment)
    assert 'value="agree" class="small" aria-pressed="true"' in mine and "Government 1" in mine
    assert 'value="agree" class="small" aria-pressed="false"' in item(page(worker, round), comment)

    reply = make.comment(world["employer"], round, "We will keep it a week.", section="privacy",
                         parent_id=comment.public_id)
    assert "We will keep it a week." in item(page(government, round), reply)

    as_(make, world["secretariat"], hide_comment, round.id, comment.public_id, "Off topic")
    hidden = item(page(government, round), comment)
    assert "Scanner data" not in hidden and "Hidden by the secretariat: Off topic" in hidden
    assert "Scanner data" in item(page(browser(app, world["secretariat"]), round), comment)


def test_a_caucus_comment_cached_for_its_constituency_never_reaches_another(app, make):
    world = tripartite(make)
    round = world["round"]
    caucus = make.comment(world["worker"], round, "Our red line: no ranking.", section="privacy", channel="caucus")
    thread = "?section=privacy&channel=caucus"
    assert "Our red line: no ranking." in page(browser(app, world["worker"]), round, thread)
    for side in ("employer", "government"):
        for query in (thread, ""):
            seen = page(browser(app, world[side]), round, query)
            assert "red line" not in seen and caucus.public_id not in seen


def test_a_pseudonym_cached_for_an_employer_is_never_a_name_and_a_name_never_a_pseudonym(app, make):
    world = tripartite(make, identity_policy="pseudonymous")
    round = world["round"]
    comment = make.comment(world["worker"], round, "Who reads the scanner data?", section="privacy")
    worker, employer = browser(app, world["worker"]), browser(app, world["employer"])
    for _ in range(2):  # each lens after the other has filled the cache
        named = item(page(worker, round), comment)
        assert "Wanda Worker" in named and "Worker representative" not in named
        masked = page(employer, round)
        assert "Worker representative 1" in item(masked, comment) and "Wanda Worker" not in masked
        assert world["worker"].organisation.name not in masked


def test_a_change_of_language_shows_the_cached_comments_in_the_new_language(app, make):
    world = tripartite(make)
    round = world["round"]
    comment = make.comment(world["worker"], round, "Training first.", section="skills_training")
    government = browser(app, world["government"])
    english = item(page(government, round), comment)
    assert ">Reply</a>" in english and ">Agree</button>" in english
    with make.db.transaction() as session:
        set_language(session, session.get(User, world["government"].id), "fr")
    french = item(page(government, round), comment)
    assert ">Répondre</a>" in french and ">Accord</button>" in french and "Training first." in french
    assert ">Reply</a>" in item(page(browser(app, world["worker"]), round), comment)


def test_the_cache_changes_nothing_in_the_page(app, make, monkeypatch):
    world = tripartite(make)
    round = world["round"]
    first = make.comment(world["worker"], round, "A first point.", section="privacy")
    make.comment(world["employer"], round, "An answer.", section="privacy", parent_id=first.public_id)
    make.comment(world["worker"], round, "Our caucus view.", section="privacy", channel="caucus")
    worker = browser(app, world["worker"])

    def threads(query: str) -> list[str]:
        return re.findall(r'<ol class="thread".*?</ol>', page(worker, round, query), re.S)

    for query in ("", "?section=privacy&channel=caucus", "?q=point"):
        threads(query)  # fills the cache
        cached = threads(query)
        assert "<li id=\"comment-" in "".join(cached)
        with monkeypatch.context() as patch:
            patch.setitem(app.extensions, "consult.comment_fragments", None)
            assert threads(query) == cached
