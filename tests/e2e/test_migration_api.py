"""Instance migration over HTTP (both databases) and through `lianban migrate` (a real subprocess
on a SQLite file): validate, execute, refusals naming the case and element, who may."""
import io
import os

import pytest
from sqlalchemy import select

from engine.store import tables as t
from engine.config import Settings
from engine.services import cases, tasks
from engine.services.context import connect
from tests import cli_process
from tests.conftest import app_for, row_counts, staff, window_id
from tests.e2e.test_api import assert_problem, auth
from tests.integration.helpers import FIXTURES, add_item

MIG = FIXTURES / "migration"


@pytest.fixture
def client(demo):
    return app_for(demo).test_client()


def _deploy(client, headers, name):
    r = client.post("/api/v1/process-definitions/deployments", headers=headers, content_type="multipart/form-data",
                    data={"name": name, "files": [(io.BytesIO((MIG / name).read_bytes()), name)]})
    assert r.status_code == 201, r.json
    return r.json["processes"][0]["definition_id"]


def _start(client, demo, headers):
    r = client.post("/api/v1/cases", headers=headers, json={
        "item_code": "TEST-MIG", "window_id": window_id(demo, "XCZ-W01"), "applicant": {"name": "王五"}})
    assert r.status_code == 201, r.json
    return r.json["id"]


def _open_spec(demo, case_id):
    with demo.uow.read() as tx:
        return tx.conn.execute(select(t.task.c.id, t.task.c.spec_id)
                               .where(t.task.c.case_id == case_id, t.task.c.state == "open")).all()


def test_validate_then_execute_over_http(client, demo):
    designer, receiver = auth(client, "designer"), auth(client, "xcz_receiver")
    v1 = _deploy(client, designer, "linear_v1.bpmn")
    add_item(demo, "TEST-MIG", "mig_linear")
    at_intake, at_review = _start(client, demo, receiver), _start(client, demo, receiver)
    [(intake, _)] = _open_spec(demo, at_review)
    assert client.post(f"/api/v1/tasks/{intake}/complete", headers=receiver, json={"data": {}}).status_code == 200
    v2 = _deploy(client, designer, "linear_v2.bpmn")
    plan = {"source_definition_id": v1, "target_definition_id": v2, "all": True}

    before = row_counts(demo)
    checked = client.post("/api/v1/migrations/validate", headers=designer, json=plan)
    assert checked.status_code == 200, checked.json
    by_case = {c["case_id"]: c for c in checked.json["cases"]}
    assert by_case[at_intake]["status"] == "valid"
    assert by_case[at_review]["status"] == "refused"
    assert by_case[at_review]["problems"] == [{"code": "migration_unmapped_activity", "element": "review",
                                               "case_id": at_review, "message": by_case[at_review]["problems"][0]
                                               ["message"]}]
    assert row_counts(demo) == before

    done = client.post("/api/v1/migrations/execute", headers=designer, json={**plan, "mapping": {"review": "examine"}})
    assert done.status_code == 200, done.json
    assert (done.json["migrated"], done.json["refused"], done.json["target_version"]) == (2, 0, 2)
    assert [spec for _, spec in _open_spec(demo, at_review)] == ["examine"]
    again = client.post("/api/v1/migrations/execute", headers=designer, json={**plan, "case_ids": [at_intake],
                                                                              "all": False})
    assert again.json["cases"] == [{"case_id": at_intake, "status": "skipped", "reason": "case_not_of_source_version",
                                    "problems": [], "tasks": []}]


def test_bad_plans_are_problems(client, demo):
    designer = auth(client, "designer")
    v1 = _deploy(client, designer, "linear_v1.bpmn")
    v3 = _deploy(client, designer, "linear_v3.bpmn")
    body = assert_problem(client.post("/api/v1/migrations/validate", headers=designer, json={
        "source_definition_id": v1, "target_definition_id": v3, "mapping": {"intake": "review"}, "all": True}),
        422, "migration_kind_mismatch")
    assert body["element"] == "intake" and body["problems"][0]["code"] == "migration_kind_mismatch"
    assert_problem(client.post("/api/v1/migrations/execute", headers=designer, json={
        "source_definition_id": v1, "target_definition_id": v3}), 422, "migration_cases_required")
    assert_problem(client.post("/api/v1/migrations/execute", headers=designer, json={
        "source_definition_id": v1, "target_definition_id": 2147483647, "all": True}), 404, "definition_not_found")
    assert_problem(client.post("/api/v1/migrations/execute", headers=designer, json={
        "source_definition_id": v1, "target_definition_id": "x", "all": True}), 422, "request_invalid")
    assert_problem(client.post("/api/v1/migrations/execute", headers=auth(client, "xcz_receiver"), json={
        "source_definition_id": v1, "target_definition_id": v3, "all": True}), 403, "role_required")


