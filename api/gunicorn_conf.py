"""Gunicorn configuration shipped with Lianban: `lianban serve` loads it, and so does
`gunicorn -c api/gunicorn_conf.py api.wsgi:app`.

Why these settings (docs/operations.md#serving):
- `gthread` workers: a sync worker answers one request at a time and closes every connection
  (`Connection: close`), so clients pay a TCP handshake per request and a slow request blocks the
  worker. Threads keep connections alive and overlap the time a request waits for PostgreSQL.
- one worker process per core (the GIL: more threads do not use more cores), THREADS threads each;
  bench/load.py measured the thread count (see docs/operations.md#serving).
- each worker opens its own database pool after the fork (no preload), so no connection is shared
  between processes; the pool (5 + 10 overflow) is larger than the thread count.

Every value can be overridden by an environment variable (LIANBAN_SERVE_*, read here) or by the
options of `lianban serve`."""
from __future__ import annotations

import os

from engine.config import SettingsError

from engine import metrics

# threads per worker: bench/load.py, 16 clients on 2 workers of 2 cores: 4 threads served as many
# cases per second as 8 (3.8 and 3.7 against 4.1 and 3.5), with half the transactions open at once
# per worker; 2 threads served fewer (docs/operations.md#serving)
THREADS = 4
KEEPALIVE_SECONDS = 30      # longer than a browser's pause between clicks, shorter than a proxy's (nginx: 75)
TIMEOUT_SECONDS = 60        # a worker silent this long is killed and replaced
GRACEFUL_TIMEOUT_SECONDS = 30   # on SIGTERM/HUP, requests in flight get this long to finish
# with the request id each answer carries (X-Request-Id, docs/operations.md#logs-and-request-ids)
ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms pid=%(p)s rid=%({x-request-id}o)s'


def child_exit(server, worker) -> None:
    """A dead worker's live gauges leave the shared metrics files (multiprocess mode)."""
    metrics.process_exited(worker.pid)



def cores() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:       # not Linux
        return max(1, os.cpu_count() or 1)


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number", field=name) from None
    if value < 1:
        raise SettingsError(f"{name}={raw!r} must be at least 1", field=name)
    return value


def _default_bind() -> str:
    host = os.environ.get("LIANBAN_HOST", "127.0.0.1")
    return f"{host}:{os.environ.get('LIANBAN_PORT', '8400')}"


def settings() -> dict:
    """Gunicorn settings by name, after LIANBAN_SERVE_* overrides."""
    return {
        "bind": [os.environ.get("LIANBAN_SERVE_BIND") or _default_bind()],
        "worker_class": "gthread",
        "workers": _env_int("LIANBAN_SERVE_WORKERS", cores()),
        "threads": _env_int("LIANBAN_SERVE_THREADS", THREADS),
        "keepalive": _env_int("LIANBAN_SERVE_KEEPALIVE", KEEPALIVE_SECONDS),
        "timeout": _env_int("LIANBAN_SERVE_TIMEOUT", TIMEOUT_SECONDS),
        "graceful_timeout": _env_int("LIANBAN_SERVE_GRACEFUL_TIMEOUT", GRACEFUL_TIMEOUT_SECONDS),
        "preload_app": False,
        "accesslog": os.environ.get("LIANBAN_SERVE_ACCESS_LOG", "-"),
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        # the heartbeat file each worker touches: in memory, not on a disk that may stall
        "worker_tmp_dir": "/dev/shm" if os.path.isdir("/dev/shm") else None,
        # trust X-Forwarded-* only from the reverse proxy (docs/operations.md#several-machines)
        "forwarded_allow_ips": os.environ.get("LIANBAN_SERVE_FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
        "proc_name": "lianban",
        "child_exit": child_exit,
    }


if __name__ == "__config__":
    # gunicorn executes a file given with -c as module `__config__` and reads its module-level
    # names; `lianban serve` imports it and calls settings() itself, after its options are known
    globals().update({k: v for k, v in settings().items() if v is not None})
