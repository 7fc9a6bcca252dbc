"""SQLite under write load: four processes posting 500 comments each at once, no error, nothing lost."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import func, select

from consult.comments.models import Comment
from consult.events.audit import verify_all
from tests.factories import tripartite

WRITER = textwrap.dedent("""
    import sys
    from consult import create_app
    from consult.accounts.models import User
    from consult.comments.models import Channel
    from consult.comments.services import post_comment

    url, instance, user_id, round_id, writer = sys.argv[1:6]
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": instance, "SECRET_KEY": "s"})
    db = app.extensions["consult.db"]
    for number in range(500):
        with db.transaction() as session:  # one unit of work per comment, as a request would be
            post_comment(session, session.get(User, int(user_id)), int(round_id),
                         {"section": "privacy", "body": f"writer {writer} comment {number}",
                          "channel": Channel.PLENARY, "parent_id": None})
    print("done")
""")


def test_four_processes_post_500_comments_each_at_once_on_sqlite(backend, app, make, db, tmp_path, scenario):
    scenario(done="4 processes post 500 comments each at once on SQLite",
             checked="no error; all 2,000 saved; the hash chain intact", figure="2,000 comments")
    if backend != "sqlite":
        pytest.skip("by design: SQLite's single writer is what is under test; PostgreSQL's writers are in tests/live")
    world = tripartite(make)
    people = [world["worker"], world["employer"], world["government"], make.user(world["worker"].organisation)]
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, app.config["DATABASE_URL"], str(tmp_path / f"w{n}"),
                                 str(person.id), str(world["round"].id), str(n)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for n, person in enumerate(people)]
    outputs = [writer.communicate(timeout=600) for writer in writers]
    for writer, (out, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0 and out.strip() == "done", err[-2000:]
    with db.transaction(write=False) as session:
        assert session.scalar(select(func.count(Comment.id))) == 2000
        bodies = set(session.scalars(select(Comment.body)))
        assert bodies == {f"writer {w} comment {n}" for w in range(4) for n in range(500)}
        checked, breaks = verify_all(session)
    assert breaks == []  # every comment's event numbered and chained in commit order