def test_plan_lists_both_versions_and_the_running_cases(client, demo):
    designer, receiver = auth(client, "designer"), auth(client, "xcz_receiver")
    v1 = _deploy(client, designer, "subprocess_v1.bpmn")
    add_item(demo, "TEST-MIG", "mig_sub")
    at_intake = _start(client, demo, receiver)
    v2 = _deploy(client, designer, "subprocess_v2.bpmn")
    r = client.get("/api/v1/migrations/plan", headers=designer,
                   query_string={"source_definition_id": v1, "target_definition_id": v2})
    assert r.status_code == 200, r.json
    body = r.json
    assert (body["key"], body["source_version"], body["target_version"], body["running"]) == ("mig_sub", 1, 2, 1)
    source = {e["id"]: e for e in body["source_elements"]}
    assert source["site_check"] == {"id": "site_check", "name": "现场核查", "kind": "userTask", "scope": "verify",
                                    "loop": ""}
    assert source["verify"]["kind"] == "subProcess" and "start" not in source
    assert {e["id"] for e in body["target_elements"]} >= {"inspection", "inspect", "inspect_report", "sign"}
    assert body["mapping"] == {"intake": "intake"}             # equal ids of the same kind (events left out)
    [listed] = body["cases"]
    assert listed["case_id"] == at_intake and listed["activities"] == [{"element": "intake", "name": "收件"}]
    assert listed["number"]
    assert_problem(client.get("/api/v1/migrations/plan", headers=designer,
                              query_string={"source_definition_id": v1, "target_definition_id": v1}),
                   422, "migration_same_version")
    assert_problem(client.get("/api/v1/migrations/plan", headers=designer,
                              query_string={"source_definition_id": v1}), 422, "request_invalid")
    assert_problem(client.get("/api/v1/migrations/plan", headers=receiver,
                              query_string={"source_definition_id": v1, "target_definition_id": v2}),
                   403, "role_required")


def test_plan_offers_a_step_moved_into_a_new_sub_process_and_validate_allows_it(client, demo):
    designer, receiver = auth(client, "designer"), auth(client, "xcz_receiver")
    v1 = _deploy(client, designer, "xscope_v1.bpmn")
    add_item(demo, "TEST-MIG", "mig_x")
    case_id = _start(client, demo, receiver)
    [(intake, _)] = _open_spec(demo, case_id)
    assert client.post(f"/api/v1/tasks/{intake}/complete", headers=receiver, json={"data": {}}).status_code == 200
    v2, v3 = _deploy(client, designer, "xscope_v2.bpmn"), _deploy(client, designer, "xscope_v3.bpmn")
    r = client.get("/api/v1/migrations/plan", headers=designer,
                   query_string={"source_definition_id": v1, "target_definition_id": v2})
    assert r.status_code == 200, r.json
    source = {e["id"]: e for e in r.json["source_elements"]}
    target = {e["id"]: e for e in r.json["target_elements"]}
    # review is on the process's own flow in v1 and inside the new sub-process stage in v2: the
    # generated plan maps it to itself, across the boundary
    assert (source["review"]["scope"], target["review"]["scope"], target["stage"]["kind"]) == ("", "stage",
                                                                                               "subProcess")
    assert r.json["mapping"] == {"intake": "intake", "review": "review", "archive": "archive"}
    assert [a["element"] for a in r.json["cases"][0]["activities"]] == ["review"]
    plan = {"source_definition_id": v1, "target_definition_id": v2, "mapping": r.json["mapping"], "all": True}
    checked = client.post("/api/v1/migrations/validate", headers=designer, json=plan)
    assert checked.status_code == 200, checked.json
    assert (checked.json["valid"], checked.json["refused"]) == (1, 0)
    done = client.post("/api/v1/migrations/execute", headers=designer, json=plan)
    assert done.status_code == 200 and done.json["migrated"] == 1, done.json
    assert [spec for _, spec in _open_spec(demo, case_id)] == ["review"]
    # an instruction into a called process is a wrong plan, naming the element
    r = client.post("/api/v1/migrations/validate", headers=designer, json={
        "source_definition_id": v1, "target_definition_id": v3, "mapping": {"review": "c_review"}, "all": True})
    body = assert_problem(r, 422, "migration_scope_call_activity")
    assert body["element"] == "review" and "call_review" in body["problems"][0]["message"]


