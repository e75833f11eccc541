"""Form rules: key -> file mapping, schema checks, field-level errors; package merge rules."""
import json

import pytest

from engine.domain import forms, packages
from engine.domain.errors import ValidationError


@pytest.mark.parametrize("key, name", [
    ("proxy_intake", "proxy_intake.schema.json"),
    ("proxy_intake.schema.json", "proxy_intake.schema.json"),
    ("camunda-forms:deployment:decide.schema.json", "decide.schema.json"),
    ("camunda-forms:deployment:decide", "decide.schema.json"),
])
def test_form_keys_name_schema_files(key, name):
    assert forms.file_name(key) == name


@pytest.mark.parametrize("key", ["../etc/passwd", "a/b", "camunda-forms:deployment:../x.form", "", "..x"])
def test_keys_that_are_not_plain_schema_files_are_refused(key):
    with pytest.raises(forms.FormKeyError):
        forms.file_name(key)


@pytest.mark.parametrize("content, why", [
    (b"{not json", "not JSON"),
    (b"[1, 2]", "not a JSON object"),
    (json.dumps({"type": 12}).encode(), "not a valid JSON Schema"),
    (json.dumps({"$schema": "http://json-schema.org/draft-04/schema#"}).encode(), "2020-12"),
    (json.dumps({"type": "string"}).encode(), "type object"),
])
def test_unusable_schemas_say_why(content, why):
    schema, message = forms.parse_schema(content)
    assert schema is None and why in message


SCHEMA = {"type": "object", "required": ["uscc", "business"],
          "properties": {"uscc": {"type": "string", "pattern": "^[0-9A-Z]{18}$"},
                         "business": {"type": "object", "required": ["name"],
                                      "properties": {"name": {"type": "string", "minLength": 1}}},
                         "scope": {"type": "array", "items": {"enum": ["a", "b"]}}}}


def test_errors_name_each_field_as_a_path():
    validator = forms.compile_validator(SCHEMA)
    errors = forms.field_errors(validator, {"business": {}, "scope": ["a", "z"]}, "form")
    assert {(e["field"], e["validator"]) for e in errors} == {
        ("form.uscc", "required"), ("form.business.name", "required"), ("form.scope.1", "enum")}
    assert forms.field_errors(validator, {"uscc": "X" * 18, "business": {"name": "面馆"}}, "form") == []


def test_formats_are_checked():
    validator = forms.compile_validator({"type": "object", "properties": {"d": {"type": "string", "format": "date"}}})
    assert [e["field"] for e in forms.field_errors(validator, {"d": "2026-13-40"}, "data")] == ["data.d"]


def test_merged_form_deduplicates_fields_and_ignores_wording():
    a = {"properties": {"name": {"type": "string", "title": "名称"}, "x": {"type": "integer"}}, "required": ["name"]}
    b = {"properties": {"name": {"type": "string", "title": "经营者名称"}, "y": {"type": "boolean"}},
         "required": ["name", "y"]}
    merged, fields = packages.merge_forms("一件事", [("A", a), ("B", b)])
    assert sorted(merged["properties"]) == ["name", "x", "y"] and merged["required"] == ["name", "y"]
    assert fields == {"A": ["name", "x"], "B": ["name", "y"]}


def test_conflicting_fields_name_the_field_and_both_items():
    with pytest.raises(ValidationError) as err:
        packages.merge_forms("一件事", [("A", {"properties": {"area": {"type": "number"}}}),
                                        ("B", {"properties": {"area": {"type": "string"}}})])
    assert err.value.code == "package_form_conflict"
    assert err.value.detail["conflicts"] == [{"field": "area", "items": ["A", "B"]}]


def test_one_material_set():
    a = [{"name": "身份证", "required": True, "licence_types": ["id_card"]}, {"name": "制度文本", "required": True}]
    b = [{"name": "法人身份证", "required": False, "licence_types": ["id_card"], "copies": 2},
         {"name": "制度文本", "required": False}, {"name": "健康证明", "required": True}]
    merged = packages.merge_materials([("A", a), ("B", b)])
    assert [(m["name"], m["required"], m["items"]) for m in merged] == [
        ("身份证", True, ["A", "B"]), ("制度文本", True, ["A", "B"]), ("健康证明", True, ["B"])]
    assert merged[0]["copies"] == 2 and [m["code"] for m in merged] == ["P01", "P02", "P03"]


@pytest.mark.parametrize("outcomes, result", [
    (["granted", "open"], ("running", "in_progress", None)),
    (["granted", "granted"], ("completed", "completed", "granted")),
    (["granted", "refused"], ("completed", "partially_completed", "partial")),
    (["refused", "withdrawn"], ("completed", "completed", "refused")),
    (["withdrawn", "withdrawn"], ("withdrawn", "withdrawn", None)),
])
def test_combined_result(outcomes, result):
    assert packages.combined_result(outcomes) == result


def test_the_order_of_fields_is_written_down_because_jsonb_sorts_keys():
    from engine.domain.forms import parse_schema
    schema, why = parse_schema('{"type": "object", "properties": {"z": {"type": "string"}, "a": {"type": "object",'
                               ' "properties": {"y": {}, "b": {}}}}, "then": {"properties": {"q": {}}}}'.encode())
    assert why is None
    assert schema["x-order"] == ["z", "a"] and schema["properties"]["a"]["x-order"] == ["y", "b"]
    assert schema["then"]["x-order"] == ["q"]
    kept, _ = parse_schema(b'{"type": "object", "properties": {"a": {}, "b": {}}, "x-order": ["b", "a"]}')
    assert kept["x-order"] == ["b", "a"]
