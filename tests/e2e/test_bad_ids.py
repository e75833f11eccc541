"""Ids over HTTP on both databases: 1 to 2147483647 in ASCII digits. A larger id, or one written
with other digits, matches no path (404 not_found); in a query or body it is request_invalid (422)
naming the field; nothing is written."""
import io
import re

import pytest
from werkzeug.routing import IntegerConverter

from api.inputs import IdConverter
from engine.domain.input_limits import MAX_ID
from tests.conftest import app_for, row_counts
from tests.e2e.test_api import FOOD, assert_problem, auth, start
from tests.e2e.test_bad_input import problem
from tests.form_samples import sample

TOO_BIG = MAX_ID + 1


@pytest.fixture
def client(demo):
    return app_for(demo).test_client()


def id_rules(app) -> list:
    return [rule for rule in app.url_map.iter_rules()
            if any(isinstance(c, IdConverter) for c in rule._converters.values())]


def _path(rule, written: str) -> str:
    """The rule's path with every id written as `written` (and any other argument as `x`)."""
    def argument(match):
        return written if isinstance(rule._converters[match.group(1)], IdConverter) else "x"
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", argument, rule.rule)


def test_every_integer_path_parameter_is_an_id_and_documented_as_one(client):
    app = client.application
    assert not [r.rule for r in app.url_map.iter_rules()
                if any(isinstance(c, IntegerConverter) for c in r._converters.values())]
    spec = client.get("/api/v1/openapi.json").json
    path_parameters = [p for ops in spec["paths"].values() for p in ops.get("parameters", []) if p["in"] == "path"]
    ids = [p for p in path_parameters if p["name"].endswith("_id") and p["name"] != "task_id"    # a task's is a UUID
           or p["name"] == "version"]
    assert len(ids) >= 25
    assert all(p["schema"] == {"type": "integer", "format": "int32", "minimum": 1, "maximum": MAX_ID}
               for p in ids), ids


@pytest.mark.parametrize("written", [str(TOO_BIG), "99999999999", "１", "٣", "0", "01", "-1", "1.0"])
def test_an_id_beyond_32_bits_or_not_in_ascii_digits_matches_no_path(client, demo, written):
    admin = auth(client, "admin")
    assert start(client, demo, auth(client, "zcz_qs_agent")).json["id"] == 1     # so that `１` would find it
    before = row_counts(demo)
    rules = id_rules(client.application)
    assert len(rules) >= 25
    for rule in rules:
        method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        problem(client.open(_path(rule, written), method=method, headers=admin), 404, "not_found")
    assert row_counts(demo) == before
    assert client.get("/api/v1/cases/1", headers=admin).status_code == 200


def test_the_largest_id_is_looked_up_and_not_found(client, demo):
    admin, agent = auth(client, "admin"), auth(client, "zcz_qs_agent")
    problem(client.get(f"/api/v1/cases/{MAX_ID}", headers=admin), 404, "case_not_found")
    problem(client.get(f"/api/v1/process-definitions/{MAX_ID}/source", headers=admin), 404, "definition_not_found")
    r = client.post("/api/v1/cases", headers=agent, json={"item_code": FOOD, "window_id": MAX_ID,
                                                          "applicant": {"name": "张三"}, "form": {}})
    problem(r, 404, "window_not_found", "window_id")
    problem(client.get(f"/api/v1/supervision/counts?unit_id={MAX_ID}", headers=admin), 404, "org_unit_not_found",
            "unit_id")


QUERIES = [
    ("/api/v1/cases?after_id={}", "after_id"),
    ("/api/v1/supervision/cases?unit_id={}", "unit_id"),
    ("/api/v1/supervision/cases?unit_id=1&window_id={}", "window_id"),
    ("/api/v1/supervision/cases?unit_id=1&after_id={}", "after_id"),
    ("/api/v1/supervision/steps?unit_id=1&department_id={}", "department_id"),
    ("/api/v1/supervision/steps?unit_id=1&staff_id={}", "staff_id"),
    ("/api/v1/supervision/counts?unit_id={}", "unit_id"),
    ("/api/v1/supervision/on-time?unit_id={}&since=2026-01-01T00:00:00Z&until=2026-12-01T00:00:00Z", "unit_id"),
    ("/api/v1/supervision/case-channels?unit_id={}&since=2026-01-01&until=2026-12-01", "unit_id"),
    ("/api/v1/supervision/deliveries?unit_id={}", "unit_id"),
    ("/api/v1/catalogue/channel-stats?unit_id={}", "unit_id"),
]


def test_an_id_beyond_32_bits_in_a_query_is_request_invalid(client, demo):
    admin = auth(client, "admin")
    for query, field in QUERIES:
        problem(client.get(query.format(TOO_BIG), headers=admin), 422, "request_invalid", field)
        assert client.get(query.format(1), headers=admin).status_code < 300, query


def test_an_id_beyond_32_bits_in_a_body_is_request_invalid_and_nothing_is_written(client, demo):
    agent = auth(client, "zcz_qs_agent")
    started = start(client, demo, agent).json
    case_id, task_id = started["id"], started["tasks"][0]
    before = row_counts(demo)
    case = {"item_code": FOOD, "window_id": TOO_BIG, "channel": "proxy", "applicant": {"name": "张三"},
            "form": sample("apply_food_licence")}
    problem(client.post("/api/v1/cases", headers=agent, json=case), 422, "request_invalid", "window_id")
    package = {"window_id": TOO_BIG, "applicant": {"name": "张三"}, "form": {}}
    problem(client.post("/api/v1/packages/620100-YJS-0001/cases", headers=agent, json=package),
            422, "request_invalid", "window_id")
    problem(client.post(f"/api/v1/cases/{case_id}/materials/M01/vault", headers=agent,
                        json={"document_id": TOO_BIG}), 422, "request_invalid", "document_id")
    r = client.post(f"/api/v1/cases/{case_id}/mandate", headers=agent, content_type="multipart/form-data",
                    data={"scope": "full_proxy", "signed_on": "2026-11-27", "document_id": str(TOO_BIG),
                          "file": (io.BytesIO(b"%PDF-1.7\n"), "a.pdf")})
    problem(r, 422, "request_invalid", "document_id")
    problem(client.post(f"/api/v1/tasks/{task_id}/complete", headers=agent,
                        json={"data": sample("proxy_intake"), "version": TOO_BIG}), 422, "request_invalid", "version")
    assert row_counts(demo) == before
    assert_problem(client.post(f"/api/v1/tasks/{task_id}/complete", headers=agent,
                               json={"data": sample("proxy_intake"), "version": MAX_ID}), 409, "case_version_conflict")
