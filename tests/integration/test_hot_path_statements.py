"""The hot path stays as it was: starting a case, claiming its step and completing it issue no
statement on the outbox or the subscriptions when the workflow throws and waits for nothing
(docs/integration.md#signals-thrown-inside-a-case). Every statement the SQLite driver runs is
counted, the raw-driver ones (engine/store/fast.py) included; the count is printed for the
report and compared with a run where a signal is thrown."""
import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from engine.config import Settings
from engine.services import cases, tasks
from engine.services.context import Context
from tests.conftest import staff
from tests.form_samples import task_data
from tests.integration.test_case_flow import start_food


@pytest.fixture
def traced(demo, db_url, clock):
    if not db_url.startswith("sqlite"):
        pytest.skip("the driver's trace callback is SQLite's")
    statements: list[str] = []

    def on_connect(dbapi_connection, _record):
        dbapi_connection.set_trace_callback(statements.append)

    event.listen(Engine, "connect", on_connect)
    try:
        ctx = Context.create(Settings(database_url=db_url), clock=clock)
        yield ctx, statements
        ctx.dispose()
    finally:
        event.remove(Engine, "connect", on_connect)


def test_start_claim_complete_of_a_plain_case_touch_neither_outbox_nor_subscriptions(traced):
    ctx, statements = traced
    start_food(ctx)                       # warm the caches (definitions, directory, calendar)
    counts = {}
    statements.clear()
    started = start_food(ctx)
    counts["start"] = len(statements)
    text = list(statements)
    [task_id] = started.tasks
    statements.clear()
    tasks.claim(ctx, task_id, staff(ctx, "zcz_qs_agent"))
    counts["claim"] = len(statements)
    text += statements
    data = task_data(ctx, task_id)
    statements.clear()
    tasks.complete(ctx, task_id, data, staff(ctx, "zcz_qs_agent"))
    counts["complete"] = len(statements)
    text += statements
    print("driver statements", counts)
    assert not [s for s in text if "event_outbox" in s or "event_subscription" in s]
    assert cases.get_case(ctx, started.case_id, staff(ctx, "zcz_qs_agent")).status == "running"
