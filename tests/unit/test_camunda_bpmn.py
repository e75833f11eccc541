"""Camunda 7 BPMN at deploy and at run time: JUEL conditions, collection multi-instance (parallel
and sequential, completion condition with Camunda's counters), decisionRef with a DMN table and
each mapDecisionResult, and the refusals naming the element. Specs go through the same JSON round
trip as a deployment (spec_to_json / spec_from_json)."""
from datetime import datetime, timezone

import pytest

from engine.bpmn.parser import SourceFile, parse_bundle
from engine.bpmn.runtime import Runtime
from engine.bpmn.specs import DecisionResultError, map_result
from engine.domain.clock import FrozenClock
from engine.domain.errors import DeployError
from tests.unit.test_parser import process

CLOCK = FrozenClock(datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc))
GROUP = 'camunda:candidateGroups="township:reviewer"'


def deployed(*files, pid="p"):
    bundle = parse_bundle([SourceFile(name, content) for name, content in files])
    rt = Runtime()
    proc = bundle.processes[pid]
    spec, subs = rt.spec_from_json(rt.spec_to_json(proc.spec, proc.subprocess_specs))
    rt.specs.add(1, spec, subs)
    return rt


def refusals(*files) -> list[tuple[str, str]]:
    with pytest.raises(DeployError) as err:
        parse_bundle([SourceFile(name, content) for name, content in files])
    return [(p.code, p.element) for p in err.value.problems]


def gateway(condition: str) -> bytes:
    return process(
        '<bpmn:startEvent id="start"/><bpmn:exclusiveGateway id="gw" default="f_small"/>'
        f'<bpmn:userTask id="big" {GROUP}/><bpmn:userTask id="small" {GROUP}/>'
        '<bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>',
        flows='<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="gw"/>'
              '<bpmn:sequenceFlow id="f_big" sourceRef="gw" targetRef="big">'
              f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" '
              f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><![CDATA[{condition}]]>'
              '</bpmn:conditionExpression></bpmn:sequenceFlow>'
              '<bpmn:sequenceFlow id="f_small" sourceRef="gw" targetRef="small"/>'
              '<bpmn:sequenceFlow id="f3" sourceRef="big" targetRef="e1"/>'
              '<bpmn:sequenceFlow id="f4" sourceRef="small" targetRef="e2"/>')


@pytest.mark.parametrize("condition, data, expected", [
    ("${amount > 1000}", {"amount": 5000}, "big"),
    ("${amount > 1000}", {"amount": 10}, "small"),
    ("#{applicant.age ge 18 && !empty applicant.name}", {"applicant": {"age": 30, "name": "张三"}}, "big"),
    ("#{applicant.age ge 18 && !empty applicant.name}", {"applicant": {"age": 30, "name": ""}}, "small"),
    ("${order['kind'] eq 'food' or order.total % 2 == 1}", {"order": {"kind": "x", "total": 3}}, "big"),
])
def test_juel_condition_routes_the_gateway(condition, data, expected):
    rt = deployed(("g.bpmn", gateway(condition)))
    wf = rt.start(1, data, CLOCK)
    assert [t.spec_id for t in rt.ready_user_tasks(wf)] == [expected]


@pytest.mark.parametrize("condition, reason", [
    ("${''.getClass().forName('java.lang.Runtime')}", "method calls"),
    ("${T(java.lang.Runtime).getRuntime()}", "bean calls"),
    ("${execution.setVariable('x', 1)}", "execution"),
    ("${approved} and ${x}", "composite"),
    ("${x.__class__}", "'__class__'"),
])
def test_hostile_or_unsupported_juel_is_refused_with_the_element(condition, reason):
    with pytest.raises(DeployError) as err:
        parse_bundle([SourceFile("g.bpmn", gateway(condition))])
    [problem] = err.value.problems
    assert (problem.code, problem.element) == ("juel_unsupported", "f_big")
    assert reason in problem.message


def mi(sequential: bool, extra: str = "", attrs: str = 'camunda:collection="${reviewers}" '
       'camunda:elementVariable="reviewer"') -> bytes:
    loop = (f'<bpmn:multiInstanceLoopCharacteristics isSequential="{str(sequential).lower()}" {attrs}>'
            f'{extra}</bpmn:multiInstanceLoopCharacteristics>')
    return process(
        f'<bpmn:startEvent id="start"/><bpmn:userTask id="t" {GROUP}>{loop}</bpmn:userTask>'
        f'<bpmn:userTask id="after" {GROUP}/><bpmn:endEvent id="end"/>',
        flows='<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="t"/>'
              '<bpmn:sequenceFlow id="f1" sourceRef="t" targetRef="after"/>'
              '<bpmn:sequenceFlow id="f2" sourceRef="after" targetRef="end"/>')


