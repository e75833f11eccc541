"""The hot endpoints' response schemas dump exactly what marshmallow itself would."""
from datetime import datetime, timezone

from marshmallow import Schema

from api import schemas
from engine.services.tasks import Completed, TaskView

NOW = datetime(2026, 11, 27, 1, 2, 3, 456789, tzinfo=timezone.utc)


def stock(schema, obj, many=None):
    return Schema.dump(schema, obj, many=many)


def task(**changes):
    base = dict(id="t-1", case_id=7, name="受理", spec_id="ut1", state="open", routed_org_unit_id=3,
                routed_department_id=None, routed_role="agent", routing_error=None, assignee_id=None,
                form_key=None, stage="accept", due_at=None, created_at=NOW, warning="none")
    return TaskView(**{**base, **changes})


def test_task_views_single_and_many():
    views = [task(), task(due_at=NOW, assignee_id=5, routed_department_id=2, routing_error="x", form_key="f"),
             task(due_at=datetime(2026, 1, 1))]
    one, many = schemas.TaskOut(), schemas.TaskOut(many=True)
    assert one._plain_plan() is not False
    for view in views:
        assert one.dump(view) == stock(one, view)
    assert many.dump(views) == stock(many, views)
    assert many.dump([]) == stock(many, []) == []


def test_completed_and_started_from_objects_and_dicts():
    out = schemas.CompletedOut()
    for done in (Completed(1, 2, "running", ("a", "b")), Completed(1, 3, "completed")):
        assert out.dump(done) == stock(out, done)
    started = schemas.StartedOut()
    for body in ({"id": 1, "number": "N-1", "version": 1, "status": "running", "tasks": ["t"]},
                 {"id": 1, "number": "N-1"}, {"id": 1, "tasks": None}):
        assert started.dump(body) == stock(started, body)
