"""Whether the client of the current request hung up: a long poll stops waiting for it
(docs/integration.md#long-polling). Gunicorn and Werkzeug's server put the request's socket in the
WSGI environ; a socket that is readable and yields no byte was closed by the peer. Behind a reverse
proxy this is the proxy's connection, which nginx closes when its client goes."""
from __future__ import annotations

import select
import socket
import ssl
from typing import Callable, Optional

from flask import request


def watcher() -> Optional[Callable[[], bool]]:
    """A cheap `gone()` for the current request, or None when the server gives no socket."""
    sock = request.environ.get("gunicorn.socket") or request.environ.get("werkzeug.socket")
    if not isinstance(sock, socket.socket) or isinstance(sock, ssl.SSLSocket):
        return None       # TLS records cannot be peeked at: such a wait runs to its timeout

    def gone() -> bool:
        try:
            poller = select.poll()          # not select(): a busy server has descriptors above 1023
            poller.register(sock, select.POLLIN | select.POLLHUP | select.POLLERR)
            events = poller.poll(0)
            if not events:
                return False
            if events[0][1] & (select.POLLHUP | select.POLLERR):
                return True
            return sock.recv(1, socket.MSG_PEEK) == b""     # a pipelined next request is data: still there
        except OSError:
            return True
    return gone