def _complete_all(rt, wf, data=None):
    seen = []
    while True:
        ready = [t for t in rt.ready_user_tasks(wf) if t.spec_id == "t"]
        if not ready:
            return seen
        task = wf.get_task_from_id(__import__("uuid").UUID(ready[0].id))
        seen.append(task.data["reviewer"])
        rt.complete(wf, ready[0].id, data or {"ok": True}, CLOCK)
        wf = rt.loads(rt.dumps(wf))       # each step as the engine does it: stored and loaded
        rt.ready_user_tasks(wf)
        _complete_all.wf = wf


@pytest.mark.parametrize("sequential", [False, True])
def test_collection_multi_instance_gives_each_instance_its_element(sequential):
    rt = deployed(("m.bpmn", mi(sequential)))
    wf = rt.start(1, {"reviewers": ["甲", "乙", "丙"]}, CLOCK)
    ready = [t for t in rt.ready_user_tasks(wf) if t.spec_id == "t"]
    assert len(ready) == (1 if sequential else 3)
    assert sorted(_complete_all(rt, wf)) == ["丙", "乙", "甲"]
    wf = _complete_all.wf
    assert [t.spec_id for t in rt.ready_user_tasks(wf)] == ["after"]
    assert "reviewer" not in rt.data(wf)        # the element variable stayed in its instance


@pytest.mark.parametrize("sequential", [False, True])
def test_completion_condition_sees_camunda_counters(sequential):
    condition = ('<bpmn:completionCondition xsi:type="bpmn:tFormalExpression" '
                 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
                 '${nrOfCompletedInstances / nrOfInstances >= 0.5}</bpmn:completionCondition>')
    rt = deployed(("m.bpmn", mi(sequential, condition)))
    wf = rt.start(1, {"reviewers": ["a", "b", "c", "d"]}, CLOCK)
    assert len(_complete_all(rt, wf)) == 2
    assert [t.spec_id for t in rt.ready_user_tasks(_complete_all.wf)] == ["after"]


def test_loop_cardinality_in_juel():
    rt = deployed(("m.bpmn", mi(False, "<bpmn:loopCardinality>${copies + 1}</bpmn:loopCardinality>", attrs="")))
    wf = rt.start(1, {"copies": 2}, CLOCK)
    assert len([t for t in rt.ready_user_tasks(wf) if t.spec_id == "t"]) == 3


@pytest.mark.parametrize("sequential", [False, True])
@pytest.mark.parametrize("collection", ["${order.items}", "#{order['items']}", "${ order . items }"])
def test_a_collection_named_by_a_property_path_is_read_through_maps(sequential, collection):
    attrs = f'camunda:collection="{collection}" camunda:elementVariable="reviewer"'
    rt = deployed(("m.bpmn", mi(sequential, attrs=attrs)))
    wf = rt.start(1, {"order": {"items": ["甲", "乙"], "no": 7}}, CLOCK)
    assert len([t for t in rt.ready_user_tasks(wf) if t.spec_id == "t"]) == (1 if sequential else 2)
    assert sorted(_complete_all(rt, wf)) == ["乙", "甲"]
    assert [t.spec_id for t in rt.ready_user_tasks(_complete_all.wf)] == ["after"]


def test_a_deeper_path_and_what_it_finds_missing():
    rt = deployed(("m.bpmn", mi(False, attrs='camunda:collection="${case.order.items}" '
                                             'camunda:elementVariable="reviewer"')))
    wf = rt.start(1, {"case": {"order": {"items": ["a", "b", "c"]}}}, CLOCK)
    assert len([t for t in rt.ready_user_tasks(wf) if t.spec_id == "t"]) == 3
    for data in ({"case": {"order": "not a map"}}, {"case": {}}):    # no such property: the case fails
        with pytest.raises(Exception, match="Missing data input|iterable"):
            rt.start(1, data, CLOCK)


@pytest.mark.parametrize("attrs, code", [
    ('camunda:collection="${items[0]}"', "juel_unsupported"),
    ('camunda:collection="${order.items + other}"', "juel_unsupported"),
    ('camunda:collection="${order._items}"', "juel_unsupported"),
    ('camunda:collection="${x.getList()}"', "juel_unsupported"),
    ('camunda:collection="order.items"', "juel_unsupported"),      # not JUEL: one variable's name
    ('camunda:collection="items" camunda:elementVariable="a b"', "juel_unsupported"),
])
def test_unsupported_collections_are_refused(attrs, code):
    assert refusals(("m.bpmn", mi(False, attrs=attrs))) == [(code, "t")]


