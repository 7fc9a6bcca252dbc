"""A round page's threads: the latest top-level comments of each section with all their replies.

Reading only: a constant number of queries whatever the number of comments (one counts each thread's
top-level comments from an index, one recursive query finds each thread's latest top-level comments and their
replies). Each comment is shown as the policy presents it to the viewer.

Which comments a page shows, their reactions and which were edited change only when the round's log moves
(posting a comment, the only way one is made, reacting to one and editing one each append an event), so that
choice is kept by the round's last event number (`Round.last_seq`), the threads asked for, and what the viewer
may read (`_readers`): never who they are, so a worker and an employer never share one. The comments
themselves are read afresh on every page (their authors' names and organisations change without an event) and
through the viewer's filter again.
"""

from __future__ import annotations

from collections import defaultdict, namedtuple
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import get_locale, gettext
from sqlalchemy import and_, bindparam, func, or_, select, union_all
from sqlalchemy.orm import Session

from consult.accounts.models import Organisation, User
from consult.comments.fragments import FragmentCache, Labels
from consult.comments.models import Channel, Comment, CommentReaction, CommentRevision
from consult.comments.services import tallies_of
from consult.policy import RoundView, present_comment
from consult.rounds.models import Section

#: Top-level comments shown per section and page; their replies come with them.
PAGE_SIZE = 20
#: Top-level comments of each section the round page shows before one is chosen (a long round stays light).
PREVIEW_SIZE = 5
#: Replies deeper than this are shown at this depth, in order, so a long exchange stays readable.
MAX_DEPTH = 3


#: A thread: one section's comments in one channel.
Key = tuple[int, Channel]


@dataclass
class Thread:
    """One section's thread as shown: comments in reading order, and what lies beyond this page."""

    before: int | None = None  # this page shows top-level comments older than this id (None: the latest)
    comments: list[dict[str, Any]] = field(default_factory=list)
    older: int = 0  # top-level comments older than the oldest shown
    oldest_id: str | None = None  # the oldest top-level comment shown, by public id (the "older comments" link)


def _matches(pages: dict[Key, int | None]):
    """The SQL condition: the threads asked for, each below its `before` id where it has one."""
    clauses = []
    for (section_id, channel), before in pages.items():
        clause = and_(Comment.section_id == section_id, Comment.channel == channel)
        if before is not None:
            clause = and_(clause, Comment.id < before)
        clauses.append(clause)
    return or_(*clauses) if clauses else Comment.id.is_(None)


def _roots(readable, pages: dict[Key, int | None], sizes: dict[Key, int]):
    """The ids of each thread's page of `readable` top-level comments (its latest, or those before an id): one
    index range read per thread, newest first, rather than a ranking of every top-level comment of the round."""
    picks = []
    for (section_id, channel), before in pages.items():
        pick = select(Comment.id).where(readable, Comment.section_id == section_id, Comment.channel == channel)
        if before is not None:
            pick = pick.where(Comment.id < before)
        picks.append(pick.order_by(Comment.id.desc()).limit(sizes.get((section_id, channel), PAGE_SIZE)).subquery())
    return union_all(*(select(pick.c.id) for pick in picks))


def _readers(view: RoundView) -> Hashable:
    """What a page's choice of comments depends on in its viewer: the comments they may read (`comment_filter`)."""
    return (view.expert_for, view.is_participant, view.visible_caucuses)


def _chosen(session: Session, view: RoundView, pages: dict[Key, int | None], sizes: dict[Key, int]
            ) -> tuple[dict[Key, int], list[int], dict[int, dict], set[int]]:
    """Each thread's count of top-level comments, the ids of the comments shown (in order), their reactions, and
    which of them were edited (have earlier versions)."""
    readable = and_(Comment.round_id == view.round.id, Comment.parent_id.is_(None), view.comment_filter())
    # Each thread's count of top-level comments (before its `before` id) is read from an index alone
    # (ix_comments_round_tally), never from the comments' rows.
    totals = {(section_id, Channel(channel)): total for section_id, channel, total in session.execute(
        select(Comment.section_id, Comment.channel, func.count()).where(readable, _matches(pages))
        .group_by(Comment.section_id, Comment.channel))}
    wanted = {key: before for key, before in pages.items() if totals.get(key)}
    ids: list[int] = []
    if wanted:
        roots = _roots(readable, wanted, sizes)
        tree = select(Comment.id).where(Comment.id.in_(roots)).cte("tree", recursive=True)
        tree = tree.union_all(select(Comment.id).where(Comment.parent_id == tree.c.id))
        ids = list(session.scalars(select(Comment.id).where(Comment.id.in_(select(tree.c.id)), view.comment_filter())
                                   .order_by(Comment.id)))
    revised = set(session.scalars(select(CommentRevision.comment_id).where(CommentRevision.comment_id.in_(ids))
                                  .distinct())) if ids else set()
    return totals, ids, tallies_of(session, ids), revised


