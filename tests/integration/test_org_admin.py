"""Administering the organisation through the services, on SQLite and PostgreSQL: tier rules and
materialised paths, roles as data (BPMN may name a new role at once), posts that keep their
history (only current ones authorise), the refusals of what open cases still need, and the
all-or-nothing, idempotent import and its export."""
import json

import pytest

from engine.bpmn.parser import SourceFile
from engine.domain.actor import Actor
from engine.domain.errors import Conflict, DeployError, Forbidden, ValidationError
from engine.services import cases, definitions, org_admin, tasks
from engine.services.accounts import org
from tests.conftest import ROOT, row_counts, staff, window_id
from tests.form_samples import sample

ADMIN = Actor.system("test")
FOOD = "620100-XK-SCJG-0001"


def ids(ctx, kind: str) -> dict[str, int]:
    """code (username for staff) -> id, of every row of a kind."""
    rows = org_admin.staff(ctx, ADMIN) if kind == "staff" else getattr(org_admin, kind)(ctx, ADMIN)
    return {r.get("code", r.get("username")): r["id"] for r in rows}


def sqlite_only(ctx) -> None:
    """What does not depend on the database runs once (the suite's time is counted)."""
    if ctx.engine.dialect.name != "sqlite":
        pytest.skip("the same on every database")


def refused(ctx, call, error, code):
    """The command fails with `code` and writes nothing."""
    before = row_counts(ctx)
    with pytest.raises(error) as err:
        call()
    assert err.value.code == code, err.value.message
    assert row_counts(ctx) == before
    return err.value


def new_case(ctx, claimed=False):
    clerk = staff(ctx, "zcz_qs_agent")
    started = cases.start_case(ctx, cases.StartCase(FOOD, window_id(ctx, "ZCZ-QS-W01"), {"name": "张三"},
                                                    sample("apply_food_licence"), "proxy"), clerk)
    if claimed:
        tasks.claim(ctx, started.tasks[0], clerk)
    return started


def test_units_keep_the_tier_rules_and_their_paths(demo):
    ctx, units = demo, ids(demo, "units")
    refused(ctx, lambda: org_admin.create_unit(ctx, ADMIN, {"code": "X", "name": "X", "tier": "village",
                                                            "parent_id": units["ZCYQ"]}),
            ValidationError, "org_tier_order")
    refused(ctx, lambda: org_admin.create_unit(ctx, ADMIN, {"code": "X", "name": "X", "tier": "park"}),
            ValidationError, "org_parent_required")
    refused(ctx, lambda: org_admin.create_unit(ctx, ADMIN, {"code": "ZCZ", "name": "X", "tier": "township",
                                                            "parent_id": units["LZXQ"]}),
            ValidationError, "org_code_taken")
    refused(ctx, lambda: org_admin.create_unit(ctx, staff(ctx, "zcz_supervisor"), {
        "code": "X", "name": "X", "tier": "township", "parent_id": units["LZXQ"]}), Forbidden, "role_required")
    refused(ctx, lambda: org_admin.update_unit(ctx, ADMIN, units["ZCZ"], {"parent_id": units["ZCZ-QS"]}),
            ValidationError, "org_tier_order")
    # 中川镇 moves from 中川园区 to 秦川园区 with its villages: every path below it follows
    org_admin.update_unit(ctx, ADMIN, units["ZCZ"], {"parent_id": units["QCYQ"]})
    with ctx.uow.read() as tx:
        directory = org.directory(ctx, tx)
    assert directory.in_subtree(units["ZCZ-QS"], units["QCYQ"]) and not directory.in_subtree(units["ZCZ-QS"],
                                                                                              units["ZCYQ"])
    assert set(directory.subtree(units["QCYQ"])) >= {units["ZCZ"], units["ZCZ-QS"], units["ZCZ-BC"]}
    # a township directly under the district is allowed (中心社区)
    org_admin.update_unit(ctx, ADMIN, units["ZCZ"], {"parent_id": units["LZXQ"]})


