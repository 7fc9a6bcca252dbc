"""An app served over real HTTP and WebSocket on a free port in this process, with settings of the test's own."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from consult import create_app


class _Handler(WSGIRequestHandler):
    """Werkzeug's handler, closing the connection a WebSocket ended on.

    python-engineio ends a WebSocket on werkzeug by raising ConnectionError once it has sent its close frame;
    werkzeug then kept the connection for another HTTP request and read the client's own close frame as one
    (a 400 in the log), so the client never got the close it waits for and every disconnect took websocket-client's
    3 s time-out: 8 disconnects were 24 of the unlinkability test's 98 s.
    """

    def connection_dropped(self, error, environ=None) -> None:
        self.close_connection = True


def serve(app) -> BaseWSGIServer:
    """`app` served over HTTP and WebSocket on a free port of 127.0.0.1, in threads of this process."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@contextmanager
def served_app(database_url: str, instance, **settings) -> Iterator[tuple]:
    """(app, url) of the app made with `settings` over the test defaults, served until the block ends."""
    app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "test-secret",
                      "TESTING": True, "COMMENT_RATE": "10000/minute", **settings})
    server = serve(app)
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        app.extensions["consult.pusher"].stop()
        app.extensions["consult.db"].dispose()
