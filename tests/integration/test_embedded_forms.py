"""Camunda 8 forms embedded in the process (tests/fixtures/camunda/zeebe_embedded_form.bpmn) on
both databases: converted into JSON Schema at deploy exactly as a Camunda Form file is, snapshotted
with the version, checked when the case starts and when the step completes; a form that cannot be
converted is refused naming the element and the form's id, and nothing is written."""
import pytest

from engine.bpmn.parser import SourceFile
from engine.domain.actor import Actor
from engine.domain.errors import DeployError, ValidationError
from engine.services import cases, definitions, tasks
from engine.services.definitions import forms
from tests.conftest import row_counts, staff, window_id
from tests.integration.helpers import FIXTURES, add_item, deploy_files

DIAGRAM = FIXTURES / "camunda" / "zeebe_embedded_form.bpmn"
SYSTEM = Actor.system("test")


def test_embedded_forms_are_converted_and_checked_at_start_and_completion(demo):
    ctx = demo
    deploy_files(ctx, DIAGRAM)
    add_item(ctx, "TEST-EMBEDDED", "zeebe_embedded_form")
    receiver = staff(ctx, "xcz_receiver")
    with pytest.raises(ValidationError) as err:                     # the start event's form
        cases.start_case(ctx, cases.StartCase("TEST-EMBEDDED", window_id(ctx, "XCZ-W01"), {"name": "张三"}, {}),
                         receiver)
    assert (err.value.code, err.value.field) == ("form_invalid", "form.purpose")
    started = cases.start_case(ctx, cases.StartCase("TEST-EMBEDDED", window_id(ctx, "XCZ-W01"), {"name": "张三"},
                                                    {"purpose": "开店"}), receiver)
    [task_id] = started.tasks
    reviewer = staff(ctx, "xcz_reviewer")
    served = forms.task_form(ctx, task_id, reviewer)
    assert served["key"] == "camunda-forms:bpmn:userTaskForm_review"
    assert served["schema"]["required"] == ["decision"]
    assert [o["const"] for o in served["schema"]["properties"]["decision"]["oneOf"]] == ["granted", "refused"]
    with pytest.raises(ValidationError) as err:
        tasks.complete(ctx, task_id, {"decision": "maybe"}, reviewer)
    assert (err.value.code, err.value.field) == ("form_invalid", "data.decision")
    assert tasks.complete(ctx, task_id, {"decision": "granted", "note": "好"}, reviewer).status == "completed"


@pytest.mark.parametrize("old, new, code, element, mentions", [
    ('"type": "textarea"', '"type": "dynamiclist"', "camunda_form_unsupported", "review",
     "embedded form 'userTaskForm_review': Camunda Form: component note (dynamiclist)"),
    ('"schemaVersion": 4\n}</zeebe:userTaskForm>\n    </bpmn', '"schemaVersion": 4\n</zeebe:userTaskForm>\n    </bpmn',
     "form_invalid_schema", "review", "embedded form 'userTaskForm_review': not JSON"),
    ('formKey="camunda-forms:bpmn:userTaskForm_apply"', 'formKey="camunda-forms:bpmn:userTaskForm_gone"',
     "form_missing", "start", "userTaskForm_gone"),
])
def test_a_form_that_cannot_be_converted_is_refused_naming_element_and_form(ctx, old, new, code, element, mentions):
    xml = DIAGRAM.read_text(encoding="utf-8")
    assert old in xml
    before = row_counts(ctx)
    with pytest.raises(DeployError) as err:
        definitions.deploy(ctx, [SourceFile(DIAGRAM.name, xml.replace(old, new, 1).encode())], SYSTEM)
    assert [(p.code, p.element, p.file) for p in err.value.problems] == [(code, element, DIAGRAM.name)]
    assert mentions in err.value.problems[0].message
    assert row_counts(ctx) == before