def test_a_role_an_administrator_creates_is_routable_at_once(demo):
    ctx = demo
    sqlite_only(ctx)
    bpmn = (ROOT / "workflows" / "elderly_allowance.bpmn").read_text(encoding="utf-8").replace(
        "township:receiver", "township:clerk")
    files = [SourceFile("elderly_allowance.bpmn", bpmn.encode())]
    with pytest.raises(DeployError) as err:
        definitions.deploy(ctx, files, ADMIN, dry_run=True)
    assert err.value.code == "routing_unknown_role"
    refused(ctx, lambda: org_admin.create_role(ctx, ADMIN, {"code": "Clerk!", "name_zh": "办事员",
                                                            "name_en": "Clerk"}), ValidationError, "org_code_invalid")
    org_admin.create_role(ctx, ADMIN, {"code": "clerk", "name_zh": "办事员", "name_en": "Clerk"})
    definitions.deploy(ctx, files, ADMIN)
    role_id = ids(ctx, "roles")["clerk"]
    refused(ctx, lambda: org_admin.update_role(ctx, ADMIN, role_id, {"active": False}), Conflict, "role_in_use")
    assert "clerk" in [r["code"] for r in org_admin.roles(ctx, staff(ctx, "designer"))]


def test_a_move_keeps_the_history_and_only_the_current_post_works(demo):
    ctx = demo
    agent = staff(ctx, "zcz_qs_agent")
    [post] = org_admin.posts(ctx, ADMIN, staff_id=agent.staff_id)
    started = new_case(ctx, claimed=True)
    err = refused(ctx, lambda: org_admin.end_post(ctx, ADMIN, post["id"]), Conflict, "post_has_claimed_tasks")
    assert err.detail["needed_by"] == {"tasks": 1}
    refused(ctx, lambda: org_admin.update_staff(ctx, ADMIN, agent.staff_id, {"active": False}), Conflict,
            "staff_has_claimed_tasks")
    tasks.unclaim(ctx, started.tasks[0], agent)
    moved = org_admin.move_post(ctx, ADMIN, post["id"], window_id(ctx, "ZCZ-BC-W01"))
    history = org_admin.posts(ctx, ADMIN, staff_id=agent.staff_id, include_ended=True)
    assert [(p["id"], p["window_code"], p["valid_to"] is None) for p in history] == [
        (moved, "ZCZ-BC-W01", True), (post["id"], "ZCZ-QS-W01", False)]
    assert history[0]["valid_from"] == history[1]["valid_to"] == ctx.clock.now()
    units = ids(ctx, "units")
    assert [unit for unit, _d, _r in org.posts_for(ctx, agent)] == [units["ZCZ-BC"]]
    assert [p["window_name"] for p in org.profile(ctx, agent)["posts"]] == ["帮办代办窗口"]
    assert tasks.inbox(ctx, agent) == []                       # the old village's task is no longer hers
    refused(ctx, lambda: tasks.claim(ctx, started.tasks[0], agent), Forbidden, "task_not_in_your_queue")
    refused(ctx, lambda: org_admin.end_post(ctx, ADMIN, post["id"]), Conflict, "post_ended")


def test_what_open_work_needs_cannot_be_deactivated(demo):
    ctx = demo
    new_case(ctx)
    units, halls, roles = ids(ctx, "units"), ids(ctx, "halls"), ids(ctx, "roles")
    market = [d["id"] for d in org_admin.departments(ctx, ADMIN, code="market")][0]
    for call, code in [
        (lambda: org_admin.update_window(ctx, ADMIN, window_id(ctx, "ZCZ-QS-W01"), {"active": False}),
         "window_has_open_cases"),
        (lambda: org_admin.update_window(ctx, ADMIN, window_id(ctx, "QCZ-W02"), {"active": False}), "window_has_posts"),
        (lambda: org_admin.update_unit(ctx, ADMIN, units["QCZ-MJP"], {"active": False}), "org_unit_not_empty"),
        (lambda: org_admin.update_hall(ctx, ADMIN, halls["QCZ-BMFW"], {"active": False}), "hall_has_windows"),
        (lambda: org_admin.update_department(ctx, ADMIN, market, {"active": False}), "department_in_use"),
        (lambda: org_admin.update_role(ctx, ADMIN, roles["reviewer"], {"active": False}), "role_in_use"),
    ]:
        refused(ctx, call, Conflict, code)


