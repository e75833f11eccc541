"""Whether the client of the current request hung up: a long poll stops waiting for it
(docs/integration.md#long-polling). Gunicorn and Werkzeug's server put the request's socket in the
WSGI environ; a socket that is readable and yields no byte was closed by the peer. Behind a reverse
proxy this is the proxy's connection, which nginx closes when its client goes."""
from __future__ import annotations

import select
import socket
from typing import Callable, Optional

from flask import request


def watcher() -> Optional[Callable[[], bool]]:
    """A cheap `gone()` for the current request, or None when the server gives no socket."""
    sock = request.environ.get("gunicorn.socket") or request.environ.get("werkzeug.socket")
    if not isinstance(sock, socket.socket):
        return None

    def gone() -> bool:
        try:
            readable, _w, _x = select.select([sock], [], [], 0)
            if not readable:
                return False
            return sock.recv(1, socket.MSG_PEEK) == b""     # a pipelined next request is data: still there
        except (OSError, ValueError):
            return True
    return gone
