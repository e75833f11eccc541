"""Accounts and the organisation through the services, on SQLite and PostgreSQL: the seed of an
empty database (all or nothing, once), the org writes refusing bad input with a 4xx error and
writing nothing, the posts of an actor, the e-licences filed in a vault."""
from datetime import date

import pytest
from sqlalchemy import select

from engine.domain.actor import Actor
from engine.domain.errors import Forbidden, NotFound, ValidationError
from engine.services.accounts import auth, org
from engine.services.accounts.seed import NewAccount, NewPost, NewUnit, NewWindow, seed
from engine.services.materials import vault
from engine.store.models import Staff
from tests.conftest import row_counts, staff

PASSWORD = "seed-password"
TOWN = NewUnit("T", "乡镇", "township", ("T-H", "便民服务中心", "convenience_center"), (("social", "社会事务办"),),
               (NewWindow("T-W1", "综合受理窗口", "comprehensive", None,
                          (NewPost("t_receiver", "收件员", "receiver"),)),
                NewWindow("T-W2", "审批窗口", "department", "social",
                          (NewPost("t_approver", "审批员", "approver"), NewPost("t_receiver", "收件员", "reviewer")))),
               (NewUnit("V", "村", "village", ("V-H", "便民服务站", "convenience_station"), (),
                        (NewWindow("V-W1", "帮办代办窗口", "proxy", None,
                                   (NewPost("v_agent", "代办员", "agent"),)),)),))
ACCOUNTS = [NewAccount("boss", "管理员", "staff", ("admin",)), NewAccount("wang", "王五", "applicant")]


def test_the_seed_writes_the_tree_and_accounts_with_one_hash_once(ctx):
    assert seed(ctx, TOWN, ACCOUNTS, PASSWORD) is True
    with ctx.uow.read() as tx:
        hashes = dict(tx.conn.execute(select(Staff.username, Staff.password_hash)).all())
        directory = org.directory(ctx, tx)
    assert sorted(hashes) == ["boss", "t_approver", "t_receiver", "v_agent", "wang"]
    assert len(set(hashes.values())) == 1                # one salted hash for all
    assert auth.verify_password(ctx, "wang", PASSWORD).kind == "applicant"
    assert auth.verify_password(ctx, "boss", PASSWORD).roles == frozenset({"admin"})
    town, village = sorted(directory.units)
    assert directory.subtree(town) == (town, village) and directory.in_subtree(village, town)
    receiver = staff(ctx, "t_receiver")
    assert sorted(role for _unit, _dept, role in org.posts_for(ctx, receiver)) == ["receiver", "reviewer"]
    social = directory.departments[(town, "social")]
    assert org.posts_for(ctx, staff(ctx, "t_approver")) == [(town, social, "approver")]
    assert org.posts_for(ctx, staff(ctx, "wang")) == []

    before = row_counts(ctx)
    assert seed(ctx, TOWN, ACCOUNTS, PASSWORD) is False   # an organisation exists: nothing written
    assert row_counts(ctx) == before


def test_a_failed_seed_leaves_an_empty_database(ctx):
    before = row_counts(ctx)
    broken = NewUnit("T", "乡镇", "township", ("T-H", "便民服务中心", "convenience_center"), (),
                     (NewWindow("T-W1", "审批窗口", "department", "social"),))
    with pytest.raises(ValidationError) as err:
        seed(ctx, broken, ACCOUNTS, PASSWORD)
    assert err.value.code == "department_unknown"
    with pytest.raises(ValidationError) as err:
        seed(ctx, TOWN, [NewAccount("boss", "管理员"), NewAccount("boss", "又一个")], PASSWORD)
    assert err.value.code == "account_exists"
    assert row_counts(ctx) == before
    assert seed(ctx, TOWN, ACCOUNTS, PASSWORD) is True


@pytest.mark.parametrize("write, error, code", [
    (lambda tx, ids: org.add_unit(tx, "X", "X", "county", None), ValidationError, "org_unknown_tier"),
    (lambda tx, ids: org.add_unit(tx, "X", "X", "village", 10 ** 6), NotFound, "not_found"),
    (lambda tx, ids: org.add_unit(tx, "X", "X", "park", ids["town"]), ValidationError, "org_tier_order"),
    (lambda tx, ids: org.add_window(tx, 10 ** 6, "X-W", "X", "proxy"), NotFound, "hall_not_found"),
    (lambda tx, ids: org.add_post(tx, ids["staff"], 10 ** 6, "agent"), NotFound, "window_not_found"),
    (lambda tx, ids: org.add_post(tx, ids["staff"], ids["window"], "janitor"), ValidationError, "org_unknown_role"),
])
def test_org_writes_refuse_bad_input_and_write_nothing(ctx, write, error, code):
    seed(ctx, TOWN, ACCOUNTS, PASSWORD)
    with ctx.uow.read() as tx:
        directory = org.directory(ctx, tx)
    ids = {"town": min(directory.units), "window": min(directory.windows), "staff": staff(ctx, "v_agent").staff_id}
    before = row_counts(ctx)
    with pytest.raises(error) as err:
        with ctx.uow.begin() as tx:
            write(tx, ids)
    assert err.value.code == code
    assert row_counts(ctx) == before


def test_e_licences_are_filed_for_an_account_by_administrators_only(ctx):
    seed(ctx, TOWN, ACCOUNTS, PASSWORD)
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
