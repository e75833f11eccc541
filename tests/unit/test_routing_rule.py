"""Routing from any window of any tier to the implementing body (全域无差别受理, issue 14):
engine/domain/org.py resolve over a table of (target, receiving unit, implementing body)."""
import pytest

from engine.domain.org import UnitRef, parse_target, resolve

# the demo's shape: 新区 1 → 中川园区 2 → 中川镇 3 → 清水村 4; 新区 1 → 秦川园区 5 → 秦川镇 6 →
# 马家坪村 7; 秦川园区 5 → 西岔镇 8 → 西岔村 9
U = {1: UnitRef(1, "district", None), 2: UnitRef(2, "park", 1), 3: UnitRef(3, "township", 2),
     4: UnitRef(4, "village", 3), 5: UnitRef(5, "park", 1), 6: UnitRef(6, "township", 5),
     7: UnitRef(7, "village", 6), 8: UnitRef(8, "township", 5), 9: UnitRef(9, "village", 8)}
D = {(1, "market"): 10, (3, "social"): 30, (6, "social"): 60, (8, "social"): 80}
SUP, REC = "supervisor", "receiver"


@pytest.mark.parametrize("target, origin, body, unit, role, dept, stand_in", [
    # a district item (食品经营许可) received at a village: up the receiving line, as before
    ("village:agent", 4, 1, 4, "agent", None, False),
    ("township:reviewer", 4, 1, 3, "reviewer", None, False),
    ("district:approver@market", 4, 1, 1, "approver", 10, False),
    # ... at a township window: no village above it, the township's receiving role does the intake
    ("village:agent", 8, 1, 8, REC, None, True),
    ("township:reviewer", 8, 1, 8, "reviewer", None, False),
    # ... at the district window: both lower steps are done by the district's receiving role
    ("village:agent", 1, 1, 1, REC, None, True),
    ("township:reviewer", 1, 1, 1, REC, None, True),
    ("township:supervisor", 1, 1, 1, SUP, None, True),     # supervision stays supervision
    ("district:receiver", 1, 1, 1, "receiver", None, False),
    # a 秦川镇 item received at 西岔镇's window (another branch): the body's township decides
    ("township:receiver", 8, 6, 6, "receiver", None, False),
    ("township:approver@social", 8, 6, 6, "approver", 60, False),
    ("park:receiver", 8, 6, 5, "receiver", None, False),
    # ... at a 西岔 village: the receiving village does the intake, the body's township the rest
    ("village:agent", 9, 6, 9, "agent", None, False),
    ("township:reviewer", 9, 6, 6, "reviewer", None, False),
    # ... at a 中川 village, in the other park: still 秦川镇
    ("township:approver@social", 4, 6, 6, "approver", 60, False),
    # ... at the district window: up from the body for its own tier and above
    ("township:reviewer", 1, 6, 6, "reviewer", None, False),
    ("district:approver@market", 1, 6, 1, "approver", 10, False),
    # a village item (下沉, 马家坪村) at the district: the body's village
    ("village:agent", 1, 7, 7, "agent", None, False),
    # the body unknown (an entry without one): the receiving line alone, as before issue 14
    ("township:reviewer", 9, None, 8, "reviewer", None, False),
])
def test_the_routing_rule(target, origin, body, unit, role, dept, stand_in):
    r = resolve(parse_target(target), origin, U.get, lambda u, c: D.get((u, c)), supervisor_unit_id=origin,
                body_unit_id=body)
    assert (r.org_unit_id, r.role, r.department_id, r.stand_in, r.error) == (unit, role, dept, stand_in, None)


@pytest.mark.parametrize("target, origin, body, why", [
    ("township:approver@civil", 8, 6, "civil"),          # no such department at the body's township
    ("park:receiver", 3, None, "no park unit"),          # above the window and nowhere on either line
])
def test_what_cannot_be_routed_goes_to_the_supervisor_queue_with_a_reason(target, origin, body, why):
    units = {**U, 3: UnitRef(3, "township", 1)}         # township 3 straight under the district here
    r = resolve(parse_target(target), origin, units.get, lambda u, c: D.get((u, c)), supervisor_unit_id=origin,
                body_unit_id=body)
    assert (r.org_unit_id, r.role) == (origin, SUP) and why in r.error
