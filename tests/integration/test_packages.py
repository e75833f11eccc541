"""一件事 packages: one parent and one child per item in one transaction, the combined result,
withdraw cascading to open children, merged-form conflicts, authorization."""
import json

import pytest
from sqlalchemy import select, update

from demo.packages import HYGIENE, RESTAURANT_PACKAGE
from engine.bpmn.parser import SourceFile
from engine.domain.actor import Actor
from engine.domain.errors import Forbidden, NotFound, ValidationError
from engine.services import cases, definitions, packages, tasks
from engine.store import tables as t
from tests.conftest import snapshot, staff, window_id
from tests.form_samples import sample, task_data
from tests.integration.helpers import add_item
from tests.integration.test_forms import bpmn

CODE = RESTAURANT_PACKAGE.code
FORM = sample("apply_hygiene_licence", business_scope=["热食类食品制售"])
# who works on each child's steps (food: village proxy → township → district; hygiene: district)
WORKERS = ("zcz_qs_agent", "zcz_reviewer", "lzxq_receiver", "lzxq_market_approver", "lzxq_issuer",
           "lzxq_health_reviewer", "lzxq_health_approver")


def start(ctx, form=FORM, who="zcz_qs_agent"):
    return packages.start_package(ctx, packages.StartPackage(CODE, window_id(ctx, "ZCZ-QS-W01"), {"name": "张三"},
                                                             form, "proxy"), staff(ctx, who))


def finish(ctx, case_id, decision):
    """Drive a child case to its end, deciding `decision`."""
    for _ in range(12):
        with ctx.uow.read() as tx:
            row = tx.conn.execute(select(t.case.c.status).where(t.case.c.id == case_id)).first()
        if row.status != "running":
            return
        for user in WORKERS:
            mine = [x for x in tasks.inbox(ctx, staff(ctx, user)) if x.case_id == case_id]
            if mine:
                extra = {"decision": decision, "opinion": "审查意见"} if mine[0].form_key == "decide" else {}
                tasks.complete(ctx, mine[0].id, task_data(ctx, mine[0].id, **extra), staff(ctx, user))
                break
    raise AssertionError("the child case did not finish")


def test_the_demo_package_has_one_form_and_one_material_set(demo):
    pkg = packages.get_package(demo, CODE)
    assert [m["code"] for m in pkg["members"]] == ["11620100MB1234567E2001XK0010100", HYGIENE["code"]]
    assert {"shop_name", "uscc", "business_scope", "venue_type"} <= set(pkg["form"]["properties"])
    id_cards = [m for m in pkg["materials"] if m.get("licence_types") == ["id_card"]]
    assert len(id_cards) == 1 and len(id_cards[0]["items"]) == 2           # asked once for both items


def test_starting_a_package_opens_a_parent_and_one_child_per_item(demo):
    ctx = demo
    started = start(ctx)
    assert len(started["children"]) == 2 and all(c["tasks"] for c in started["children"])
    with ctx.uow.read() as tx:
        rows = tx.conn.execute(select(t.case.c.id, t.case.c.number, t.case.c.parent_case_id, t.case.c.promise_limit)
                               .order_by(t.case.c.id)).all()
    parent, *children = rows
    assert parent.parent_case_id is None and parent.promise_limit == RESTAURANT_PACKAGE.promise_limit
    assert {c.parent_case_id for c in children} == {parent.id} and len({r.number for r in rows}) == 3
    # each child got only its own item's fields
    food = next(c for c in started["children"] if c["item_code"].endswith("XK0010100"))
    view = packages.package_case(ctx, started["case_id"], staff(ctx, "zcz_qs_agent"))
    assert view["result"]["lifecycle"] == "in_progress" and food["number"] in [c["number"] for c in view["children"]]
    own = cases.get_case(ctx, food["case_id"], staff(ctx, "zcz_qs_agent")).data["form"]
    assert "venue_type" not in own and own["business_scope"] == ["热食类食品制售"]


def test_a_failing_member_rolls_the_whole_package_back(demo):
    ctx = demo
    with ctx.uow.begin() as tx:
        tx.conn.execute(update(t.item_implementation).where(t.item_implementation.c.code == HYGIENE["code"])
                        .values(process_key="not_deployed"))
    before = snapshot(ctx)
    with pytest.raises(NotFound) as err:
        start(ctx)
    assert err.value.code == "definition_not_found"
    assert snapshot(ctx) == before


def test_an_invalid_merged_form_starts_nothing(demo):
    ctx = demo
    before = snapshot(ctx)
    with pytest.raises(ValidationError) as err:
        start(ctx, {**FORM, "venue_type": "网吧"})
    assert err.value.code == "form_invalid" and err.value.field == "form.venue_type"
    assert snapshot(ctx) == before


