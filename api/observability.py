"""What every HTTP request leaves for an operator: a request id (the client's sane X-Request-Id,
else a new one) that the answer carries back, every log line and audit event written meanwhile
carries along; and its count and latency by route template and status in the metrics
(engine/metrics.py). A WSGI wrapper around the Flask app rather than before/after_request hooks:
Flask calls each hook through its sync/async wrapper, which costs more than the work here."""
from __future__ import annotations

from time import perf_counter

from engine import metrics
from engine.domain import correlation
from engine.services import health

ID_KEY = "lianban.request_id"         # the request id, in the WSGI environ
ROUTE_KEY = "lianban.route"           # the matched route's template (SecureResponse notes it)
UNMATCHED = "unmatched"               # no route: one label for every unknown path, not one per path
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class Observed:
    def __init__(self, wsgi_app, ctx):
        self.wsgi_app = wsgi_app
        self.ctx = ctx

    def __call__(self, environ, start_response):
        rid = correlation.accepted(environ.get("HTTP_X_REQUEST_ID")) or correlation.new_id()
        environ[ID_KEY] = rid
        token = correlation.REQUEST_ID.set(rid)
        started = perf_counter()
        status = [500]

        def respond(line, headers, exc_info=None):
            status[0] = int(line[:3])
            return start_response(line, headers, exc_info)

        try:
            return self.wsgi_app(environ, respond)
        finally:
            correlation.REQUEST_ID.reset(token)
            method = environ.get("REQUEST_METHOD", "")
            metrics.request_answered(environ.get(ROUTE_KEY, UNMATCHED), method if method in _METHODS else "other",
                                     status[0], perf_counter() - started)
            if metrics.pool_due():
                health.record_pool(self.ctx)
