"""The rules a migration plan and each case under it must pass (engine/domain/migration.py)."""
from engine.domain.migration import Active, Element, MigrationRefused, check_case, check_plan, full_mapping

SOURCE = {"start": Element("start", "startEvent"), "intake": Element("intake", "userTask"),
          "review": Element("review", "userTask"), "join": Element("join", "parallelGateway"),
          "wait": Element("wait", "intermediateCatchEvent", waits_on="Timer P3D"),
          "sub": Element("sub", "subProcess", scoped=True),
          "late": Element("late", "userTask", boundary=(("t", "Timer P1D"),))}
TARGET = {"start": Element("start", "startEvent"), "intake": Element("intake", "userTask"),
          "examine": Element("examine", "userTask"), "join": Element("join", "parallelGateway"),
          "review": Element("review", "scriptTask"), "wait": Element("wait", "intermediateCatchEvent",
                                                                      waits_on="Timer P5D"),
          "sub": Element("sub", "subProcess", scoped=True),
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
    assert check_case(7, [Active("intake"), Active("join")], SOURCE, TARGET, mapping) == []
    found = check_case(7, [Active("review"), Active("wait"), Active("sub"), Active("late"), Active("x", nested=True)],
                       SOURCE, TARGET, mapping)
    assert [(p.code, p.element, p.case_id) for p in found] == [
        ("migration_kind_mismatch", "review", 7), ("migration_event_changed", "wait", 7),
        ("migration_scope_unsupported", "sub", 7), ("migration_event_changed", "late", 7),
        ("migration_scope_unsupported", "x", 7)]
    unmapped = check_case(8, [Active("review")], SOURCE, {"examine": TARGET["examine"]}, {})
    assert [(p.code, p.element) for p in unmapped] == [("migration_unmapped_activity", "review")]


def test_a_refusal_carries_every_problem():
    problems = check_case(7, [Active("review"), Active("wait")], SOURCE, TARGET, full_mapping(SOURCE, TARGET, {}))
    err = MigrationRefused(problems)
    body = err.to_dict()
    assert body["code"] == "migration_kind_mismatch" and body["element"] == "review"
    assert [p["code"] for p in body["problems"]] == ["migration_kind_mismatch", "migration_event_changed"]
