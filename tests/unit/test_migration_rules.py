"""The rules a migration plan and each case under it must pass (engine/domain/migration.py)."""
from engine.domain.migration import (
    Active,
    Element,
    MigrationRefused,
    check_case,
    check_plan,
    full_mapping,
    crossings,
    target_scope,
)

SOURCE = {"start": Element("start", "startEvent"), "intake": Element("intake", "userTask"),
          "review": Element("review", "userTask"), "join": Element("join", "parallelGateway"),
          "wait": Element("wait", "intermediateCatchEvent", waits_on="Timer P3D"),
          "sub": Element("sub", "subProcess", opens="sub"),
          "inner": Element("inner", "userTask", scope="sub"),
          "call": Element("call", "callActivity", opens="child"),
          "c_task": Element("c_task", "userTask", scope="child"),
          "sign": Element("sign", "userTask", loop="parallel cardinality=3"),
          "late": Element("late", "userTask", boundary=(("t", "Timer P1D"),))}
TARGET = {"start": Element("start", "startEvent"), "intake": Element("intake", "userTask"),
          "examine": Element("examine", "userTask"), "join": Element("join", "parallelGateway"),
          "review": Element("review", "scriptTask"), "wait": Element("wait", "intermediateCatchEvent",
                                                                      waits_on="Timer P5D"),
          "sub": Element("sub", "subProcess", opens="sub"),
          "inner": Element("inner", "userTask"),                   # moved out of the sub-process
          "block": Element("block", "subProcess", opens="block"),
          "in_block": Element("in_block", "userTask", scope="block"),
          "call": Element("call", "callActivity", opens="other"),
          "c_task": Element("c_task", "userTask", scope="other"),
          "sign": Element("sign", "userTask", loop="parallel cardinality=4"),
          "late": Element("late", "userTask", boundary=(("t", "Timer P2D"),))}


def test_equal_ids_map_to_themselves_unless_the_plan_says_otherwise():
    mapping = full_mapping(SOURCE, TARGET, {"review": "examine"})
    assert mapping["intake"] == "intake" and mapping["review"] == "examine" and "examine" not in mapping


def test_plan_problems_name_their_element():
    problems = check_plan(SOURCE, TARGET, {"nope": "intake", "intake": "gone", "join": "intake"}, True)
    assert [(p.code, p.element) for p in problems] == [("migration_unknown_target_element", "gone"),
                                                       ("migration_kind_mismatch", "join"),
                                                       ("migration_unknown_source_element", "nope")]
    assert [p.code for p in check_plan(SOURCE, TARGET, {}, same_process=False)] == ["migration_process_mismatch"]
    assert check_plan(SOURCE, TARGET, {"review": "examine"}, True) == []


def test_each_active_element_is_checked_with_the_case():
    mapping = full_mapping(SOURCE, TARGET, {})
    assert check_case(7, [Active("intake"), Active("join"), Active("sub")], SOURCE, TARGET, mapping) == []
    found = check_case(7, [Active("review"), Active("wait"), Active("late"), Active("inner"), Active("call"),
                           Active("c_task"), Active("sign")], SOURCE, TARGET, mapping)
    assert [(p.code, p.element, p.case_id) for p in found] == [
        ("migration_kind_mismatch", "review", 7), ("migration_event_changed", "wait", 7),
        ("migration_event_changed", "late", 7),
        ("migration_called_process_changed", "call", 7), ("migration_scope_changed", "c_task", 7),
        ("migration_multi_instance_changed", "sign", 7)]
    assert "cardinality=3" in found[-1].message and "cardinality=4" in found[-1].message
    unmapped = check_case(8, [Active("review")], SOURCE, {"examine": TARGET["examine"]}, {})
    assert [(p.code, p.element) for p in unmapped] == [("migration_unmapped_activity", "review")]


def test_a_flow_corresponds_through_the_sub_process_it_is_mapped_to():
    # the sub-process renamed: its inner task may follow into the renamed one's flow, not elsewhere
    mapping = full_mapping(SOURCE, TARGET, {"sub": "block", "inner": "in_block"})
    assert target_scope("sub", SOURCE, TARGET, mapping) == "block"
    assert target_scope("", SOURCE, TARGET, mapping) == ""
    assert target_scope("child", SOURCE, TARGET, mapping) is None       # the target calls another process
    assert check_case(9, [Active("sub"), Active("inner")], SOURCE, TARGET, mapping) == []
    assert check_plan(SOURCE, TARGET, {"sub": "block", "inner": "in_block"}, True) == []
    [problem] = check_plan(SOURCE, TARGET, {"inner": "in_block"}, True)
    assert (problem.code, problem.element) == ("migration_scope_changed", "inner")
    assert "to move it with its sub-process, map sub to block" in problem.message


