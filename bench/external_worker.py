"""External-task workers as separate processes, for the contention test
(tests/integration/test_external_contention.py) and bench/bench_external.py.

A worker process (`python -m bench.external_worker URL WORKER BATCH LOCK_MS KILL_AFTER`) fetches and
locks up to BATCH tasks of the topic, completes each through the service layer (its own database
connections, so the workers contend in the database as HTTP workers behind several server
processes would), prints `done <id>` per completion, and stops when no task of the topic is open.
With KILL_AFTER >= 0 it SIGKILLs itself once it has completed that many, right after a fetch, while
it holds the locks of a whole batch: those tasks must come back to the others when the locks expire.
That worker runs alone until it announces the kill (`killing ...`, printed while it holds the
locks); only then do the others start. Started together, the others could drain the topic before
it reached KILL_AFTER completions: it then ended normally and the kill was never tested (the
contention test failed once that way). WAIT_MS > 0 makes a worker long-poll (asyncResponseTimeout)
instead of sleeping when nothing is available."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOPIC = "bench-check"
BPMN = ("<?xml version='1.0' encoding='UTF-8'?>"
        "<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL' "
        "xmlns:camunda='http://camunda.org/schema/1.0/bpmn' id='d' targetNamespace='http://bench'>"
        "<bpmn:process id='external_bench' isExecutable='true'><bpmn:startEvent id='start'/>"
        f"<bpmn:serviceTask id='check' camunda:type='external' camunda:topic='{TOPIC}'/>"
        "<bpmn:endEvent id='end'/>"
        "<bpmn:sequenceFlow id='f1' sourceRef='start' targetRef='check'/>"
        "<bpmn:sequenceFlow id='f2' sourceRef='check' targetRef='end'/>"
        "</bpmn:process></bpmn:definitions>").encode()


def _work(url: str, worker: str, batch: int, lock_ms: int, kill_after: int, wait_ms: int = 0) -> None:
    sys.path.insert(0, str(ROOT))
    from engine.config import Settings
    from engine.domain.actor import Actor
    from engine.domain.errors import Conflict, NotFound
    from engine.services import external_tasks
    from engine.services.context import Context

    ctx = Context.create(Settings(database_url=url))
    actor = Actor("integration", roles=frozenset({"integration"}), kind="service")
    topics = [external_tasks.TopicRequest(TOPIC, lock_ms, variables=())]
    done = 0
    while True:
        locked = external_tasks.fetch_and_lock(ctx, actor, worker, batch, topics, wait_ms=wait_ms)
        if kill_after >= 0 and done >= kill_after and locked:
            print(f"killing myself holding {len(locked)} locks", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        for task in locked:
            try:
                external_tasks.complete(ctx, actor, task.id, worker, {"checked": True})
            except (Conflict, NotFound):
                continue          # our lock expired and another worker has it: theirs now
            done += 1
            print(f"done {task.id} {time.time():.6f}", flush=True)
        if not locked:
            _rows, still_open = external_tasks.list_external_tasks(ctx, actor, topic=TOPIC, state="open", limit=0)
            if not still_open:
                break
            if not wait_ms:
                time.sleep(0.1)   # the rest is locked by others (or a dead worker, until it expires)
    ctx.dispose()


@dataclass
class Round:
    completed: dict[str, list[int]]      # worker -> task ids it completed
    return_codes: dict[str, int]
    seconds: float                       # wall time of the round, process start-up included
    busy_seconds: float                  # first completion to last (every worker running)


def run_round(url: str, workers: int, batch: int, lock_ms: int, kill_first_after: int = -1,
              timeout: float = 600, wait_ms: int = 0) -> Round:
    """Run `workers` worker processes until every task of the topic is done; with
    `kill_first_after`, w0 first, alone, until it holds the locks it dies with."""
    names = [f"w{i}" for i in range(workers)]
    started = time.perf_counter()

    def start(i: int, name: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "bench.external_worker", url, name, str(batch), str(lock_ms),
             str(kill_first_after if i == 0 else -1), str(wait_ms)], cwd=ROOT, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)

    procs, early = {}, ""
    if kill_first_after >= 0:
        procs[names[0]] = start(0, names[0])
        for line in procs[names[0]].stdout:        # until it holds its last locks (or ends: EOF)
            early += line
            if line.startswith("killing"):
                break
    for i, name in enumerate(names):
        if name not in procs:
            procs[name] = start(i, name)
    outputs = {name: proc.communicate(timeout=timeout) for name, proc in procs.items()}
    if early:
        outputs[names[0]] = (early + outputs[names[0]][0], outputs[names[0]][1])
    seconds = time.perf_counter() - started
    lines = {name: [line.split() for line in out.splitlines() if line.startswith("done ")]
             for name, (out, _err) in outputs.items()}
    completed = {name: [int(parts[1]) for parts in done] for name, done in lines.items()}
    stamps = [float(parts[2]) for done in lines.values() for parts in done]
    busy = max(stamps) - min(stamps) if len(stamps) > 1 else seconds
    codes = {name: proc.returncode for name, proc in procs.items()}
    for name, (_out, err) in outputs.items():
        if codes[name] not in (0, -signal.SIGKILL):
            raise RuntimeError(f"worker {name} failed: {err[-2000:]}")
    return Round(completed, codes, seconds, busy)


if __name__ == "__main__":
    _work(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]),
          int(sys.argv[6]) if len(sys.argv) > 6 else 0)
