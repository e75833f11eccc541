"""Accounts and the organisation through the services, on SQLite and PostgreSQL: the import of an
organisation into an empty database (all or nothing, idempotent), the org writes refusing bad input with a 4xx error and
writing nothing, the posts of an actor, the e-licences filed in a vault."""
import json
from datetime import date

import pytest
from sqlalchemy import select

from engine.domain.actor import Actor
from engine.domain.errors import Forbidden, NotFound, ValidationError
from engine.services.accounts import auth, org
from engine.services import org_admin
from engine.services.materials import vault
from engine.store.models import Staff
from tests.conftest import row_counts, staff

PASSWORD = "seed-password"
SYSTEM = Actor.system("test")
# a district with a township and its village: a small organisation file with every kind of record
TOWN = {
    "units": [{"code": "D", "name": "新区", "tier": "district"},
              {"code": "T", "name": "乡镇", "tier": "township", "parent": "D"},
              {"code": "V", "name": "村", "tier": "village", "parent": "T"}],
    "departments": [{"unit": "T", "code": "social", "name": "社会事务办"}],
    "halls": [{"unit": "T", "code": "T-H", "name": "便民服务中心", "kind": "convenience_center"},
              {"unit": "V", "code": "V-H", "name": "便民服务站", "kind": "convenience_station"}],
    "windows": [{"hall": "T-H", "code": "T-W1", "name": "综合受理窗口", "kind": "comprehensive"},
                {"hall": "T-H", "code": "T-W2", "name": "审批窗口", "kind": "department", "department": "social"},
                {"hall": "V-H", "code": "V-W1", "name": "帮办代办窗口", "kind": "proxy"}],
    "staff": [{"username": u, "name": n, "password": PASSWORD} for u, n in (
        ("t_receiver", "收件员"), ("t_approver", "审批员"), ("v_agent", "代办员"))]
    + [{"username": "boss", "name": "管理员", "password": PASSWORD, "system_roles": ["admin"]}],
    "posts": [{"username": "t_receiver", "window": "T-W1", "role": "receiver"},
              {"username": "t_approver", "window": "T-W2", "role": "approver"},
              {"username": "t_receiver", "window": "T-W2", "role": "reviewer"},
              {"username": "v_agent", "window": "V-W1", "role": "agent"}],
}


def seed(ctx, file=None) -> org_admin.ImportResult:
    """Township T with village V, their windows and staff (the organisation import), and wang, an applicant."""
    result = org_admin.import_organisation(ctx, json.dumps(file or TOWN).encode(), "json", SYSTEM)
    if result.counts["unit"]["created"]:
        auth.create_account(ctx, "wang", "王五", "applicant", PASSWORD)
    return result


def test_the_import_writes_the_tree_and_accounts_with_one_hash_per_password_once(ctx):
    assert seed(ctx).counts["staff"]["created"] == 4
    with ctx.uow.read() as tx:
        hashes = dict(tx.conn.execute(select(Staff.username, Staff.password_hash)).all())
        directory = org.directory(ctx, tx)
    assert sorted(hashes) == ["boss", "t_approver", "t_receiver", "v_agent", "wang"]
    assert len({h for u, h in hashes.items() if u != "wang"}) == 1     # one salted hash per distinct password
    assert auth.verify_password(ctx, "wang", PASSWORD).kind == "applicant"
    assert auth.verify_password(ctx, "boss", PASSWORD).roles == frozenset({"admin"})
    district, town, village = sorted(directory.units)
    assert directory.subtree(town) == (town, village) and directory.subtree(district) == (district, town, village)
    assert directory.in_subtree(village, town)
    receiver = staff(ctx, "t_receiver")
    assert sorted(role for _unit, _dept, role in org.posts_for(ctx, receiver)) == ["receiver", "reviewer"]
    social = directory.departments[(town, "social")]
    assert org.posts_for(ctx, staff(ctx, "t_approver")) == [(town, social, "approver")]
    assert org.posts_for(ctx, staff(ctx, "wang")) == []

    before = row_counts(ctx)
    again = seed(ctx)                      # the same file again: nothing written, not even an event
    assert row_counts(ctx) == before
    assert all(c["created"] == c["updated"] == 0 for c in again.counts.values())


def test_a_failed_import_leaves_an_empty_database(ctx):
    before = row_counts(ctx)
    broken = {**TOWN, "windows": TOWN["windows"] + [{"hall": "V-H", "code": "V-W2", "name": "审批",
                                                     "kind": "department", "department": "social"}]}
    with pytest.raises(ValidationError) as err:
        seed(ctx, broken)
    assert err.value.code == "org_file_invalid"
    assert [(p["kind"], p["row"], p["field"], p["code"]) for p in err.value.detail["problems"]] == [
        ("window", 4, "department", "department_unknown")]
    twice = {**TOWN, "staff": TOWN["staff"] + [{"username": "boss", "name": "又一个"}]}
    with pytest.raises(ValidationError) as err:
        seed(ctx, twice)
    assert err.value.detail["problems"][0]["code"] == "org_duplicate"
    assert row_counts(ctx) == before
    assert seed(ctx).counts["unit"]["created"] == 3


@pytest.mark.parametrize("write, error, code", [
    (lambda tx, ids: org.add_unit(tx, "X", "X", "county", None), ValidationError, "org_unknown_tier"),
    (lambda tx, ids: org.add_unit(tx, "X", "X", "village", 10 ** 6), NotFound, "not_found"),
    (lambda tx, ids: org.add_unit(tx, "X", "X", "park", ids["town"]), ValidationError, "org_tier_order"),
    (lambda tx, ids: org.add_window(tx, 10 ** 6, "X-W", "X", "proxy"), NotFound, "hall_not_found"),
    (lambda tx, ids: org.add_post(tx, ids["staff"], 10 ** 6, "agent"), NotFound, "window_not_found"),
    (lambda tx, ids: org.add_post(tx, ids["staff"], ids["window"], "janitor"), ValidationError, "org_unknown_role"),
])
def test_org_writes_refuse_bad_input_and_write_nothing(ctx, write, error, code):
    seed(ctx)
    with ctx.uow.read() as tx:
        directory = org.directory(ctx, tx)
    ids = {"town": sorted(directory.units)[1], "window": min(directory.windows),
           "staff": staff(ctx, "v_agent").staff_id}
    before = row_counts(ctx)
    with pytest.raises(error) as err:
        with ctx.uow.begin() as tx:
            write(tx, ids)
    assert err.value.code == code
    assert row_counts(ctx) == before


def test_e_licences_are_filed_for_an_account_by_administrators_only(ctx):
    seed(ctx)
    licence = vault.NewDocument("id_card", "居民身份证（电子证照）", "620102199001011233", "兰州市公安局",
                                date(2036, 5, 1))
    before = row_counts(ctx)
    with pytest.raises(Forbidden):
        vault.file_e_licences(ctx, "wang", "620102199001011233", [licence], staff(ctx, "t_receiver"))
    with pytest.raises(NotFound):
        vault.file_e_licences(ctx, "nobody", "620102199001011233", [licence], Actor.system("test"))
    with pytest.raises(ValidationError):
        vault.file_e_licences(ctx, "wang", " ", [licence], Actor.system("test"))
    assert row_counts(ctx) == before
    vault.file_e_licences(ctx, "wang", "620102199001011233", [licence], Actor.system("test"))
    [document] = vault.my_documents(ctx, staff(ctx, "wang"))
    assert (document.kind, document.trust_level, document.source, document.number_masked) == (
        "id_card", "A", "e_licence", "620102********1233")
