"""A case's diagram over HTTP (both databases): an open step inside an embedded sub-process is
listed once, under the sub-process where it is drawn, with its due instant and holder
(docs/diagrams.md#what-a-cases-diagram-marks)."""
import io
from datetime import timedelta

import pytest

from tests.conftest import app_for, window_id
from tests.e2e.test_api import auth
from tests.integration.helpers import FIXTURES, add_item


@pytest.fixture
def client(demo):
    return app_for(demo).test_client()


def test_open_step_in_an_embedded_sub_process_is_listed_once(client, demo, clock):
    designer, receiver, reviewer = (auth(client, who) for who in ("designer", "xcz_receiver", "xcz_reviewer"))
    name = "diagram_subtask.bpmn"
    r = client.post("/api/v1/process-definitions/deployments", headers=designer, content_type="multipart/form-data",
                    data={"name": name, "files": [(io.BytesIO((FIXTURES / name).read_bytes()), name)]})
    assert r.status_code == 201, r.json
    add_item(demo, "TEST-DGS", "diagram_subtask")
    r = client.post("/api/v1/cases", headers=receiver, json={
        "item_code": "TEST-DGS", "window_id": window_id(demo, "XCZ-W01"), "applicant": {"name": "王五"}})
    assert r.status_code == 201, r.json
    case_id = r.json["id"]

    r = client.get(f"/api/v1/cases/{case_id}/diagram", headers=reviewer)
    assert r.status_code == 200, r.json
    [step] = [e for e in r.json["elements"] if e["element_id"] == "check"]
    assert (step["process"], step["state"], step["active"], step["overdue"]) == ("stage", "active", 1, False)
    assert step["due_at"] and step["name"] == "现场核查"
    assert sorted(e["element_id"] for e in r.json["elements"]) == ["check", "s_start", "stage", "start"]

    clock.advance(timedelta(days=4))                    # past one working day, whatever the weekday
    r = client.get(f"/api/v1/cases/{case_id}/diagram", headers=auth(client, "xcz_reviewer"))
    assert r.status_code == 200, r.json
    [step] = [e for e in r.json["elements"] if e["element_id"] == "check"]
    assert (step["process"], step["state"], step["active"], step["overdue"]) == ("stage", "overdue", 1, True)
