"""Each comment of a thread rendered once per state and lens, then reused: most of a round page's template work.

A comment's `<li>` is a pure function of what its macro (`comment_item` in templates/_comment.html) is
given: the comment as the policy presented it to this viewer (the author under the identity policy, hidden
text withheld, its history, tally, the viewer's own reaction, the "new" mark and its depth), the page's
language and labels, the round's time zone, the comments' URL prefix, and whether the viewer may edit it
(its author) or hide it (the governance table's `hide_comment`, asked once per page). The cache key is all
of that, so a fragment is never stale (an edit, a hide, a reaction or a reply changes the presented comment,
hence the key) and never reaches another lens (another constituency is never presented a caucus comment it
may not read; an employer's presented author is the pseudonym, a different key from the name a worker is
shown).

The viewer's CSRF token is never stored: a fragment holds a marker that each page replaces with its own
token. While templates reload (development), nothing is cached: a fragment must not outlive the template it
came from.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date, datetime
from enum import Enum
from typing import Any

from flask import Flask, current_app, g, has_request_context
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy.orm import object_session

from consult.comments.models import CommentRevision
from consult.rounds import governance

#: Fragments kept per application (about 2 KiB each); the least recently used go first.
CAPACITY = 5000
#: Where each cached fragment has the CSRF token: random per process, so no comment's text can contain it.
TOKEN_MARK = f"csrf-token-{secrets.token_hex(16)}"
_PLAIN = (str, int, float, bool, type(None), datetime, date, Enum)
_EXACTLY_PLAIN = frozenset({str, int, float, bool, type(None), datetime, date})


class FragmentCache:
    """A bounded map from a comment's full rendering inputs to its HTML, safe to share between threads."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._items: OrderedDict[Hashable, Markup] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Markup | None:
        """The fragment rendered from these inputs, if kept."""
        with self._lock:
            html = self._items.get(key)
            if html is not None:
                self._items.move_to_end(key)
            return html

    def put(self, key: Hashable, html: Markup) -> None:
        """Keep a fragment, dropping the least recently used beyond capacity."""
        with self._lock:
            self._items[key] = html
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


def frozen(value: Any) -> Hashable:
    """A presented value as a hashable key of everything the template can read from it.

    Only plain data is accepted (and a revision, as its time and text): an object the key could not see into
    raises rather than being keyed by identity."""
    kind = type(value)
    if kind in _EXACTLY_PLAIN:  # most values: checked first, as this runs for every field of every comment
        return value
    if kind is dict:
        return tuple([(key, frozen(item)) for key, item in value.items()])
    if kind is list or kind is tuple:
        return tuple([frozen(item) for item in value])
    if kind is CommentRevision:
        return ("revision", value.written_at, value.body_html)
    if kind is Labels:  # frozen once when made
        return value.key
    if isinstance(value, _PLAIN):
        return value
    raise TypeError(f"a comment fragment cannot be keyed by a {kind.__name__}")


class Labels(dict):
    """A page's comment labels (`comment_labels`) with their part of a fragment's key, frozen once when made
    rather than on every thread of every page: kept per language and shared, never to be changed."""

    def __init__(self, words: dict[str, Any]) -> None:
        super().__init__(words)
        self.key = frozen(words)


def may_hide(view) -> bool:
    """Whether the viewer may hide comments of the round now, as the governance table says: asked once per
    request and round (a page renders many threads), from the session the view's round was read in."""
    session = object_session(view.round)
    if session is None:  # a view built outside a session (a test's stand-in): the role alone, as the table has it
        return governance.role_of(view) == governance.Role.SECRETARIAT
    if not has_request_context():
        return governance.may(session, view, "hide_comment")
    memo = g.setdefault("_may_hide", {})
    key = (view.round.id, view.user_id)
    if key not in memo:
        memo[key] = governance.may(session, view, "hide_comment")
    return memo[key]


def comment_fragments(comments: list[dict], view, zone, labels: dict, comments_url: str, in_thread: bool,
                      token: str, render: Callable[..., Markup]) -> Markup:
    """The thread's comments as HTML, each from the cache or rendered by `render` (the `comment_item` macro)."""
    cache: FragmentCache | None = None if current_app.jinja_env.auto_reload \
        else current_app.extensions.get("consult.comment_fragments")
    hides = may_hide(view)
    lens = (str(get_locale()), str(zone), comments_url, in_thread, hides, frozen(labels))
    parts = []
    for comment in comments:
        author_id = comment["author"]["id"]
        may_edit = bool(author_id) and author_id == view.user_id
        key = (lens, may_edit, frozen(comment)) if cache is not None else None
        html = cache.get(key) if cache is not None else None
        if html is None:
            html = render(comment, zone, labels, comments_url, in_thread, may_edit, hides, TOKEN_MARK)
            if cache is not None:
                cache.put(key, html)
        parts.append(html)
    return Markup("").join(parts).replace(TOKEN_MARK, token)  # Markup.replace escapes the token


def init_app(app: Flask) -> None:
    """Give the application its fragment cache and the templates `comment_fragments`."""
    app.extensions["consult.comment_fragments"] = FragmentCache()
    app.jinja_env.globals["comment_fragments"] = comment_fragments