@pytest.fixture
def cli_env(tmp_path):
    env = dict(os.environ)
    env["LIANBAN_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
    return env


def _cli(env, *args):
    return cli_process.lianban(env, *args, timeout=180)        # a child process with the CLI imported


def test_lianban_migrate(cli_env):
    assert _cli(cli_env, "load-demo").returncode == 0
    first = _cli(cli_env, "deploy", str(MIG / "linear_v1.bpmn"))
    assert first.returncode == 0, first.stderr
    # two running cases, one a step further (started through the services on the same file)
    ctx = connect(Settings.from_env(cli_env))
    try:
        add_item(ctx, "TEST-MIG", "mig_linear")
        receiver = staff(ctx, "xcz_receiver")
        ids = [cases.start_case(ctx, cases.StartCase("TEST-MIG", window_id(ctx, "XCZ-W01"), {"name": "王五"}),
                                receiver).case_id for _ in range(2)]
        [(intake, _)] = _open_spec(ctx, ids[1])
        tasks.complete(ctx, intake, {}, receiver)
    finally:
        ctx.dispose()
    second = _cli(cli_env, "deploy", str(MIG / "linear_v2.bpmn"))
    assert second.returncode == 0 and "mig_linear v2" in second.stdout, second.stderr
    ctx = connect(Settings.from_env(cli_env))
    try:
        with ctx.uow.read() as tx:
            v1, v2 = sorted(r.id for r in tx.definitions.listing() if r.key == "mig_linear")
    finally:
        ctx.dispose()
    source, target = str(v1), str(v2)
    dry = _cli(cli_env, "migrate", "--from", source, "--to", target, "--all", "--dry-run")
    assert dry.returncode == 1, dry.stderr           # the case at review is refused without a mapping
    assert f"case {ids[0]}: valid" in dry.stdout
    assert f"case {ids[1]}: refused [migration_unmapped_activity] review:" in dry.stdout
    assert "1 valid, 1 refused, 0 skipped" in dry.stdout
    done = _cli(cli_env, "migrate", "--from", source, "--to", target, "--map", "review=examine",
                "--case", str(ids[0]), "--case", str(ids[1]))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "version 1 -> 2: 2 migrated, 0 refused, 0 skipped" in done.stdout
    wrong = _cli(cli_env, "migrate", "--from", "999999", "--to", target, "--all")
    assert wrong.returncode == 1 and "error [definition_not_found]" in wrong.stderr
    bad_map = _cli(cli_env, "migrate", "--from", source, "--to", target, "--map", "review", "--all")
    assert bad_map.returncode == 1 and "error [migration_mapping_invalid]" in bad_map.stderr


def test_camunda_generate_validate_execute(client, demo):
    designer, receiver = auth(client, "designer"), auth(client, "xcz_receiver")
    v1 = _deploy(client, designer, "linear_v1.bpmn")
    add_item(demo, "TEST-MIG", "mig_linear")
    at_intake, at_review = _start(client, demo, receiver), _start(client, demo, receiver)
    [(intake, _)] = _open_spec(demo, at_review)
    assert client.post(f"/api/v1/tasks/{intake}/complete", headers=receiver, json={"data": {}}).status_code == 200
    v2 = _deploy(client, designer, "linear_v2.bpmn")
    ids = {"sourceProcessDefinitionId": f"mig_linear:1:{v1}", "targetProcessDefinitionId": str(v2)}

    plan = client.post("/engine-rest/migration/generate", headers=designer, json=ids)
    assert plan.status_code == 200, plan.json
    generated = {i["sourceActivityIds"][0] for i in plan.json["instructions"]}
    assert {"start", "intake", "end"} <= generated and "review" not in generated

    wrong = {**plan.json, "instructions": plan.json["instructions"] + [
        {"sourceActivityIds": ["review"], "targetActivityIds": ["nowhere"]}]}
    report = client.post("/engine-rest/migration/validate", headers=designer, json=wrong)
    assert report.status_code == 200
    [failed] = report.json["instructionReports"]
    assert failed["instruction"]["targetActivityIds"] == ["nowhere"] and "nowhere" in failed["failures"][0]

    # without an instruction for review the case there cannot move: none of them is migrated
    before = row_counts(demo)
    refused = client.post("/engine-rest/migration/execute", headers=designer,
                          json={"migrationPlan": plan.json, "processInstanceIds": [str(at_intake), str(at_review)]})
    assert refused.status_code == 400 and refused.json["lianbanCode"] == "migration_refused"
    assert refused.json["cases"][0]["problems"][0]["element"] == "review"
    assert row_counts(demo) == before

    good = {**plan.json, "instructions": plan.json["instructions"] + [
        {"sourceActivityIds": ["review"], "targetActivityIds": ["examine"]}]}
    done = client.post("/engine-rest/migration/execute", headers=designer,
                       json={"migrationPlan": good, "processInstanceQuery": {}})
    assert done.status_code == 204, done.get_data(as_text=True)
    assert [spec for _, spec in _open_spec(demo, at_review)] == ["examine"]
    denied = client.post("/engine-rest/migration/generate", headers=receiver, json=ids)
    assert denied.status_code == 403 and denied.json["type"] == "AuthorizationException"
