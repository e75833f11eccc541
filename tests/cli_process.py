"""`lianban ARGS` as a real child process that skips the interpreter's start-up and the imports.

Starting `python -m api.cli` cost 1.2-1.7 s of imports per command, and the e2e CLI tests run ~100
of them. A zygote process (one per pytest process, started on first use) imports `api.cli` and
what its commands load on first use once; for each command it forks a child that takes the
command's environment, working directory and argv, gets stdin from /dev/null and its stdout and
stderr into files, and runs `api.cli` as `__main__` exactly as `python -m api.cli` does: its exit
status is the child's (an uncaught exception prints its traceback and exits 1, atexit handlers
and buffers run as at any exit). What it does not test is the executable starting from nothing:
the tests that start `lianban run|serve|worker` with subprocess.Popen still do, and
tests/unit/test_cli_startup.py checks the start-up itself.

Run as a script it is the zygote: one JSON request per line on stdin, answered with the child's
pid and then its exit status (negative: killed by that signal, as subprocess reports it)."""
from __future__ import annotations

import json
import os
import runpy
import select
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _warm() -> None:
    """What the commands load on first use, loaded once in the zygote."""
    import alembic.command  # noqa: F401
    import alembic.runtime.migration  # noqa: F401
    import sqlalchemy.dialects.postgresql.psycopg  # noqa: F401
    import sqlalchemy.dialects.sqlite.pysqlite  # noqa: F401

    import api.cli  # noqa: F401
    import engine.store.schema  # noqa: F401


def _child(request: dict) -> None:
    """In the forked child: become the command, then exit as the interpreter exits (never returns)."""
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    for fd, path, flags in ((0, os.devnull, os.O_RDONLY), (1, request["stdout"], os.O_WRONLY | os.O_TRUNC),
                            (2, request["stderr"], os.O_WRONLY | os.O_TRUNC)):
        opened = os.open(path, flags)
        os.dup2(opened, fd)
        os.close(opened)
    sys.stdin = open(0, encoding=sys.stdin.encoding, closefd=False)
    sys.argv = [str(ROOT / "api" / "cli" / "__main__.py"), *request["args"]]
    runpy.run_module("api.cli", run_name="__main__", alter_sys=True)
    raise SystemExit(0)


def serve() -> None:
    _warm()
    signal.signal(signal.SIGINT, signal.SIG_IGN)        # a ^C in the test run is for the tests
    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            _child(request)
        print(pid, flush=True)
        _, status = os.waitpid(pid, 0)
        print(os.waitstatus_to_exitcode(status), flush=True)


class Zygote:
    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.cli_process"], cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1)
        self.lock = threading.Lock()

    def _line(self, deadline: float | None) -> str | None:
        if deadline is not None:
            ready, _, _ = select.select([self.proc.stdout], [], [], max(0.0, deadline - _now()))
            if not ready:
                return None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the CLI zygote exited ({self.proc.wait()})")
        return line

    def run(self, args: list[str], env: dict, cwd: Path, timeout: float | None) -> subprocess.CompletedProcess:
        with self.lock, tempfile.TemporaryDirectory(prefix="lianban-cli-") as tmp:
            out, err = Path(tmp, "stdout"), Path(tmp, "stderr")
            out.touch()
            err.touch()
            request = {"args": list(args), "env": dict(env), "cwd": str(cwd), "stdout": str(out), "stderr": str(err)}
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
            pid = int(self._line(None))
            status = self._line(None if timeout is None else _now() + timeout)
            command = [sys.executable, "-m", "api.cli", *args]
            if status is None:
                os.kill(pid, signal.SIGKILL)
                self._line(None)
                raise subprocess.TimeoutExpired(command, timeout, out.read_text(), err.read_text())
            return subprocess.CompletedProcess(command, int(status), out.read_text(), err.read_text())


def _now() -> float:
    import time
    return time.monotonic()


_zygote: Zygote | None = None
_started = threading.Lock()


def lianban(env: dict, *args: str, timeout: float | None = 120, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """`python -m api.cli ARGS` with this environment, as subprocess.run(..., capture_output=True,
    text=True) would return it."""
    global _zygote
    with _started:
        if _zygote is None or _zygote.proc.poll() is not None:
            _zygote = Zygote()
    return _zygote.run([str(a) for a in args], env, cwd, timeout)


if __name__ == "__main__":
    serve()
