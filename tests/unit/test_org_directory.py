"""The organisation directory a process keeps in memory (engine/services/accounts/org.py), built
from the rows the org repository reads: subtrees by materialised path, posts, windows, routing."""
from collections import namedtuple

from engine.domain import org as org_rules
from engine.services.accounts.org import OrgDirectory, WindowInfo, may_work_on

Unit = namedtuple("Unit", "id tier parent_id path")
Department = namedtuple("Department", "id org_unit_id code")
Post = namedtuple("Post", "staff_id org_unit_id department_id role")
Window = namedtuple("Window", "id org_unit_id department_id code hall_id closes_at hours")

UNITS = [Unit(1, "district", None, "/1/"), Unit(2, "township", 1, "/1/2/"), Unit(3, "village", 2, "/1/2/3/"),
         Unit(12, "township", 1, "/1/12/")]
DIRECTORY = OrgDirectory(UNITS, [Department(7, 1, "market")],
                         [Post(5, 3, None, "agent"), Post(5, 2, None, "reviewer"), Post(6, 2, None, "supervisor")],
                         [Window(9, 3, None, "V-W01", 1, None, None)])


def test_subtrees_follow_the_materialised_paths():
    assert sorted(DIRECTORY.subtree(1)) == [1, 2, 3, 12]
    assert DIRECTORY.subtree(2) == (2, 3)          # /1/12/ is not under /1/2/: paths end in a slash
    assert DIRECTORY.in_subtree(3, 2) and not DIRECTORY.in_subtree(12, 2) and not DIRECTORY.in_subtree(3, 99)


def test_posts_windows_and_departments_by_key():
    assert DIRECTORY.posts[5] == [(3, None, "agent"), (2, None, "reviewer")]
    assert DIRECTORY.windows[9] == WindowInfo(9, 3, None, "V-W01")
    assert DIRECTORY.departments == {(1, "market"): 7} and DIRECTORY.department_codes == {"market"}
    assert may_work_on(DIRECTORY, DIRECTORY.posts[6], 3, None, "supervisor")
    assert not may_work_on(DIRECTORY, DIRECTORY.posts[5], 3, None, "reviewer")


def test_routing_walks_up_from_the_receiving_unit():
    route = DIRECTORY.route(org_rules.parse_target("district:approver@market"), 3)
    assert (route.org_unit_id, route.department_id, route.role) == (1, 7, "approver")


def test_a_subtree_is_worked_out_once_per_snapshot():
    assert DIRECTORY.subtree(1) is DIRECTORY.subtree(1)


def test_a_route_is_worked_out_once_per_question():
    target = org_rules.parse_target("district:approver@market")
    first = DIRECTORY.route(target, 3)
    assert DIRECTORY.route(target, 3) is first
    # another receiving unit or implementing body is another question with its own answer
    assert DIRECTORY.route(target, 3, body_unit_id=12) is not first
    township = DIRECTORY.route(org_rules.parse_target("township:reviewer"), 3)
    assert (township.org_unit_id, township.role) == (2, "reviewer")
    assert DIRECTORY.route(org_rules.parse_target("township:reviewer"), 12).org_unit_id == 12