def test_deactivating_bottom_up_then_the_unit_is_gone_from_routing(demo):
    ctx = demo
    sqlite_only(ctx)
    village = ids(ctx, "units")["QCZ-MJP"]
    [post] = org_admin.posts(ctx, ADMIN, window_id=window_id(ctx, "QCZ-MJP-W01"))
    org_admin.end_post(ctx, ADMIN, post["id"])
    org_admin.update_window(ctx, ADMIN, window_id(ctx, "QCZ-MJP-W01"), {"active": False})
    org_admin.update_hall(ctx, ADMIN, ids(ctx, "halls")["QCZ-MJP-BMFW"], {"active": False})
    org_admin.update_unit(ctx, ADMIN, village, {"active": False})
    assert not [u for u in org_admin.units(ctx, ADMIN) if u["id"] == village][0]["active"]
    with ctx.uow.read() as tx:
        assert window_id(ctx, "QCZ-MJP-W01") not in org.directory(ctx, tx).windows
    refused(ctx, lambda: org_admin.create_window(ctx, ADMIN, {"hall_id": ids(ctx, "halls")["QCZ-MJP-BMFW"],
                                                              "code": "X", "name": "X", "kind": "proxy"}),
            ValidationError, "org_parent_inactive")


def test_the_import_is_all_or_nothing_and_an_export_imports_to_no_change(demo):
    ctx = demo
    exported = org_admin.export_organisation(ctx, "json", ADMIN)
    data = json.loads(exported)
    assert "password" not in exported.decode() and len(data["posts"]) == 32
    for fmt in ("json", "csv"):
        result = org_admin.import_organisation(ctx, org_admin.export_organisation(ctx, fmt, ADMIN), fmt, ADMIN)
        assert all(c["created"] == c["updated"] == 0 for c in result.counts.values()), (fmt, result.counts)
    # a new window and a deactivation that open work refuses: nothing of the file is written
    data["windows"].append({"hall": "ZCZ-QS-BMFW", "code": "ZCZ-QS-W02", "name": "新窗口", "kind": "proxy"})
    new_case(ctx)
    qs = next(w for w in data["windows"] if w["code"] == "ZCZ-QS-W01")
    qs["active"] = False
    data["posts"] = [p for p in data["posts"] if p["window"] != "ZCZ-QS-W01"]
    err = refused(ctx, lambda: org_admin.import_organisation(ctx, json.dumps(data).encode(), "json", ADMIN),
                  ValidationError, "org_file_invalid")
    row = data["windows"].index(qs) + 1
    assert [(p["kind"], p["row"], p["field"], p["code"]) for p in err.detail["problems"]] == [
        ("window", row, "active", "window_has_open_cases")]
    assert org_admin.check_file(ctx, json.dumps(data).encode(), "json", ADMIN) == []   # only the write knows
    qs["active"] = True
    result = org_admin.import_organisation(ctx, json.dumps(data).encode(), "json", ADMIN)
    assert result.counts["window"] == {"created": 1, "updated": 0, "unchanged": 29}


def test_who_reads_the_organisation(demo):
    ctx = demo
    sqlite_only(ctx)
    assert len(org_admin.structure(ctx, staff(ctx, "designer"))["units"]) == 12
    refused(ctx, lambda: org_admin.roles(ctx, staff(ctx, "applicant_zhang")), Forbidden, "agency_only")
    refused(ctx, lambda: org_admin.posts(ctx, staff(ctx, "zcz_qs_agent")), Forbidden, "role_required")
    seen = {p["username"] for p in org_admin.posts(ctx, staff(ctx, "zcz_supervisor"))}
    assert "zcz_qs_agent" in seen and "qcz_mjp_agent" not in seen and "lzxq_receiver" not in seen
    assert {s["username"] for s in org_admin.staff(ctx, staff(ctx, "zcz_supervisor"))} == seen


def test_the_staff_number_goes_in_and_out_with_the_file(demo):
    """工号 (staff_no): what a rating shows of the clerk (docs/ratings.md); set, changed and
    exported through the organisation file (JSON and CSV)."""
    ctx = demo
    sqlite_only(ctx)
    data = json.loads(org_admin.export_organisation(ctx, "json", ADMIN))
    assert not any("staff_no" in s for s in data["staff"])
    [agent] = [s for s in data["staff"] if s["username"] == "zcz_qs_agent"]
    agent["staff_no"] = "QS-001"
    data["staff"].append({"username": "zcz_qs_agent3", "name": "第三代办员", "staff_no": "QS-003"})
    result = org_admin.import_organisation(ctx, json.dumps(data).encode(), "json", ADMIN)
    assert (result.counts["staff"]["created"], result.counts["staff"]["updated"]) == (1, 1)
    again = json.loads(org_admin.export_organisation(ctx, "json", ADMIN))
    assert {s["username"]: s.get("staff_no") for s in again["staff"] if "staff_no" in s} == {
        "zcz_qs_agent": "QS-001", "zcz_qs_agent3": "QS-003"}
    csv = org_admin.export_organisation(ctx, "csv", ADMIN)
    assert b"QS-003" in csv
    result = org_admin.import_organisation(ctx, csv, "csv", ADMIN)
    assert all(c["created"] == c["updated"] == 0 for c in result.counts.values())
    agent["staff_no"] = "x" * 33
    refused(ctx, lambda: org_admin.import_organisation(ctx, json.dumps(data).encode(), "json", ADMIN),
            ValidationError, "org_file_invalid")


