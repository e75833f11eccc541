"""Small helpers for integration tests: deploy a fixture file, register a service item, run
workers at the same moment."""
import threading
from pathlib import Path

from sqlalchemy import insert

from engine.bpmn.parser import SourceFile
from engine.domain.actor import Actor
from engine.services import definitions, tasks
from engine.store.models import ItemImplementation
from tests.conftest import staff
from tests.form_samples import task_data

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def deploy_files(ctx, *paths: Path, name: str = "test"):
    return definitions.deploy(ctx, [SourceFile(p.name, p.read_bytes()) for p in paths], Actor.system("test"), name=name)


def add_item(ctx, code: str, process_key: str, tier: str = "township") -> None:
    with ctx.uow.begin() as s:
        s.conn.execute(insert(ItemImplementation).values(code=code, name=code, category="test", process_key=process_key,
                                             deciding_tier=tier, attrs={}))


# the demo food licence from its village intake to its licence issued (办结: no task left open)
FOOD_TO_ISSUED = (("zcz_qs_agent", {}), ("zcz_reviewer", {"complete": True}), ("lzxq_receiver", {}),
                  ("lzxq_market_approver", {"decision": "granted"}), ("lzxq_issuer", {}))


def complete_steps(ctx, task: str, steps) -> None:
    """Completes the case's open task once per (username, data overrides) step, in order, each
    with a valid submission of its form (tests/form_samples.py)."""
    for who, data in steps:
        done = tasks.complete(ctx, task, task_data(ctx, task, **data), staff(ctx, who))
        task = done.next_tasks[0] if done.next_tasks else None


def at_once(work, calls: list[tuple], timeout: float = 60.0) -> tuple[list, list]:
    """Runs `work(*args)` for every args tuple of `calls`, each in its own thread, all released
    together (a barrier), as workers racing for the same rows; returns (what the calls returned,
    in the order they finished; the exceptions they raised)."""
    results, errors = [], []
    barrier = threading.Barrier(len(calls))

    def run(args):
        try:
            barrier.wait()
            results.append(work(*args))
        except Exception as exc:  # noqa: BLE001 - returned to the test, which asserts on them
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(args,)) for args in calls]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout)
    return results, errors
