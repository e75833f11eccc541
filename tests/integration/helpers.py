"""Small helpers for integration tests: deploy a fixture file and register a service item."""
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
