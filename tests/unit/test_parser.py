"""Deploy-time parsing: the three designer dialects, ISO timer literals, and every kind of bad
upload turned into one DeployError naming the file, element and problem."""
import pytest

from engine.bpmn.parser import SourceFile, parse_bundle
from engine.domain.errors import DeployError

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="http://t">')


def process(body: str, pid: str = "p", flows: str = "") -> bytes:
    return (HEAD + f'<bpmn:process id="{pid}" isExecutable="true">{body}{flows}'
            '</bpmn:process></bpmn:definitions>').encode()


def linear(task_xml: str, pid: str = "p", extra: str = "") -> bytes:
    return process('<bpmn:startEvent id="start"/>' + task_xml + '<bpmn:endEvent id="end"/>' + extra, pid,
                   '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="t"/>'
                   '<bpmn:sequenceFlow id="f1" sourceRef="t" targetRef="end"/>')


def rejected(*files) -> DeployError:
    with pytest.raises(DeployError) as err:
        parse_bundle([SourceFile(name, content) for name, content in files])
    return err.value


CAMUNDA7 = ('<bpmn:userTask id="t" name="审查" camunda:candidateGroups="township:reviewer" camunda:formKey="review" '
            'camunda:dueDate="P3D"><bpmn:extensionElements><camunda:properties>'
            '<camunda:property name="stage" value="pre_review"/>'
            '</camunda:properties></bpmn:extensionElements></bpmn:userTask>')
ZEEBE = ('<bpmn:userTask id="t" name="决定"><bpmn:extensionElements>'
         '<zeebe:assignmentDefinition candidateGroups="district:approver@market"/>'
         '<zeebe:formDefinition formKey="decide"/><zeebe:taskSchedule dueDate="P5D"/>'
         '<zeebe:properties><zeebe:property name="stage" value="decided"/></zeebe:properties>'
         '</bpmn:extensionElements></bpmn:userTask>')
SPIFF = ('<bpmn:userTask id="t" name="审批"><bpmn:extensionElements><spiffworkflow:properties>'
         '<spiffworkflow:property name="candidateGroups" value="township:approver@social"/>'
         '<spiffworkflow:property name="formJsonSchemaFilename" value="decide.schema.json"/>'
         '<spiffworkflow:property name="stage" value="decided"/>'
         '</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>')


@pytest.mark.parametrize("task, dialect, groups, form, due, stage", [
    (CAMUNDA7, "camunda7", ["township:reviewer"], "review", "P3D", "pre_review"),
    (ZEEBE, "zeebe", ["district:approver@market"], "decide", "P5D", "decided"),
    (SPIFF, "spiff", ["township:approver@social"], "decide.schema.json", None, "decided"),
])
def test_reads_each_designer_dialect(task, dialect, groups, form, due, stage):
    bundle = parse_bundle([SourceFile("a.bpmn", linear(task))])
    [meta] = bundle.processes["p"].user_tasks
    assert (meta.dialect, meta.candidate_groups, meta.form_key, meta.due_date, meta.stage) == \
        (dialect, groups, form, due, stage)


def test_lane_name_is_a_routing_target():
    xml = (HEAD + '<bpmn:process id="p" isExecutable="true"><bpmn:laneSet id="ls">'
           '<bpmn:lane id="l1" name="village:agent">'
           '<bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>t</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef>'
           '</bpmn:lane></bpmn:laneSet><bpmn:startEvent id="start"/><bpmn:userTask id="t" name="代办"/>'
           '<bpmn:endEvent id="end"/>'
           '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="t"/>'
           '<bpmn:sequenceFlow id="f1" sourceRef="t" targetRef="end"/>'
           '</bpmn:process></bpmn:definitions>').encode()
    [meta] = parse_bundle([SourceFile("lane.bpmn", xml)]).processes["p"].user_tasks
    assert meta.lane == "village:agent" and meta.candidate_groups == []


@pytest.mark.parametrize("text", ["P7D", "R3/P1D", "2026-12-01T09:00:00+08:00", "2026-12-01T09:00:00", "PT1H30M",
                                  "\"P2D\"", "'PT5M'"])
