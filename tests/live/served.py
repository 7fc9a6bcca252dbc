"""An app served over real HTTP and WebSocket on a free port in this process, with settings of the test's own."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import make_server

from consult import create_app


@contextmanager
def served_app(database_url: str, instance, **settings) -> Iterator[tuple]:
    """(app, url) of the app made with `settings` over the test defaults, served until the block ends."""
    app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "test-secret",
                      "TESTING": True, "COMMENT_RATE": "10000/minute", **settings})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        app.extensions["consult.pusher"].stop()
        app.extensions["consult.db"].dispose()