DMN = (b'<?xml version="1.0" encoding="UTF-8"?>'
       b'<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="fee" '
       b'namespace="http://t"><decision id="route" name="Route"><decisionTable id="dt" hitPolicy="HITPOLICY">'
       b'<input id="i1"><inputExpression id="ie1" typeRef="number"><text>amount</text></inputExpression></input>'
       b'<input id="i2"><inputExpression id="ie2"><text>applicant.kind</text></inputExpression></input>'
       b'<output id="o1" name="tier" typeRef="string"/><output id="o2" name="fee" typeRef="number"/>'
       + b''.join(b'<rule id="%s"><inputEntry id="%s_a"><text>%s</text></inputEntry>'
                  b'<inputEntry id="%s_b"><text>%s</text></inputEntry><outputEntry id="%s_c"><text>%s</text>'
                  b'</outputEntry><outputEntry id="%s_d"><text>%s</text></outputEntry></rule>'
                  % (r, r, a, r, b, r, c, r, d) for r, a, b, c, d in [
                      (b'r1', b'&gt; 1000', b'-', b'"district"', b'amount / 10'),
                      (b'r2', b'[0..1000]', b'"food","drug"', b'"township"', b'5'),
                      (b'r3', b'', b'not("food","drug")', b'"village"', b'0')])
       + b'</decisionTable></decision></definitions>')


def rule_task(attrs: str) -> bytes:
    return process(
        f'<bpmn:startEvent id="start"/><bpmn:businessRuleTask id="decide" camunda:decisionRef="route" {attrs}/>'
        f'<bpmn:userTask id="t" {GROUP}/><bpmn:endEvent id="end"/>',
        flows='<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="decide"/>'
              '<bpmn:sequenceFlow id="f1" sourceRef="decide" targetRef="t"/>'
              '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="end"/>')


def decide(attrs: str, data: dict, hit_policy: str = "FIRST") -> dict:
    rt = deployed(("r.bpmn", rule_task(attrs)), ("r.dmn", DMN.replace(b"HITPOLICY", hit_policy.encode())))
    wf = rt.start(1, data, CLOCK)
    return rt.data(wf) if not rt.ready_user_tasks(wf) else wf.get_task_from_id(
        __import__("uuid").UUID(rt.ready_user_tasks(wf)[0].id)).data


def test_decision_without_result_variable_sets_its_outputs():
    data = decide("", {"amount": 5000, "applicant": {"kind": "food"}})
    assert (data["tier"], data["fee"]) == ("district", 500.0)


@pytest.mark.parametrize("kind, tier", [("food", "township"), ("drug", "township"), ("toy", "village")])
def test_decision_unary_tests(kind, tier):
    data = decide('camunda:resultVariable="r" camunda:mapDecisionResult="singleResult"',
                  {"amount": 10, "applicant": {"kind": kind}})
    assert data["r"]["tier"] == tier and "tier" not in data


def test_each_result_mapping():
    base = {"amount": 5000, "applicant": {"kind": "toy"}}     # r1 and r3 match
    assert decide('camunda:resultVariable="r"', base, "COLLECT")["r"] == [
        {"tier": "district", "fee": 500.0}, {"tier": "village", "fee": 0}]
    assert decide('camunda:resultVariable="r" camunda:mapDecisionResult="singleResult"', base)["r"] == {
        "tier": "district", "fee": 500.0}


def test_map_result_rules():
    one, two = {"a": 1}, {"a": 2}
    assert map_result([one, two], "collectEntries") == [1, 2]
    assert map_result([one], "singleEntry") == 1
    assert map_result([], "singleEntry") is None and map_result([], "singleResult") is None
    assert map_result([one, two], "resultList") == [one, two]
    with pytest.raises(DecisionResultError):
        map_result([one, two], "singleEntry")
    with pytest.raises(DecisionResultError):
        map_result([{"a": 1, "b": 2}], "singleEntry")


@pytest.mark.parametrize("cell, code", [
    (b"<text>date(\"2020-01-01\")</text>", "juel_unsupported"),
    (b"<text>x.getClass()</text>", "juel_unsupported"),
])
def test_hostile_dmn_cells_are_refused_naming_the_rule(cell, code):
    dmn = DMN.replace(b"HITPOLICY", b"FIRST").replace(b"<text>&gt; 1000</text>", cell)
    assert refusals(("r.bpmn", rule_task("")), ("r.dmn", dmn)) == [(code, "r1")]


def test_unknown_result_mapping_is_refused():
    dmn = DMN.replace(b"HITPOLICY", b"FIRST")
    assert refusals(("r.bpmn", rule_task('camunda:resultVariable="r" camunda:mapDecisionResult="all"')),
                    ("r.dmn", dmn)) == [("decision_result_mapping_unknown", "decide")]


def test_missing_decision_is_refused():
    assert [c for c, _ in refusals(("r.bpmn", rule_task("")))] == ["dmn_decision_missing"]
