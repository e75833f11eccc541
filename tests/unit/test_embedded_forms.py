"""Camunda 8 forms embedded in the process (zeebe:userTaskForm), named by a task or start event as
`camunda-forms:bpmn:<id>`: the key, and what the parser collects and refuses."""
import pytest

from engine.bpmn.parser import SourceFile, parse_bundle
from engine.domain import forms
from engine.domain.errors import DeployError
from tests.unit.test_parser import HEAD

FORM = '{"components": [{"key": "ok", "label": "同意", "type": "checkbox"}]}'


def diagram(forms_xml: str, pid: str = "p", form_ref: str = "userTaskForm_1") -> bytes:
    return (HEAD + f'<bpmn:process id="{pid}" isExecutable="true">'
            f'<bpmn:extensionElements>{forms_xml}</bpmn:extensionElements>'
            '<bpmn:startEvent id="start"/>'
            f'<bpmn:userTask id="t"><bpmn:extensionElements>'
            f'<zeebe:formDefinition formKey="camunda-forms:bpmn:{form_ref}"/>'
            '<zeebe:assignmentDefinition candidateGroups="township:reviewer"/></bpmn:extensionElements></bpmn:userTask>'
            '<bpmn:endEvent id="end"/><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="t"/>'
            '<bpmn:sequenceFlow id="f1" sourceRef="t" targetRef="end"/></bpmn:process></bpmn:definitions>').encode()


def test_the_key_names_the_embedded_form_as_written():
    key = "camunda-forms:bpmn:userTaskForm_1m306cp"
    assert forms.file_name(key) == forms.canonical_key(key) == key
    for bad in ("camunda-forms:bpmn:../x", "camunda-forms:bpmn:", "camunda-forms:bpmn:a b"):
        with pytest.raises(forms.FormKeyError):
            forms.file_name(bad)


def test_the_parser_collects_the_forms_each_process_embeds():
    bundle = parse_bundle([SourceFile("a.bpmn", diagram(f'<zeebe:userTaskForm id="userTaskForm_1">{FORM}'
                                                        '</zeebe:userTaskForm>'))])
    assert bundle.embedded_forms == {"userTaskForm_1": FORM}
    [meta] = bundle.processes["p"].user_tasks
    assert meta.form_key == "camunda-forms:bpmn:userTaskForm_1"


def test_one_id_embedded_twice_with_different_content_is_refused():
    one = diagram(f'<zeebe:userTaskForm id="userTaskForm_1">{FORM}</zeebe:userTaskForm>')
    other = diagram('<zeebe:userTaskForm id="userTaskForm_1">{"components": []}</zeebe:userTaskForm>', pid="q")
    with pytest.raises(DeployError) as err:
        parse_bundle([SourceFile("a.bpmn", one), SourceFile("b.bpmn", other)])
    assert [(p.code, p.element, p.file) for p in err.value.problems] == [("camunda_form_unsupported", "q", "b.bpmn")]
    assert "userTaskForm_1" in err.value.problems[0].message
