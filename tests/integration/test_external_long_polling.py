"""Long-polling fetchAndLock (asyncResponseTimeout) on both databases: a waiting fetch answers as
soon as a task of its topic appears, also when another process (here: another context, its own
engine and doorbell) creates it: on PostgreSQL through LISTEN/NOTIFY, on SQLite through the short
poll; it answers [] after the timeout; it holds no connection while it waits; a client that hung
up ends the wait; a process lets only `external_waiters` requests wait at once."""
import dataclasses
import threading
import time

import pytest

from engine.config import Settings
from engine.domain.errors import ValidationError
from engine.services import external_tasks
from engine.services.context import Context
from engine.store import doorbell
from tests.conftest import staff
from tests.integration.test_external_tasks import TOPIC, setup_fee, start

LOCK_MS = 60_000


def tune(ctx, **settings):
    ctx.settings = dataclasses.replace(ctx.settings, **settings)


def fetch(ctx, wait_ms, worker="w1", **kw):
    return external_tasks.fetch_and_lock(ctx, staff(ctx, "integration"), worker, 5,
                                         [external_tasks.TopicRequest(TOPIC, LOCK_MS)], wait_ms=wait_ms, **kw)


class Background:
    """A fetch running in a thread: its answer and how long it took."""

    def __init__(self, fn):
        self.answer, self.error, self.ended = None, None, None
        self.began = time.monotonic()
        self._thread = threading.Thread(target=self._run, args=(fn,), daemon=True)
        self._thread.start()

    def _run(self, fn):
        try:
            self.answer = fn()
        except Exception as exc:  # noqa: BLE001 - re-raised in the test's thread
            self.error = exc
        self.ended = time.monotonic()

    def join(self, timeout=15):
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the long poll did not end"
        if self.error:
            raise self.error
        return self.answer


def wait_until(predicate, seconds=5.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_a_task_created_by_another_process_wakes_the_waiting_fetch_at_once(demo, db_url):
    ctx = demo
    setup_fee(ctx)
    postgres = db_url.startswith("postgresql")
    # PostgreSQL: the poll is made too slow to matter, so only the NOTIFY can wake the fetch in time
    tune(ctx, external_poll_seconds=30.0 if postgres else 0.2)
    other = Context.create(Settings(database_url=db_url), clock=ctx.clock)     # its own engine: "another process"
    try:
        bell = doorbell.bell_of(ctx.engine)
        waiting = Background(lambda: fetch(ctx, 20_000))
        assert wait_until(lambda: bell.waiting == 1)
        if postgres:
            time.sleep(0.3)                                   # the listener has started listening
        case = start(other)
        created_at = time.monotonic()                         # committed
        [task] = waiting.join()
        assert task.case_id == case.case_id
        assert waiting.ended - created_at < 1.0
        assert bell.waiting == 0 and bell.seated == 0
    finally:
        other.dispose()


def test_a_task_created_in_this_process_wakes_the_fetch_and_nothing_is_held_while_waiting(demo, db_url):
    ctx = demo
    setup_fee(ctx)
    tune(ctx, external_poll_seconds=30.0)                     # the in-process ring, not the poll
    waiting = Background(lambda: fetch(ctx, 20_000))
    bell = doorbell.bell_of(ctx.engine)
    assert wait_until(lambda: bell.waiting == 1)
    if db_url.startswith("postgresql"):
        # no connection, no transaction while waiting (those the unit of work keeps between commands are idle)
        assert ctx.engine.pool.checkedout() - ctx.uow.kept() == 0
    case = start(ctx)                                         # a write: no lock of the waiter is in the way
    created_at = time.monotonic()
    [task] = waiting.join()
    assert task.case_id == case.case_id and waiting.ended - created_at < 1.0


def test_nothing_appearing_answers_an_empty_list_after_the_timeout(demo):
    ctx = demo
    setup_fee(ctx)
    began = time.monotonic()
    assert fetch(ctx, 400) == []
    assert 0.4 <= time.monotonic() - began < 2.0
    bell = doorbell.bell_of(ctx.engine)
    assert bell.waiting == 0 and bell.seated == 0


def test_an_available_task_is_answered_at_once_and_an_unlock_wakes_a_waiter(demo):
    ctx = demo
    setup_fee(ctx)
    start(ctx)
    began = time.monotonic()
    [task] = fetch(ctx, 20_000)
    assert time.monotonic() - began < 1.0
    tune(ctx, external_poll_seconds=30.0)
    waiting = Background(lambda: fetch(ctx, 20_000, worker="w2"))
    assert wait_until(lambda: doorbell.bell_of(ctx.engine).waiting == 1)
    external_tasks.unlock(ctx, staff(ctx, "integration"), task.id)
    [again] = waiting.join()
    assert again.id == task.id and again.worker_id == "w2" and waiting.ended - waiting.began < 2.0


def test_a_client_that_hung_up_ends_the_wait_and_leaves_no_waiter(demo):
    ctx = demo
    setup_fee(ctx)
    tune(ctx, external_poll_seconds=0.1)
    hung_up = threading.Event()
    waiting = Background(lambda: fetch(ctx, 20_000, gone=hung_up.is_set))
    bell = doorbell.bell_of(ctx.engine)
    assert wait_until(lambda: bell.seated == 1)
    hung_up.set()
    assert waiting.join() == []
    assert waiting.ended - waiting.began < 2.0
    assert bell.waiting == 0 and bell.seated == 0


def test_over_the_waiter_budget_a_fetch_is_answered_at_once(demo):
    ctx = demo
    setup_fee(ctx)
    tune(ctx, external_waiters=1, external_poll_seconds=0.1)
    hung_up = threading.Event()
    first = Background(lambda: fetch(ctx, 20_000, gone=hung_up.is_set))
    bell = doorbell.bell_of(ctx.engine)
    assert wait_until(lambda: bell.seated == 1)
    began = time.monotonic()
    assert fetch(ctx, 20_000, worker="w2") == []            # no seat: answered as without long polling
    assert time.monotonic() - began < 1.0
    hung_up.set()
    first.join()
    assert bell.seated == 0


@pytest.mark.parametrize("bad", [-1, 60_001, 10 ** 12, True, 1.5])
def test_a_wait_out_of_range_is_refused_with_its_field(demo, bad):
    ctx = demo
    setup_fee(ctx)
    with pytest.raises(ValidationError) as refused:
        fetch(ctx, bad)
    assert (refused.value.code, refused.value.field) == ("async_response_timeout_invalid", "asyncResponseTimeout")
