"""The bare Flask-SocketIO server bench/live.py compares consult with: same server, same mode, same message.

On each POST of a comment it broadcasts a message of the same shape and size as consult's push of it, with
a sequence number, over WebSockets without compression as consult serves them, so the delivery work is the
same and the difference is consult's own. Run by gunicorn exactly as `consult web` is (bench/live.py starts
it): `bench.bare_server:app`.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
from datetime import UTC, datetime

from flask import Flask, request
from flask_socketio import SocketIO, join_room


def _mode() -> str:
    monkey = sys.modules.get("gevent.monkey")
    return "gevent" if monkey is not None and monkey.is_module_patched("socket") else "threading"


app = Flask("bare")
#: bench/live.py's scale-out mode runs several processes on one Redis, as consult's production configuration.
_REDIS, _CHANNEL = os.environ.get("BARE_REDIS_URL") or None, os.environ.get("BARE_REDIS_CHANNEL", "bare")
io = SocketIO(app, async_mode=_mode(), manage_session=False, message_queue=_REDIS, channel=_CHANNEL)
_sequence = itertools.count(1)
_lock = threading.Lock()
_counter = None
if _REDIS:
    import redis

    _counter = redis.Redis.from_url(_REDIS)


def _next_seq() -> int:
    """The next sequence number: this process's own, or one shared by every process on Redis."""
    return int(_counter.incr(f"{_CHANNEL}:seq")) if _counter is not None else next(_sequence)
AUTHOR = {"id": 2, "name": "Wanda Worker", "organisation": "Workers org 3", "constituency": "workers", "role": None}


@io.on("join")
def on_join(_data):
    """Join the one room."""
    join_room("room")
    return {"ok": True, "last_seq": 0}


@app.post("/api/v1/rounds/1/comments")
def post_comment():
    """Broadcast the comment as consult would push it."""
    data = request.get_json()
    body, now = data["body"], datetime.now(UTC).isoformat()
    with _lock:
        seq = _next_seq()
        comment = {"id": seq, "round_id": 1, "section": data["section"], "parent_id": None, "channel": "plenary",
                   "caucus": None, "author": AUTHOR, "body": body, "body_html": f"<p>{body}</p>", "created_at": now,
                   "edited_at": None, "is_hidden": False, "hidden_reason": None, "revisions": 0, "reactions": {}}
        io.emit("event", {"round_id": 1, "seq": seq, "event": {
            "round_id": 1, "seq": seq, "type": "comment.posted", "actor": AUTHOR,
            "payload": {"comment_id": seq, "section": data["section"], "channel": "plenary", "parent_id": None},
            "created_at": now, "comment": comment}}, to="room")
    return comment, 201


_wsgi = app.wsgi_app


def _without_compression(environ, start_response):
    """As consult serves WebSockets: no permessage-deflate (a deflate per follower per push)."""
    environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
    return _wsgi(environ, start_response)


app.wsgi_app = _without_compression