def test_an_id_used_by_two_processes_of_a_version_is_refused_where_a_case_stands():
    source = {**SOURCE, "intake": Element("intake", "userTask", ambiguous=True)}
    [problem] = check_case(3, [Active("intake")], source, TARGET, full_mapping(source, TARGET, {}))
    assert (problem.code, problem.element) == ("migration_ambiguous_element", "intake")


def test_a_refusal_carries_every_problem():
    problems = check_case(7, [Active("review"), Active("wait")], SOURCE, TARGET, full_mapping(SOURCE, TARGET, {}))
    err = MigrationRefused(problems)
    body = err.to_dict()
    assert body["code"] == "migration_kind_mismatch" and body["element"] == "review"
    assert [p["code"] for p in body["problems"]] == ["migration_kind_mismatch", "migration_event_changed"]


# v1: review on the process's own flow, `sub` around `inner`; v2: review inside a new `stage`, inner
# taken out of `sub`; plus what stays refused: a multi-instance, a nested pair, a called process
CROSS_SOURCE = {"review": Element("review", "userTask"), "check": Element("check", "userTask"),
                "wait": Element("wait", "intermediateCatchEvent"),
                "sub": Element("sub", "subProcess", opens="sub"),
                "inner": Element("inner", "userTask", scope="sub"), "other": Element("other", "userTask", scope="sub"),
                "late": Element("late", "userTask", boundary=(("t", "Timer P1D"),))}
CROSS_TARGET = {"stage": Element("stage", "subProcess", opens="stage"),
                "review": Element("review", "userTask", scope="stage"),
                "check": Element("check", "userTask", scope="stage"),
                "wait": Element("wait", "intermediateCatchEvent", scope="stage"),
                "sub": Element("sub", "subProcess", opens="sub"), "other": Element("other", "userTask", scope="sub"),
                "inner": Element("inner", "userTask"),
                "multi": Element("multi", "subProcess", opens="multi", loop="parallel cardinality=2"),
                "m_task": Element("m_task", "userTask", scope="multi"),
                "outer": Element("outer", "subProcess", opens="outer"),
                "nested": Element("nested", "subProcess", scope="outer", opens="nested"),
                "deep": Element("deep", "userTask", scope="nested"),
                "call": Element("call", "callActivity", opens="child"),
                "c_task": Element("c_task", "userTask", scope="child"),
                "late": Element("late", "userTask", scope="stage", boundary=(("t", "Timer P1D"),))}


def _codes(explicit, active):
    mapping = full_mapping(CROSS_SOURCE, CROSS_TARGET, explicit)
    return [(p.code, p.element) for p in check_case(5, [Active(a) for a in active], CROSS_SOURCE, CROSS_TARGET,
                                                    mapping)]


def test_a_user_task_enters_a_new_sub_process_or_leaves_the_one_it_is_in():
    mapping = full_mapping(CROSS_SOURCE, CROSS_TARGET, {})
    assert check_plan(CROSS_SOURCE, CROSS_TARGET, {}, True) == []
    moves = crossings([Active("review"), Active("sub"), Active("inner")], CROSS_SOURCE, CROSS_TARGET, mapping)
    assert {k: (m.direction, m.owner) for k, m in moves.items()} == {"review": ("enter", "stage"),
                                                                     "inner": ("leave", "sub")}
    assert _codes({}, ["review"]) == []
    assert _codes({}, ["sub", "inner"]) == []          # `sub` is left: its instance goes, nothing to map


def test_what_a_crossing_still_refuses_names_the_element():
    assert _codes({"review": "m_task"}, ["review"]) == [("migration_scope_multi_instance", "review")]
    assert _codes({"review": "deep"}, ["review"]) == [("migration_scope_too_deep", "review")]
    assert _codes({"review": "c_task"}, ["review"]) == [("migration_scope_call_activity", "review")]
    assert _codes({}, ["wait"]) == [("migration_scope_unsupported", "wait")]
    assert _codes({}, ["late"]) == [("migration_scope_unsupported", "late")]
    # the instance removed still holds another task; two tokens would share one created instance
    assert _codes({}, ["sub", "inner", "other"]) == [("migration_scope_shared", "inner")]
    assert _codes({}, ["review", "check"]) == [("migration_scope_shared", "review"),
                                               ("migration_scope_shared", "check")]
    # out of one sub-process into another is two boundaries on one path, refused as before
    [problem] = check_plan(CROSS_SOURCE, CROSS_TARGET, {"inner": "m_task"}, True)
    assert (problem.code, problem.element) == ("migration_scope_changed", "inner")