def test_a_halls_hours_go_in_and_out_with_the_file(demo):
    """A hall's schedule (`hours`) and its simple form (`closes_at`, docs/organisation.md#opening-hours)
    in JSON and CSV: one or the other, an export imports to no change, and a malformed one is a
    problem with its row and field path, nothing imported. Both databases: the schedule is JSON
    (JSONB on PostgreSQL), and an export must import to no change on each."""
    ctx = demo
    data = json.loads(org_admin.export_organisation(ctx, "json", ADMIN))
    assert all("hours" in h and "closes_at" not in h for h in data["halls"])       # the demo's have schedules
    [hall] = [h for h in data["halls"] if h["code"] == "LZXQ-ZWFW"]
    assert [s["name"] for s in hall["hours"]] == ["夏季", "冬季"]
    assert hall["hours"][1]["days"][0]["lunch"] == {"from": "12:00", "to": "13:30"}
    both = {**hall, "closes_at": "17:30"}
    err = refused(ctx, lambda: org_admin.import_organisation(
        ctx, json.dumps({"halls": [both]}).encode(), "json", ADMIN), ValidationError, "org_file_invalid")
    assert [(p["row"], p["field"], p["code"]) for p in err.detail["problems"]] == [(1, "hours", "hours_conflict")]
    del hall["hours"]
    hall["closes_at"] = "17:30"                        # the simple form replaces the schedule
    result = org_admin.import_organisation(ctx, json.dumps(data).encode(), "json", ADMIN)
    assert result.counts["hall"]["updated"] == 1
    again = json.loads(org_admin.export_organisation(ctx, "json", ADMIN))
    [back] = [h for h in again["halls"] if h["code"] == "LZXQ-ZWFW"]
    assert back["closes_at"] == "17:30" and "hours" not in back
    csv = org_admin.export_organisation(ctx, "csv", ADMIN)
    header = csv.decode("utf-8-sig").splitlines()[0].split(",")
    assert "closes_at" in header and "hours" in header and b"17:30" in csv and "冬季".encode() in csv
    result = org_admin.import_organisation(ctx, csv, "csv", ADMIN)     # JSON in the hours cell, read back alike
    assert all(c["created"] == c["updated"] == 0 for c in result.counts.values())
    hall["closes_at"] = "25:00"
    err = refused(ctx, lambda: org_admin.import_organisation(ctx, json.dumps(data).encode(), "json", ADMIN),
                  ValidationError, "org_file_invalid")
    [problem] = err.detail["problems"]
    assert (problem["kind"], problem["field"], problem["code"]) == ("hall", "closes_at", "org_value_invalid")


def test_a_bad_schedule_in_a_csv_is_named_by_row_and_field_path(demo):
    ctx = demo
    before = row_counts(ctx)
    bad = [{"from": "05-01", "to": "09-30", "days": [{"weekdays": [1], "opens": "09:00", "closes": "08:00"}]},
           {"from": "09-15", "to": "04-30", "days": [{"weekdays": [1], "opens": "09:00", "closes": "17:00",
                                                       "lunch": {"from": "18:00", "to": "19:00"}}]}]
    cell = json.dumps(bad).replace('"', '""')
    content = ("record,unit,code,name,kind,hours\r\n"
               f'hall,ZCZ,ZCZ-BMFW,中川镇便民服务中心,convenience_center,"{cell}"\r\n'
               'hall,ZCZ,ZCZ-BMFW2,新大厅,convenience_center,"not json"\r\n').encode()
    err = refused(ctx, lambda: org_admin.import_organisation(ctx, content, "csv", ADMIN),
                  ValidationError, "org_file_invalid")
    assert [(p["row"], p["field"], p["code"]) for p in err.detail["problems"]] == [
        (2, "hours[0].days[0].closes", "hours_closes_before_opens"),
        (2, "hours[1].days[0].lunch.to", "hours_lunch_outside"),
        (3, "hours", "hours_invalid")]
    assert row_counts(ctx) == before