@pytest.mark.parametrize("food, hygiene, lifecycle, decision", [
    ("granted", "granted", "completed", "granted"),
    ("granted", "refused", "partially_completed", "partial"),
])
def test_the_parent_reports_one_combined_result(demo, food, hygiene, lifecycle, decision):
    ctx = demo
    started = start(ctx)
    by_item = {c["item_code"]: c["case_id"] for c in started["children"]}
    finish(ctx, by_item["11620100MB1234567E2001XK0010100"], food)
    assert packages.package_case(ctx, started["case_id"], staff(ctx, "zcz_qs_agent"))["status"] == "running"
    finish(ctx, by_item[HYGIENE["code"]], hygiene)
    view = packages.package_case(ctx, started["case_id"], staff(ctx, "zcz_qs_agent"))
    assert view["status"] == "completed" and view["result"] == {"status": "completed", "lifecycle": lifecycle,
                                                                 "decision": decision}
    assert sorted(c["outcome"] for c in view["children"]) == sorted([food, hygiene])
    with ctx.uow.read() as tx:
        row = tx.conn.execute(select(t.case.c.lifecycle, t.case.c.decision)
                              .where(t.case.c.id == started["case_id"])).one()
        events = tx.conn.execute(select(t.event.c.type).where(t.event.c.case_id == started["case_id"])).scalars().all()
    assert (row.lifecycle, row.decision) == (lifecycle, decision) and "package_result" in events


def test_withdrawing_the_package_cascades_to_open_children(demo):
    ctx = demo
    started = start(ctx)
    food_id = started["children"][0]["case_id"]
    packages.withdraw_package(ctx, started["case_id"], "申请人撤回", staff(ctx, "zcz_qs_agent"))
    view = packages.package_case(ctx, started["case_id"], staff(ctx, "zcz_qs_agent"))
    assert view["status"] == "withdrawn" and {c["status"] for c in view["children"]} == {"withdrawn"}
    with ctx.uow.read() as tx:
        open_tasks = tx.conn.execute(select(t.task.c.id)
                                     .where(t.task.c.case_id == food_id, t.task.c.state == "open")).all()
        lifecycles = tx.conn.execute(select(t.case.c.lifecycle).where(
            (t.case.c.id == started["case_id"]) | (t.case.c.parent_case_id == started["case_id"]))).scalars().all()
    assert open_tasks == [] and lifecycles == ["withdrawn"] * 3      # the parent and both children
    with pytest.raises(NotFound):
        packages.withdraw_package(ctx, food_id, "不是一件事", staff(ctx, "zcz_qs_agent"))


def test_fields_that_conflict_between_items_are_refused_when_the_package_is_defined(demo):
    ctx = demo
    clash = {"type": "object", "properties": {"shop_name": {"type": "integer"}}}
    definitions.deploy(ctx, [SourceFile("probe.bpmn", bpmn('camunda:formKey="review"').replace(
        b'<bpmn:startEvent id="s">', b'<bpmn:startEvent id="s" camunda:formKey="clash">')),
        SourceFile("clash.schema.json", json.dumps(clash).encode())], Actor.system("test"))
    add_item(ctx, "TEST-CLASH", "form_probe")
    before = snapshot(ctx)
    with pytest.raises(ValidationError) as err:
        packages.define_package(ctx, packages.PackageSpec("YJS-X", "冲突一件事", "market",
                                                          ["620100-XK-SCJG-0001", "TEST-CLASH"]), staff(ctx, "admin"))
    assert err.value.code == "package_form_conflict"
    assert err.value.detail["conflicts"] == [{"field": "shop_name",
                                              "items": ["11620100MB1234567E2001XK0010100", "TEST-CLASH"]}]
    assert snapshot(ctx) == before


def test_only_administrators_define_and_only_window_staff_start(demo):
    ctx = demo
    spec = packages.PackageSpec("YJS-Y", "另一件事", "market", ["620100-XK-SCJG-0001", HYGIENE["local_code"]])
    with pytest.raises(Forbidden):
        packages.define_package(ctx, spec, staff(ctx, "zcz_qs_agent"))
    before = snapshot(ctx)
    with pytest.raises(Forbidden):
        start(ctx, who="qcz_mjp_agent")                  # a window of another unit
    assert snapshot(ctx) == before
    with pytest.raises(Forbidden):
        packages.package_case(ctx, start(ctx)["case_id"], staff(ctx, "qcz_mjp_agent"))
