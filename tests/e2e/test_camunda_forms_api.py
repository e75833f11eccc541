"""Camunda Forms over HTTP on both databases: a designer uploads a diagram with its `.form` files
in one multipart deployment; the form is served as the JSON Schema it was converted into, and a
form Lianban cannot convert is a 422 naming the component and the step."""
import json

import pytest

from tests.conftest import app_for
from tests.e2e.test_api import _files, assert_problem, auth
from tests.integration.helpers import FIXTURES

EXAMPLE = FIXTURES / "corpus" / "camunda-bpm-examples" / "usertask" / "task-camunda-forms" / "src" / "main"


@pytest.fixture
def client(demo):
    return app_for(demo).test_client()


def _upload(task_form: bytes):
    bpmn = (EXAMPLE / "resources" / "invoiceApproval.bpmn").read_bytes().replace(
        b'camunda:assignee="demo"', b'camunda:assignee="xcz_receiver"')
    return _files(("invoiceApproval.bpmn", bpmn), ("task-form.form", task_form),
                  ("start-form.form", (EXAMPLE / "webapp" / "start-form.form").read_bytes()))


def test_a_camunda_form_deploys_over_http_and_is_served_as_json_schema(client, demo):
    designer = auth(client, "designer")
    r = client.post("/api/v1/process-definitions/deployments", headers=designer,
                    data={"name": "invoice", **_upload((EXAMPLE / "webapp" / "task-form.form").read_bytes())},
                    content_type="multipart/form-data")
    assert r.status_code == 201, r.get_data(as_text=True)
    assert [p["key"] for p in r.json["processes"]] == ["camundaFormsQuickstart"]
    form = client.get("/api/v1/forms/task-form.form", headers=designer)
    assert form.status_code == 200 and form.json["key"] == "task-form.form"
    assert client.get("/api/v1/forms/task-form", headers=designer).status_code == 404    # not a JSON Schema form
    schema = form.json["schema"]
    assert schema["required"] == ["creditor", "amount"]
    assert schema["properties"]["invoiceNumber"] == {"type": "string", "pattern": "^C-[0-9]+$",
                                                     "title": "Invoice Number",
                                                     "description": "An invoice number in the format: C-123."}


def test_a_camunda_form_it_cannot_convert_is_a_problem_naming_component_and_step(client, demo):
    designer = auth(client, "designer")
    document = json.loads((EXAMPLE / "webapp" / "task-form.form").read_bytes())
    document["components"].append({"key": "attachments", "type": "filepicker"})
    r = client.post("/api/v1/process-definitions/validate", headers=designer,
                    data=_upload(json.dumps(document).encode()), content_type="multipart/form-data")
    problem = assert_problem(r, 422, "camunda_form_unsupported")
    step = [p for p in problem["problems"] if p.get("element") == "UserTask_1"]
    assert step and "component attachments (filepicker)" in step[0]["message"]