class ReadComment:
    """A comment as a page reads it: the columns `present_comment` shows, with its author, their organisation at
    the time and its section as the little each shows (a name, a key), never ORM objects, which cost more to
    build than the page spends on all the rest of the thread."""

    __slots__ = ("id", "public_id", "round_id", "section_id", "parent_id", "parent_public_id", "author_id",
                 "author_constituency", "channel", "caucus", "body", "body_html", "created_at", "edited_at",
                 "is_hidden", "hidden_reason", "author", "author_organisation", "section")

    def __init__(self, row: Any) -> None:
        (self.id, self.public_id, self.round_id, self.section_id, self.parent_id, self.parent_public_id,
         self.author_id, self.author_constituency, self.channel, self.caucus, self.body, self.body_html,
         self.created_at, self.edited_at, self.is_hidden, self.hidden_reason, display_name, role_title,
         organisation, section) = row
        self.author = _Author(self.author_id, display_name, role_title)
        self.author_organisation = _Named(organisation)
        self.section = _Key(section)


#: What `present_comment` reads of a comment's author, their organisation and its section.
_Author = namedtuple("_Author", "id display_name role_title")
_Named = namedtuple("_Named", "name")
_Key = namedtuple("_Key", "key")
#: The comment's own columns a page reads, in ReadComment's order (its slots but the three it builds).
_COLUMNS = ReadComment.__slots__[:-3]


#: What `read_comments` selects and joins, built once: each page adds only its ids and the viewer's filter.
_READ = (select(*(getattr(Comment, name) for name in _COLUMNS), User.display_name, User.role_title,
                Organisation.name, Section.key)
         .join(User, User.id == Comment.author_id)
         .join(Organisation, Organisation.id == Comment.author_organisation_id)
         .join(Section, Section.id == Comment.section_id)
         .order_by(Comment.id))
#: `_READ` of the comments of `ids` each lens may read, built once per lens (a handful per application): building
#: it and working out its key cost as much as running it.
_READ_FOR: dict[tuple, Any] = {}
_REACTIONS = select(CommentReaction.comment_id, CommentReaction.kind).where(
    CommentReaction.comment_id.in_(bindparam("ids", expanding=True)), CommentReaction.user_id == bindparam("user_id"))


def read_comments(session: Session, view: RoundView, ids: list[int]) -> list[ReadComment]:
    """The comments of `ids` the viewer may read (through `comment_filter` again: a kept choice never widens what
    they read), in id order, as the page shows them: read afresh, since names and organisations change."""
    if not ids:
        return []
    lens = (view.expert_for, view.is_participant, tuple(sorted(view.visible_caucuses)))
    statement = _READ_FOR.get(lens)
    if statement is None:
        statement = _READ_FOR[lens] = _READ.where(Comment.id.in_(bindparam("ids", expanding=True)),
                                                  view.comment_filter())
    # On the session's connection, past the ORM's handling of a statement of plain columns (a third of the
    # read): only the round page reads threads, in a transaction with nothing to flush (a refused form's too,
    # after its rollback).
    rows = session.connection().execute(statement, {"ids": ids})
    return [ReadComment(row) for row in rows]


def latest_threads(session: Session, view: RoundView, pages: dict[Key, int | None],
                   aliases: dict[int, int], since: int | None = None,
                   sizes: dict[Key, int] | None = None, cache: FragmentCache | None = None) -> dict[Key, Thread]:
    """For each thread asked for, PAGE_SIZE top-level comments (the latest, or those before an id), with replies.

    `pages` maps (section id, channel) to None for the latest page, or to the id the page must end before;
    comments of others posted after the comment id `since` are marked new; `sizes` shows fewer top-level
    comments in some threads (PAGE_SIZE where not given); `cache` keeps the choice until the round's next event.
    """
    sizes = sizes or {}
    key = (view.round.id, view.round.last_seq, _readers(view), tuple(pages.items()), tuple(sizes.items()))
    chosen = cache.get(key) if cache is not None else None
    if chosen is None:
        chosen = _chosen(session, view, pages, sizes)
        if cache is not None:
            cache.put(key, chosen)
    totals, ids, tallies, revised = chosen
    comments = read_comments(session, view, ids)
    threads = {key: Thread(before) for key, before in pages.items()}
    by_thread: dict[Key, list[dict]] = defaultdict(list)
    oldest: dict[Key, ReadComment] = {}
    for comment, shown in zip(comments, present_all(session, view, comments, aliases, since, tallies, revised),
                              strict=True):
        key = (comment.section_id, comment.channel)
        by_thread[key].append(shown)
        if comment.parent_id is None and (key not in oldest or comment.id < oldest[key].id):
            oldest[key] = comment
    for key, items in by_thread.items():
        thread = threads[key]
        thread.comments = as_tree(items)
        roots = [c for c in items if c["parent_id"] is None]
        thread.oldest_id = oldest[key].public_id if key in oldest else None
        thread.older = totals.get(key, 0) - len(roots)
    return threads


