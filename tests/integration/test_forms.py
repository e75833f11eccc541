"""Forms end to end: checked at deploy, snapshotted per version, validated at start and complete
with field-level errors, nothing written on a rejection."""
import dataclasses
import json
import shutil

import pytest

from engine.bpmn.parser import SourceFile
from engine.domain.actor import Actor
from engine.domain.errors import DeployError, ValidationError
from engine.services import cases, definitions, tasks
from engine.services.definitions import forms
from tests.conftest import ROOT, row_counts, snapshot, staff, window_id
from tests.form_samples import sample, task_data
from tests.integration.helpers import add_item
from tests.integration.test_case_flow import APPLICANT, FOOD, only_task, start_food

SYSTEM = Actor.system("test")


def bpmn(form_attr: str, pid: str = "form_probe") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:process id="{pid}" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="probe_task" name="核查" camunda:candidateGroups="township:reviewer" {form_attr}>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="probe_task"/>
    <bpmn:sequenceFlow id="f2" sourceRef="probe_task" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>""".encode()


@pytest.mark.parametrize("attr, upload, code, mentions", [
    ('camunda:formKey="no_such_form"', None, "form_missing", "no_such_form"),
    ('camunda:formKey="broken"', ("broken.schema.json", b'{"type": 12}'), "form_invalid_schema", "broken"),
    ('camunda:formKey="broken"', ("broken.schema.json", b"{oops"), "form_invalid_schema", "not JSON"),
    ('camunda:formKey="x.form"', None, "form_missing", "no file x.form"),
    ('camunda:formKey="x.form"', ("x.form", b'{"components": [{"key": "g", "type": "group"}]}'),
     "camunda_form_unsupported", "component g (group)"),
])
def test_a_form_that_does_not_resolve_is_a_deploy_error_naming_file_element_and_form(ctx, attr, upload, code,
                                                                                     mentions):
    before = row_counts(ctx)
    files = [SourceFile("probe.bpmn", bpmn(attr))] + ([SourceFile(*upload)] if upload else [])
    with pytest.raises(DeployError) as err:
        definitions.deploy(ctx, files, SYSTEM)
    problem = next(p for p in err.value.problems if p.element == "probe_task")
    assert (problem.code, problem.file) == (code, "probe.bpmn") and mentions in problem.message
    assert row_counts(ctx) == before


def test_uploaded_forms_take_precedence_and_are_snapshotted_per_version(demo, tmp_path):
    ctx = demo
    own = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
           "properties": {"checked_by": {"type": "string", "minLength": 2}}, "required": ["checked_by"]}
    definitions.deploy(ctx, [SourceFile("probe.bpmn", bpmn('camunda:formKey="review"')),
                        SourceFile("review.schema.json", json.dumps(own).encode())], SYSTEM)
    add_item(ctx, "TEST-FORM", "form_probe")
    started = cases.start_case(ctx, cases.StartCase("TEST-FORM", window_id(ctx, "ZCZ-W01"), {"name": "甲"}),
                               staff(ctx, "zcz_receiver"))
    [task_id] = started.tasks
    # the forms directory changes afterwards: the running version keeps its snapshot
    forms_dir = tmp_path / "forms"
    shutil.copytree(ROOT / "forms", forms_dir)
    (forms_dir / "review.schema.json").write_text('{"type": "object", "required": ["other"]}')
    ctx.settings = dataclasses.replace(ctx.settings, forms_dir=forms_dir)
    before = snapshot(ctx)
    with pytest.raises(ValidationError) as err:
        tasks.complete(ctx, task_id, {"opinion": "符合条件"}, staff(ctx, "zcz_reviewer"))
    assert err.value.code == "form_invalid" and err.value.field == "data.checked_by"
    assert snapshot(ctx) == before
    assert forms.task_form(ctx, task_id, staff(ctx, "zcz_reviewer"))["schema"] == {**own, "x-order": ["checked_by"]}
    assert tasks.complete(ctx, task_id, {"checked_by": "李四"}, staff(ctx, "zcz_reviewer")).status == "completed"


def test_completing_with_invalid_data_lists_every_field_and_writes_nothing(demo):
    ctx = demo
    start_food(ctx)
    task = only_task(ctx, "zcz_qs_agent")
    before = snapshot(ctx)
    with pytest.raises(ValidationError) as err:
        tasks.complete(ctx, task.id, {"mandate_no": "123", "materials_received": []}, staff(ctx, "zcz_qs_agent"))
    assert err.value.code == "form_invalid"
    assert {(e["field"], e["validator"]) for e in err.value.detail["errors"]} == {
        ("data.mandate_no", "pattern"), ("data.materials_received", "minItems"), ("data.agent_name", "required")}
    assert snapshot(ctx) == before


def test_decide_needs_a_reason_to_refuse(demo):
    ctx = demo
    start_food(ctx)
    for user in ("zcz_qs_agent", "zcz_reviewer", "lzxq_receiver"):
        task_id = only_task(ctx, user).id
        tasks.complete(ctx, task_id, task_data(ctx, task_id), staff(ctx, user))
    decide = only_task(ctx, "lzxq_market_approver")
    with pytest.raises(ValidationError) as err:
        tasks.complete(ctx, decide.id, {"decision": "refused"}, staff(ctx, "lzxq_market_approver"))
    assert err.value.field == "data.opinion"
    with pytest.raises(ValidationError) as err:
        tasks.complete(ctx, decide.id, {"decision": "approve"}, staff(ctx, "lzxq_market_approver"))
    assert (err.value.field, err.value.detail["errors"][0]["validator"]) == ("data.decision", "oneOf")


def test_an_application_that_does_not_match_the_items_form_starts_nothing(demo):
    ctx = demo
    before = snapshot(ctx)
    with pytest.raises(ValidationError) as err:
        cases.start_case(ctx, cases.StartCase(FOOD, window_id(ctx, "ZCZ-QS-W01"), APPLICANT,
                                              sample("apply_food_licence", uscc="91620100MA74XK3B2", business_area=-1),
                                              "proxy"), staff(ctx, "zcz_qs_agent"))
    assert err.value.code == "form_invalid"
    assert [e["field"] for e in err.value.detail["errors"]] == ["form.business_area", "form.uscc"]
    assert snapshot(ctx) == before


def test_the_items_application_form_comes_before_the_bpmn_start_form(demo):
    ctx = demo
    with ctx.uow.begin() as tx:
        from engine.store import tables as t
        tx.conn.execute(t.item_implementation.update().where(t.item_implementation.c.local_code == FOOD)
                        .values(application_form="apply_restaurant_opening"))
    # the snapshot is taken at deploy: until the process is deployed again the form is not there
    with pytest.raises(ValidationError) as err:
        start_food(ctx)
    assert err.value.code == "application_form_not_deployed"
    source = (ROOT / "workflows" / "food_licence.bpmn").read_text(encoding="utf-8").replace("代办收件", "代办收件 ")
    definitions.deploy(ctx, [SourceFile("food_licence.bpmn", source.encode())], SYSTEM)
    no_area = {k: v for k, v in sample("apply_food_licence").items() if k != "business_area"}
    with pytest.raises(ValidationError) as err:      # business_area is required by that form only
        cases.start_case(ctx, cases.StartCase(FOOD, window_id(ctx, "ZCZ-QS-W01"), APPLICANT, no_area, "proxy"),
                         staff(ctx, "zcz_qs_agent"))
    assert err.value.field == "form.business_area"


def test_a_deployed_form_is_served_by_key(demo):
    ctx = demo
    served = forms.deployed_form(ctx, "decide")
    assert [c["const"] for c in served["schema"]["properties"]["decision"]["oneOf"]] == ["granted", "refused"]
    assert forms.deployed_form(ctx, "camunda-forms:deployment:decide.schema.json")["key"] == "decide"
    from engine.domain.errors import NotFound
    with pytest.raises(NotFound):
        forms.deployed_form(ctx, "nothing_like_it")
