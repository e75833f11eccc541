"""Camunda 7 REST conventions (engine/domain/camunda.py): definition ids, dates, typed variables and
the text of a rejected diagram."""
from datetime import datetime, timedelta, timezone

import pytest

from engine.domain import camunda
from engine.domain.errors import ValidationError


def test_definition_ids_round_trip_and_strangers_are_no_id():
    assert camunda.definition_id("food_licence", 2, 8) == "food_licence:2:8"
    assert camunda.parse_definition_id("food_licence:2:8") == ("food_licence", 2, 8)
    assert camunda.parse_definition_id("8") == (None, None, 8)
    for text in ("", "abc", "food:x:8", "food:2:0", "food:2:2147483648", "food:2:８", "a:b", "food:2:-1"):
        assert camunda.parse_definition_id(text) is None, text


def test_dates_in_camundas_format():
    moment = datetime(2026, 11, 27, 1, 2, 3, 456789, tzinfo=timezone.utc)
    assert camunda.format_date(moment) == "2026-11-27T01:02:03.456+0000"
    assert camunda.format_date(None) is None
    assert camunda.parse_date("2026-11-27T09:00:00.000+0800") == datetime(
        2026, 11, 27, 9, tzinfo=timezone(timedelta(hours=8)))
    assert camunda.parse_date("2026-11-27T09:00:00+08:00") == camunda.parse_date("2026-11-27T01:00:00Z")
    assert camunda.parse_date("yesterday") is None


def test_each_type_converts_to_the_json_a_case_keeps():
    values = camunda.variable_values({
        "s": {"value": "文本", "type": "String"}, "i": {"value": 10, "type": "Integer"},
        "i_text": {"value": "-7", "type": "integer"}, "short": {"value": 300, "type": "Short"},
        "l": {"value": 2 ** 40, "type": "Long"}, "d": {"value": 1, "type": "Double"},
        "b": {"value": "TRUE", "type": "Boolean"}, "date": {"value": "2026-11-27T09:00:00.000+0800", "type": "Date"},
        "j": {"value": '{"a": [1, 2]}', "type": "Json"}, "j_object": {"value": {"a": 1}, "type": "Json"},
        "n": {"value": None, "type": "Null"}, "none_int": {"value": None, "type": "Integer"},
        "untyped": {"value": 3}, "untyped_list": {"value": [1]}})
    assert values == {"s": "文本", "i": 10, "i_text": -7, "short": 300, "l": 2 ** 40, "d": 1.0, "b": True,
                      "date": "2026-11-27T09:00:00+08:00", "j": {"a": [1, 2]}, "j_object": {"a": 1}, "n": None,
                      "none_int": None, "untyped": 3, "untyped_list": [1]}
    assert camunda.variable_values(None) == {}


@pytest.mark.parametrize("typed, code", [
    ({"value": "ten", "type": "Integer"}, "variable_invalid"),
    ({"value": 2 ** 31, "type": "Integer"}, "variable_invalid"),
    ({"value": 2 ** 15, "type": "Short"}, "variable_invalid"),
    ({"value": 2 ** 63, "type": "Long"}, "variable_invalid"),
    ({"value": True, "type": "Integer"}, "variable_invalid"),
    ({"value": 1.5, "type": "Long"}, "variable_invalid"),
    ({"value": "NaN", "type": "Double"}, "variable_invalid"),
    ({"value": 1, "type": "String"}, "variable_invalid"),
    ({"value": "yes", "type": "Boolean"}, "variable_invalid"),
    ({"value": "27/11/2026", "type": "Date"}, "variable_invalid"),
    ({"value": "[1,", "type": "Json"}, "variable_invalid"),
    ({"value": "[NaN]", "type": "Json"}, "variable_invalid"),
    ({"value": "[" * 100 + "]" * 100, "type": "Json"}, "variable_invalid"),
    ({"value": '{"a": "\\u0000"}', "type": "Json"}, "nul_character"),
    ({"value": 1, "type": "Json"}, "variable_invalid"),
    ({"value": "x", "type": "Money"}, "variable_type_unknown"),
    ({"value": "x", "type": 3}, "variable_type_unknown"),
    ({"value": "rO0AB", "type": "Object"}, "variable_type_unsupported"),
    ({"value": "aGk=", "type": "Bytes"}, "variable_type_unsupported"),
    ("10", "variable_invalid"),
])
def test_a_value_that_does_not_fit_its_type_is_refused_naming_the_variable(typed, code):
    with pytest.raises(ValidationError) as raised:
        camunda.variable_values({"amount": typed})
    assert raised.value.code == code and raised.value.field == "variables.amount"


def test_variables_that_are_not_an_object_are_refused():
    with pytest.raises(ValidationError) as raised:
        camunda.variable_values([1])
    assert raised.value.code == "variables_invalid"


def test_typed_answers_name_each_type():
    assert camunda.typed({"a": {"value": 1, "type": "integer"}, "b": {"value": "x"}}) == {
        "a": {"value": 1, "type": "Integer", "valueInfo": {}}, "b": {"value": "x", "type": "String", "valueInfo": {}}}


def test_a_rejected_diagram_lists_each_problem_behind_the_prefix_the_modeler_knows():
    message = camunda.parse_error_message([
        {"code": "routing_unknown_role", "message": "unknown role", "file": "a.bpmn", "line": 3, "element": "t1"},
        {"code": "deployment_too_many_files", "message": "at most 50 files"}])
    assert message.startswith("ENGINE-09005 Could not parse BPMN process. Errors: \n")
    assert message.splitlines()[1:] == [
        "* unknown role [routing_unknown_role] | resource a.bpmn | line 3 | element t1",
        "* at most 50 files [deployment_too_many_files]"]