def present_all(session: Session, view: RoundView, comments: list[Comment] | list[ReadComment], aliases: dict[int, int],
                since: int | None = None, tallies: dict[int, dict] | None = None,
                revised: set[int] | None = None) -> list[dict]:
    """Each comment as the policy shows it to the viewer, with its history, tallies (read here unless given), the
    viewer's reaction and whether it is new to them (another's, after the comment id `since`), in a constant
    number of queries; `revised`, where given, names the only comments that have a history to read."""
    ids = [c.id for c in comments]
    tallies = tallies_of(session, ids) if tallies is None else tallies
    history = revisions_of(session, ids if revised is None else [i for i in ids if i in revised])
    counts = {k: len(v) for k, v in history.items()}
    mine = my_reactions(session, view, ids)
    shown = []
    for comment in comments:
        item = present_comment(view, comment, aliases, tallies, counts)
        item["history"] = history.get(comment.id, []) if item["revisions"] else []
        item["my_reaction"] = mine.get(comment.id)
        item["is_new"] = since is not None and comment.id > since and comment.author_id != view.user_id
        shown.append(item)
    return shown


def revisions_of(session: Session, comment_ids: list[int]) -> dict[int, list[CommentRevision]]:
    """Earlier versions of each comment, oldest first, in one query."""
    found: dict[int, list[CommentRevision]] = defaultdict(list)
    if comment_ids:
        for revision in session.scalars(select(CommentRevision).where(CommentRevision.comment_id.in_(comment_ids))
                                        .order_by(CommentRevision.id)):
            found[revision.comment_id].append(revision)
    return found


def my_reactions(session: Session, view: RoundView, comment_ids: list[int]) -> dict[int, str]:
    """The viewer's own reaction to each comment, in one query."""
    if not comment_ids or view.user_id is None:
        return {}
    rows = session.execute(_REACTIONS, {"ids": comment_ids, "user_id": view.user_id})
    return {comment_id: kind.value for comment_id, kind in rows}


def as_tree(comments: list[dict]) -> list[dict]:
    """Comments in reading order (each reply after its parent) with a display depth capped at MAX_DEPTH."""
    children: dict[str | None, list[dict]] = defaultdict(list)
    present = {c["id"] for c in comments}
    for comment in comments:
        parent = comment["parent_id"] if comment["parent_id"] in present else None
        children[parent].append(comment)
    ordered: list[dict] = []
    stack = [(c, 0) for c in reversed(children[None])]
    while stack:
        comment, depth = stack.pop()
        ordered.append({**comment, "depth": min(depth, MAX_DEPTH)})
        stack.extend((child, depth + 1) for child in reversed(children[comment["id"]]))
    return ordered


def comment_labels() -> Labels:
    """The words every comment on a page repeats, translated once per language (kept by the application) rather
    than once per comment: shared by every page in that language, so read only.

    Strings with a placeholder come untranslated-for-values ("%(date)s"): the template fills them with `format`.
    """
    language = str(get_locale())
    kept = current_app.extensions.setdefault("consult.comment_labels", {})
    labels = kept.get(language)
    if labels is None:
        labels = kept[language] = Labels({
            "kinds": {"agree": gettext("Agree"), "disagree": gettext("Disagree"), "question": gettext("Question")},
            "take_back": gettext("Take my reaction back"), "reply": gettext("Reply"), "edit": gettext("Edit"),
            "hide": gettext("Hide"), "hidden": gettext("Hidden by the secretariat"),
            "hidden_from": gettext("Hidden from participants: %(reason)s"), "edited": gettext("Edited %(date)s"),
            "written": gettext("Written %(date)s"), "caucus": gettext("%(constituency)s caucus"),
            "new": gettext("New since your last visit"), "in_thread": gettext("In its thread"),
        })
    return labels


#: Choices kept per application (a round times its lenses and pages: a few hundred ids each).
CHOICES = 2000


def init_app(app) -> None:
    """Give the application its cache of thread choices (the round page passes it to `latest_threads`)."""
    app.extensions["consult.thread_choices"] = FragmentCache(CHOICES)
