"""Camunda Forms (form-js JSON) converted into JSON Schema (engine/domain/camunda_forms.py), the
keys that name them (engine/domain/forms.py), and what is refused, naming the component."""
import json

import pytest
from jsonschema import Draft202012Validator

from engine.domain import forms
from engine.domain.camunda_forms import CamundaFormUnsupported, to_json_schema


def _form(*components):
    return {"id": "invoice", "type": "default", "components": list(components)}


def test_each_supported_component():
    schema = to_json_schema(_form(
        {"key": "name", "label": "名称", "type": "textfield", "description": "全称",
         "validate": {"required": True, "minLength": 2, "maxLength": 50, "pattern": "^[^0-9]+$"}},
        {"key": "note", "type": "textarea", "validate": {"maxLength": 2000}},
        {"key": "mail", "type": "textfield", "validate": {"validationType": "email"}},
        {"key": "amount", "type": "number", "validate": {"min": 0, "max": 100000}},
        {"key": "count", "type": "number", "decimalDigits": 0, "defaultValue": 1},
        {"key": "agree", "type": "checkbox", "readonly": True},
        {"key": "channel", "type": "radio", "values": [{"label": "窗口", "value": "window"},
                                                      {"label": "网上", "value": "online"}]},
        {"key": "level", "type": "select", "values": [{"label": "一级", "value": 1}]},
        {"key": "docs", "type": "checklist", "values": [{"label": "身份证", "value": "id"}]},
        {"key": "tags", "type": "taglist", "values": [{"value": "a"}]},
        {"key": "day", "type": "datetime", "subtype": "date"},
        {"key": "at", "type": "datetime", "subtype": "datetime"},
        {"type": "text", "text": "# 说明"}, {"type": "button", "action": "submit"}, {"type": "separator"},
    ))
    props = schema["properties"]
    assert schema["required"] == ["name"]
    assert props["name"] == {"type": "string", "minLength": 2, "maxLength": 50, "pattern": "^[^0-9]+$",
                             "title": "名称", "description": "全称"}
    assert props["mail"]["format"] == "email"
    assert props["amount"] == {"type": "number", "minimum": 0, "maximum": 100000}
    assert props["count"] == {"type": "integer", "default": 1}
    assert props["agree"] == {"type": "boolean", "readOnly": True}
    assert props["channel"] == {"oneOf": [{"const": "window", "title": "窗口"}, {"const": "online", "title": "网上"}]}
    assert props["docs"] == {"type": "array", "items": {"oneOf": [{"const": "id", "title": "身份证"}]},
                             "uniqueItems": True}
    assert (props["day"]["format"], props["at"]["format"]) == ("date", "date-time")
    assert list(props) == ["name", "note", "mail", "amount", "count", "agree", "channel", "level", "docs", "tags",
                           "day", "at"]                                  # text and layout are left out
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert not list(validator.iter_errors({"name": "兰州", "channel": "window", "docs": ["id"], "day": "2026-12-01"}))
    bad = {"name": "1", "channel": "fax", "docs": ["id", "id"], "amount": -1, "mail": "x", "day": "12/01"}
    assert {e.path[0] for e in validator.iter_errors(bad)} == {"name", "channel", "docs", "amount", "mail", "day"}


@pytest.mark.parametrize("component, component_name, reason", [
    ({"key": "g", "type": "group", "components": []}, "g (group)", "type 'group' is not supported"),
    ({"key": "d", "type": "dynamiclist"}, "d (dynamiclist)", "type 'dynamiclist' is not supported"),
    ({"id": "f1", "type": "filepicker"}, "f1 (filepicker)", "not supported"),
    ({"type": "iframe"}, "#1 (iframe)", "not supported"),
    ({"key": "s", "type": "select", "valuesKey": "options"}, "s (select)", "options from a variable"),
    ({"key": "s", "type": "radio", "valuesExpression": "=opts"}, "s (radio)", "options from a variable"),
    ({"key": "s", "type": "radio"}, "s (radio)", "`values` must list the options"),
    ({"key": "x", "type": "textfield", "conditional": {"hide": "=a"}}, "x (textfield)", "a condition"),
    ({"key": "a.b", "type": "textfield"}, "a.b (textfield)", "must be a plain name"),
    ({"key": "__proto__", "type": "textfield"}, "__proto__ (textfield)", "must be a plain name"),
    ({"type": "textfield"}, "#1 (textfield)", "must be a plain name"),
    ({"key": "x", "type": "textfield", "validate": {"pattern": "("}}, "x (textfield)", "not a regular expression"),
    ({"key": "x", "type": "textfield", "validate": {"pattern": "=p"}}, "x (textfield)", "not FEEL"),
    ({"key": "x", "type": "number", "validate": {"min": "=lo"}}, "x (number)", "FEEL expression"),
    ({"key": "x", "type": "textfield", "validate": {"validationType": "phone"}}, "x (textfield)", "only email"),
    ({"key": "x", "type": "datetime", "subtype": "week"}, "x (datetime)", "subtype 'week'"),
])
def test_refusals_name_the_component(component, component_name, reason):
    with pytest.raises(CamundaFormUnsupported) as err:
        to_json_schema(_form(component))
    assert err.value.component == component_name and reason in err.value.reason


def test_a_key_used_twice_and_documents_that_are_no_form():
    with pytest.raises(CamundaFormUnsupported, match="used by two"):
        to_json_schema(_form({"key": "a", "type": "textfield"}, {"key": "a", "type": "number"}))
    for document in ([], {"components": {}}, {"type": "default"}):
        with pytest.raises(CamundaFormUnsupported, match="no `components` list"):
            to_json_schema(document)


def test_keys_and_file_parsing():
    assert forms.file_name("camunda-forms:app:task-form.form") == "task-form.form"
    assert forms.file_name("camunda-forms:deployment:task-form.form") == "task-form.form"
    # a Camunda Form keeps its suffix and a formRef its prefix: neither is the JSON Schema form `task-form`
    assert forms.canonical_key("camunda-forms:app:task-form.form") == "task-form.form"
    assert forms.canonical_key(forms.REF_PREFIX + "invoice") == forms.REF_PREFIX + "invoice"
    assert forms.canonical_key("camunda-forms:app:task-form.schema.json") == "task-form"
    for bad in ("camunda-forms:app:../x.form", forms.REF_PREFIX + "../x", "camunda-forms:app:a/b.form"):
        with pytest.raises(forms.FormKeyError):
            forms.file_name(bad)
    schema, form_id, why = forms.parse_camunda_form(json.dumps(_form({"key": "a", "type": "textfield"})).encode())
    assert (form_id, why, schema["x-order"]) == ("invoice", None, ["a"])
    assert forms.parse_camunda_form(b"{")[2].startswith("not JSON")
    assert forms.parse_camunda_form(json.dumps(_form({"key": "a", "type": "group"})).encode())[2] \
        .startswith("Camunda Form: component a (group)")
