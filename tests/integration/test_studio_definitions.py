"""What the designer studio reads and what it relies on: a rejected diagram's problems each name
their BPMN element (also the schema validator's, which report only a line), the catalogue entries
of each process, the routing options; designers and administrators only. The studio's own XML
(tests/fixtures/studio_two_steps.bpmn, saved from the modeler) deploys and reads back."""
import io
from datetime import datetime, timezone

import pytest

from api import create_app
from demo.loader import load_demo
from engine.bpmn.parser import SourceFile, parse_bundle
from engine.config import Settings
from engine.domain.clock import FrozenClock
from engine.domain.errors import DeployError, Forbidden
from engine.services import definitions
from engine.services.accounts import auth
from engine.services.calendar import seed_from_package
from engine.services.context import Context
from engine.store.schema import upgrade
from tests.conftest import ROOT, staff
from tests.integration.helpers import FIXTURES

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">\n'
        '<bpmn:process id="studio_probe" isExecutable="true">\n')


def bpmn(body: str) -> SourceFile:
    return SourceFile("studio_probe.bpmn", (HEAD + body + "\n</bpmn:process>\n</bpmn:definitions>\n").encode())


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The demo on SQLite, once for the module: these reads do not depend on the database (the one
    that does, on both, is test_the_reads_on_both_databases)."""
    ctx = Context.create(Settings(database_url=f"sqlite:///{tmp_path_factory.mktemp('studio') / 's.db'}"),
                         clock=FrozenClock(datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc)))
    upgrade(ctx.engine)
    seed_from_package(ctx)
    load_demo(ctx, ROOT / "workflows")
    yield ctx
    ctx.dispose()


def problems_of(ctx, source: SourceFile) -> list[dict]:
    with pytest.raises(DeployError) as err:
        definitions.deploy(ctx, [source], staff(ctx, "designer"), dry_run=True)
    return [p.to_dict() for p in err.value.problems]


def test_a_schema_violation_names_the_element_it_is_in(world):
    found = problems_of(world, bpmn('<bpmn:startEvent id="apply">\n  <bpmn:unknownThing/>\n</bpmn:startEvent>'))
    assert [(p["code"], p.get("element"), p.get("line")) for p in found] == [("bpmn_schema_violation", "apply", 5)]


def test_over_http_the_validate_answer_lists_each_problem_with_its_element(world):
    client = create_app(context=world).test_client()
    token = {"Authorization": "Bearer " + auth.create_service_token(world, "designer", "studio test")}
    source = bpmn('<bpmn:startEvent id="apply">\n  <bpmn:unknownThing/>\n</bpmn:startEvent>\n<bpmn:userTask id="t"/>')
    answer = client.post("/api/v1/process-definitions/validate", headers=token, content_type="multipart/form-data",
                         data={"files": (io.BytesIO(source.content), source.name)})
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
    # the task without a group is only a warning (docs/camunda-bpmn.md#routing): the schema speaks
    assert [(p["code"], p["element"]) for p in answer.json["problems"]] == [("bpmn_schema_violation", "apply")]
    answer = client.get("/api/v1/process-definitions/routing-options", headers=token)
    assert answer.status_code == 200 and answer.json["tiers"][0] == {"code": "district", "name": "新区"}


def test_our_own_checks_keep_their_elements_and_every_problem_has_one(world):
    found = problems_of(world, bpmn(
        '<bpmn:startEvent id="s"/>\n<bpmn:userTask id="nobody" name="审查" camunda:candidateGroups="management"/>\n'
        '<bpmn:userTask id="nowhere" camunda:candidateGroups="township:reviewer@atlantis"/>\n'
        '<bpmn:userTask id="bad_stage" camunda:candidateGroups="township:reviewer">\n'
        '  <bpmn:extensionElements><camunda:properties><camunda:property name="stage" value="zz"/>'
        '</camunda:properties></bpmn:extensionElements>\n</bpmn:userTask>\n'
        '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="nobody">\n'
        '  <bpmn:conditionExpression>=for x in xs return x</bpmn:conditionExpression>\n</bpmn:sequenceFlow>'))
    assert {(p["code"], p["element"]) for p in found} == {
        ("routing_target_malformed", "nobody"), ("stage_unknown", "bad_stage"), ("feel_unsupported", "f")}
    # the department is checked once the parser accepted the rest: its problem names the task too
    found = problems_of(world, bpmn('<bpmn:startEvent id="s"/>\n<bpmn:userTask id="nowhere" '
                                    'camunda:candidateGroups="township:reviewer@atlantis"/>'))
    assert [(p["code"], p["element"]) for p in found] == [("routing_unknown_department", "nowhere")]


def test_a_problem_without_a_line_or_file_is_left_as_it_is(world):
    found = problems_of(world, SourceFile("x.bpmn", b"<bpmn:definitions"))
    assert found[0]["code"] == "xml_malformed" and "element" not in found[0]


def test_the_studios_own_xml_deploys_and_the_parser_reads_back_what_the_panel_wrote(world):
    source = SourceFile("studio_two_steps.bpmn", (FIXTURES / "studio_two_steps.bpmn").read_bytes())
    process = parse_bundle([source]).processes["studio_two_steps"]
    tasks = {t.id: t for t in process.user_tasks}
    assert tasks["intake"].candidate_groups == ["village:agent"]
    review = tasks["review"]
    assert (review.candidate_groups, review.due_date, review.stage, review.form_key) \
        == (["township:reviewer"], "workdays(5)", "review", "pre_review")
    result = definitions.deploy(world, [source], staff(world, "designer"), name="studio")
    assert [(p.key, p.version, p.user_tasks) for p in result.processes] == [("studio_two_steps", 1, 2)]


def test_routing_options_name_what_the_parser_and_the_organisation_accept(world):
    options = definitions.routing_options(world, staff(world, "designer"))
    assert [t["code"] for t in options["tiers"]] == ["district", "park", "township", "village"]
    assert {"receiver", "reviewer", "approver"} <= {r["code"] for r in options["roles"]}
    market = next(d for d in options["departments"] if d["code"] == "market")
    assert market["name"] and "district" in market["tiers"]
    assert {"accepted", "decided"} <= {s["code"] for s in options["stages"]}


@pytest.mark.parametrize("who", ["zcz_qs_agent", "applicant_zhang", "zcz_supervisor"])
def test_only_designers_and_administrators_read_the_studio(world, who):
    with pytest.raises(Forbidden):
        definitions.routing_options(world, staff(world, who))
    with pytest.raises(Forbidden):
        definitions.usage(world, staff(world, who))


def test_the_reads_on_both_databases(demo):
    ctx = demo
    admin = staff(ctx, "admin")
    items = definitions.usage(ctx, admin)
    food = [i for i in items if i["process_key"] == "food_licence"]
    assert food and all(i["status"] in ("published", "draft", "retired") for i in food)
    assert len({i["code"] for i in items}) == len([i["code"] for i in items])     # the newest version of each
    versions = {v["key"]: v for v in definitions.versions(ctx)}
    assert versions["food_licence"]["user_tasks"] == 8
    assert versions["food_licence"]["deployed_by"] and versions["food_licence"]["deployment_name"]
    assert definitions.routing_options(ctx, admin)["departments"]