def test_timer_literals_and_expressions_both_parse(text):
    tag = "timeCycle" if text.startswith("R") else "timeDuration" if "P" in text else "timeDate"
    boundary = (f'<bpmn:boundaryEvent id="b" attachedToRef="t" cancelActivity="false"><bpmn:outgoing>f2</bpmn:outgoing>'
                f'<bpmn:timerEventDefinition><bpmn:{tag}>{text}'
                f'</bpmn:{tag}></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
                '<bpmn:endEvent id="late"/><bpmn:sequenceFlow id="f2" sourceRef="b" targetRef="late"/>')
    bundle = parse_bundle([SourceFile("t.bpmn", linear(CAMUNDA7, extra=boundary))])
    assert "p" in bundle.processes


def test_malformed_xml():
    err = rejected(("broken.bpmn", b"<bpmn:definitions><oops></bpmn:definitions>"))
    assert err.code == "xml_malformed" and err.problems[0].file == "broken.bpmn"


def test_xxe_is_refused():
    xxe = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
           + HEAD.split("\n", 1)[1].encode() + b"&xxe;</bpmn:definitions>")
    err = rejected(("xxe.bpmn", xxe))
    assert err.code == "xml_doctype_forbidden"
    assert "root:" not in str(err.to_dict())


def test_entity_expansion_bomb_is_refused():
    lol = "".join(f'<!ENTITY l{i} "{("&l%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY l0 "lol">{lol}]><d>&l9;</d>'.encode()
    err = rejected(("bomb.bpmn", bomb))
    assert err.code == "xml_doctype_forbidden"


def test_unsupported_element_on_the_flow():
    xml = process('<bpmn:startEvent id="start"/><bpmn:complexGateway id="cgw"/><bpmn:endEvent id="end"/>', flows=
                  '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="cgw"/>'
                  '<bpmn:sequenceFlow id="f1" sourceRef="cgw" targetRef="end"/>')
    err = rejected(("cg.bpmn", xml))
    assert err.code == "bpmn_unsupported_element"
    assert err.problems[0].element == "cgw" and err.problems[0].file == "cg.bpmn"


def test_unknown_element_fails_schema_validation_with_a_line():
    xml = linear(CAMUNDA7, extra='<bpmn:bogusElement id="x"/>')
    err = rejected(("bogus.bpmn", xml))
    assert err.code == "bpmn_schema_violation"
    assert err.problems[0].line is not None


def test_call_activity_to_a_missing_process():
    xml = linear('<bpmn:callActivity id="t" calledElement="does_not_exist"/>')
    err = rejected(("call.bpmn", xml))
    assert err.code == "call_activity_target_missing"
    assert err.problems[0].element == "t" and "does_not_exist" in err.message


def test_call_activity_resolves_across_files_of_the_deployment():
    caller = linear('<bpmn:callActivity id="t" calledElement="callee"/>', pid="caller")
    callee = linear(CAMUNDA7, pid="callee")
    bundle = parse_bundle([SourceFile("caller.bpmn", caller), SourceFile("callee.bpmn", callee)])
    assert set(bundle.processes["caller"].subprocess_specs) == {"callee"}
    assert [m.id for m in bundle.processes["caller"].user_tasks] == ["t"]


def test_script_task_importing_os_is_refused():
    xml = linear('<bpmn:scriptTask id="t"><bpmn:script>import os\nos.system("id")</bpmn:script></bpmn:scriptTask>')
    err = rejected(("os.bpmn", xml))
    assert err.code == "script_import_forbidden" and err.problems[0].element == "t"


def test_dunder_escape_in_a_condition_is_refused():
    xml = process('<bpmn:startEvent id="start"/><bpmn:exclusiveGateway id="g" default="f2"/>'
                  '<bpmn:endEvent id="a"/><bpmn:endEvent id="b"/>',
                  flows='<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="g"/>'
                        '<bpmn:sequenceFlow id="f1" sourceRef="g" targetRef="a">'
                        '<bpmn:conditionExpression>().__class__.__base__.__subclasses__()</bpmn:conditionExpression>'
                        '</bpmn:sequenceFlow>'
                        '<bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="b"/>')
    err = rejected(("dunder.bpmn", xml))
    assert err.code == "expression_invalid" and err.problems[0].element == "f1"


def test_camunda8_feel_condition_is_translated_and_a_feel_function_refused():
    xml = process('<bpmn:startEvent id="start"/><bpmn:exclusiveGateway id="g" default="f2"/>'
                  '<bpmn:endEvent id="a"/><bpmn:endEvent id="b"/>',
                  flows='<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="g"/>'
                        '<bpmn:sequenceFlow id="f1" sourceRef="g" targetRef="a">'
                        '<bpmn:conditionExpression>=amount &gt; 1000</bpmn:conditionExpression></bpmn:sequenceFlow>'
                        '<bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="b"/>')
    parse_bundle([SourceFile("feel.bpmn", xml)])   # FEEL: tests/unit/test_feel_expression.py
    err = rejected(("feel.bpmn", xml.replace(b"=amount &gt; 1000", b"=amount &gt; number(limit)")))
    assert (err.code, err.problems[0].element) == ("feel_unsupported", "f1")
    assert "function number() is not supported" in err.problems[0].message


@pytest.mark.parametrize("group, code", [
    ("township:janitor", "routing_unknown_role"),
    ("county:reviewer", "routing_unknown_tier"),
    ("reviewer", "routing_target_malformed"),
    ("township:reviewer@", "routing_target_malformed"),
])
def test_bad_routing_targets(group, code):
    err = rejected(("r.bpmn", linear(f'<bpmn:userTask id="t" camunda:candidateGroups="{group}"/>')))
    assert err.code == code and err.problems[0].element == "t"


def test_user_task_without_any_target_is_deployed_with_a_warning():
    bundle = parse_bundle([SourceFile("r.bpmn", linear('<bpmn:userTask id="t"/>'))])
    assert list(bundle.processes) == ["p"]
    assert [(w.code, w.element) for w in bundle.warnings] == [("routing_target_missing", "t")]


@pytest.mark.parametrize("attr, assignee, names, expressions", [
    ('camunda:assignee="${initiator}"', "initiator", [], []),
    ('camunda:assignee="#{form.boss}"', "form['boss']", [], []),
    ('camunda:candidateUsers="${approvers}"', None, [], ["approvers"]),
    ('camunda:candidateUsers="a, #{boss}"', None, ["a"], ["boss"]),
    ("camunda:candidateUsers=\"${x == 'a,b' ? 'c' : 'd'}, bob\"", None, ["bob"], ["('c' if (x == 'a,b') else 'd')"]),
])
def test_assignee_and_candidate_user_expressions_are_translated(attr, assignee, names, expressions):
    bundle = parse_bundle([SourceFile("r.bpmn", linear(f'<bpmn:userTask id="t" {attr}/>'))])
    [meta] = bundle.processes["p"].user_tasks
    assert (meta.assignee, meta.assignee_expression, meta.candidate_users, meta.candidate_user_expressions) == \
        (None, assignee, names, expressions)
    assert list(bundle.warnings) == []          # given to people: routed, no warning


@pytest.mark.parametrize("definition, assignee, expressions", [
    ('<zeebe:assignmentDefinition assignee="=approver"/>', "approver", []),
    ('<zeebe:assignmentDefinition candidateUsers="=[&quot;a&quot;, boss.name]"/>', None, ["['a', boss['name']]"]),
    ('<zeebe:assignmentDefinition candidateUsers="=if x then a else b"/>', None, ["(a if x else b)"]),
])
def test_zeebe_assignment_expressions_are_translated_whole(definition, assignee, expressions):
    task = f'<bpmn:userTask id="t"><bpmn:extensionElements>{definition}</bpmn:extensionElements></bpmn:userTask>'
    [meta] = parse_bundle([SourceFile("r.bpmn", linear(task))]).processes["p"].user_tasks
    assert (meta.assignee_expression, meta.candidate_user_expressions, meta.candidate_users) == \
        (assignee, expressions, [])


@pytest.mark.parametrize("attr, code", [
    ('camunda:assignee="${bean.lookup()}"', "juel_unsupported"),
    ('camunda:assignee="boss-${x}"', "juel_unsupported"),
    ('camunda:candidateUsers="a, ${_secret}"', "juel_unsupported"),
])
def test_untranslatable_assignment_expressions_are_refused_naming_the_element(attr, code):
    err = rejected(("r.bpmn", linear(f'<bpmn:userTask id="t" camunda:candidateGroups="township:reviewer" {attr}/>')))
    assert [(p.code, p.element) for p in err.problems] == [(code, "t")]


def test_an_untranslatable_zeebe_assignee_is_refused():
    task = ('<bpmn:userTask id="t"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="=now()"/>'
            '</bpmn:extensionElements></bpmn:userTask>')
    err = rejected(("r.bpmn", linear(task)))
    assert [(p.code, p.element) for p in err.problems] == [("feel_unsupported", "t")]


def test_two_timers_behind_one_event_gateway_are_refused():
    xml = process('<bpmn:startEvent id="start"/><bpmn:eventBasedGateway id="egw"/>'
                  '<bpmn:intermediateCatchEvent id="t1"><bpmn:timerEventDefinition>'
                  '<bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
                  '<bpmn:intermediateCatchEvent id="t2"><bpmn:timerEventDefinition>'
                  '<bpmn:timeDuration>P14D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
                  '<bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>',
                  flows='<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="egw"/>'
                        '<bpmn:sequenceFlow id="f1" sourceRef="egw" targetRef="t1"/>'
                        '<bpmn:sequenceFlow id="f2" sourceRef="egw" targetRef="t2"/>'
                        '<bpmn:sequenceFlow id="f3" sourceRef="t1" targetRef="e1"/>'
                        '<bpmn:sequenceFlow id="f4" sourceRef="t2" targetRef="e2"/>')
    err = rejected(("egw.bpmn", xml))
    assert err.code == "event_gateway_multiple_timers" and err.problems[0].element == "egw"


def test_every_problem_of_a_deployment_is_reported_at_once():
    err = rejected(("a.bpmn", linear('<bpmn:userTask id="t" camunda:candidateGroups="township:janitor"/>')),
                   ("b.bpmn", linear('<bpmn:scriptTask id="t"><bpmn:script>import os</bpmn:script></bpmn:scriptTask>',
                                     pid="q")))
    assert {(p.file, p.code) for p in err.problems} == {("a.bpmn", "routing_unknown_role"),
                                                        ("b.bpmn", "script_import_forbidden")}


def test_not_bpmn_and_empty_and_duplicate_names():
    assert rejected(("x.bpmn", b"<html/>")).code == "not_bpmn"
    with pytest.raises(DeployError) as err:
        parse_bundle([])
    assert err.value.code == "deployment_empty"
    dup = linear(CAMUNDA7)
    assert rejected(("a.bpmn", dup), ("a.bpmn", dup)).code == "duplicate_file"


def test_oversize_file():
    err = rejected(("big.bpmn", b" " * (5 * 1024 * 1024 + 1)))
    assert err.code == "file_too_large"


def test_a_condition_in_the_feel_language_is_feel_without_the_equals_sign():
    flows = ('<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="g"/>'
             '<bpmn:sequenceFlow id="f1" sourceRef="g" targetRef="a"><bpmn:conditionExpression '
             'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="bpmn:tFormalExpression" '
             'language="https://www.omg.org/spec/DMN/20191111/FEEL/">{}'
             '</bpmn:conditionExpression></bpmn:sequenceFlow>'
             '<bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="b"/>')
    body = ('<bpmn:startEvent id="start"/><bpmn:exclusiveGateway id="g" default="f2"/>'
            '<bpmn:endEvent id="a"/><bpmn:endEvent id="b"/>')
    parsed = parse_bundle([SourceFile("feel.bpmn", process(body, flows=flows.format('decision = "granted"')))])
    assert "f1" not in str(parsed.warnings)
    err = rejected(("feel.bpmn", process(body, flows=flows.format('Vacation Approval = "Approved"'))))
    assert (err.code, err.problems[0].element) == ("feel_unsupported", "f1")
    assert "names with spaces" in err.problems[0].message
