"""`allowed_actions` on a case's view agrees with the commands: for every lifecycle state a food
licence case can reach, each action listed for the caller succeeds and each one not listed is
refused by the real command."""
import itertools
from datetime import date

import pytest
from sqlalchemy import update

from engine.domain import lifecycle as lc
from engine.domain.errors import LianbanError
from engine.services import cases, delivery, materials, tasks, time_limits
from engine.services.cases import lifecycle
from engine.services.materials import blobs
from engine.store.models import ItemImplementation
from tests.conftest import staff, window_id
from tests.form_samples import application, task_data

FOOD = "620100-XK-SCJG-0001"
MATERIALS = [{"code": "M03", "name": "申请书"}, {"code": "M04", "name": "平面图", "tolerable": True}]
_uploads = itertools.count(1)


def _upload(ctx, case_id, who):
    materials.upload(ctx, case_id, "M03", blobs.Upload(b"%PDF-1.7\n%" + str(next(_uploads)).encode() + b"\n%%EOF\n"),
                     who)


def _verify(ctx, case_id, who):
    try:
        _upload(ctx, case_id, staff(ctx, "admin"))
    except LianbanError:
        pass                           # a closed case takes no upload: verify is refused below
    materials.verify(ctx, case_id, "M03", who)


RUN = {
    "withdraw": lambda ctx, c, who: cases.withdraw(ctx, c, "申请人撤回", who),
    "return": lambda ctx, c, who: lifecycle.return_case(ctx, c, "材料不符", who),
    "not_accept": lambda ctx, c, who: lifecycle.not_accept(ctx, c, "不属于本机关职权", who, competent_agency="某局"),
    "accept": lambda ctx, c, who: time_limits.accept(ctx, c, who),
    "correction_notice": lambda ctx, c, who: time_limits.notify_correction(ctx, c, "请补充平面图", who),
    "pause": lambda ctx, c, who: time_limits.pause(ctx, c, "hold", "待核实", "暂停通知", who),
    "resume": lambda ctx, c, who: time_limits.resume(ctx, c, who),
    "extend": lambda ctx, c, who: time_limits.extend(ctx, c, "情况复杂", who),
    "deliver": lambda ctx, c, who: delivery.deliver(ctx, c, delivery.Delivery("pickup"), who),
    "upload_material": _upload,
    "verify_material": _verify,
    "tolerate_material": lambda ctx, c, who: materials.tolerate(ctx, c, "M04", date(2026, 11, 27), "承诺按期补齐", who),
}
assert set(RUN) == set(lc.ACTIONS)
ADMIN = "admin"


def _start(ctx, applicant=None):
    with ctx.uow.begin() as tx:
        tx.conn.execute(update(ItemImplementation).where(ItemImplementation.local_code == FOOD)
                        .values(materials=MATERIALS, tolerant_acceptance=True))
    if applicant:
        return cases.start_case(ctx, cases.StartCase(FOOD, window_id(ctx, "ZCZ-QS-W01"), {"name": "张三"},
                                                     application(ctx, FOOD), "online"), staff(ctx, applicant))
    return cases.start_case(ctx, cases.StartCase(FOOD, window_id(ctx, "ZCZ-QS-W01"), {"name": "张三"},
                                                 application(ctx, FOOD), "proxy"), staff(ctx, "zcz_qs_agent"))


def _walk(ctx, started, steps):
    task = started.tasks[0]
    for who, data in steps:
        done = tasks.complete(ctx, task, task_data(ctx, task, **data), staff(ctx, who))
        task = done.next_tasks[0] if done.next_tasks else None


TO_DECISION = [("zcz_qs_agent", {}), ("zcz_reviewer", {"complete": True}), ("lzxq_receiver", {}),
               ("lzxq_market_approver", {"decision": "granted"})]


def _in(ctx, state):
    """A fresh case in lifecycle `state`, made by the commands and task completions."""
    started = _start(ctx)
    case_id, admin = started.case_id, staff(ctx, ADMIN)
    if state == lc.CORRECTION_REQUESTED:
        time_limits.notify_correction(ctx, case_id, "请补充", admin)
    elif state == lc.FORWARDED:
        _walk(ctx, started, TO_DECISION[:2])
    elif state in (lc.ACCEPTED, lc.IN_PROGRESS, lc.SUSPENDED):
        time_limits.accept(ctx, case_id, admin)
        if state != lc.ACCEPTED:
            time_limits.pause(ctx, case_id, "hold", "待核实", "暂停通知", admin)
        if state == lc.IN_PROGRESS:
            time_limits.resume(ctx, case_id, admin)
    elif state in (lc.DECIDED, lc.COMPLETED, lc.DELIVERED):
        _walk(ctx, started, TO_DECISION + ([("lzxq_issuer", {})] if state != lc.DECIDED else []))
        if state == lc.DELIVERED:
            delivery.deliver(ctx, case_id, delivery.Delivery("pickup"), admin)
    elif state in (lc.WITHDRAWN, lc.RETURNED, lc.NOT_ACCEPTED):
        RUN[{"withdrawn": "withdraw", "returned": "return", "not_accepted": "not_accept"}[state]](ctx, case_id, admin)
    assert cases.get_case(ctx, case_id, admin).lifecycle == state
    return case_id


REACHABLE = [s for s in lc.STATES]
EXPECTED = {
    lc.RECEIVED: {"withdraw", "return", "not_accept", "accept", "correction_notice", "upload_material",
                  "verify_material", "tolerate_material"},
    lc.CORRECTION_REQUESTED: {"withdraw", "return", "not_accept", "accept", "upload_material", "verify_material",
                              "tolerate_material"},
    lc.ACCEPTED: {"withdraw", "return", "pause", "upload_material", "verify_material", "tolerate_material"},
    lc.SUSPENDED: {"withdraw", "return", "resume", "upload_material", "verify_material", "tolerate_material"},
    lc.DECIDED: {"upload_material", "verify_material", "tolerate_material"},       # 制证 is still open
    lc.COMPLETED: {"deliver"},
    lc.DELIVERED: set(), lc.WITHDRAWN: set(), lc.RETURNED: set(), lc.NOT_ACCEPTED: set(),
}


@pytest.mark.parametrize("state", REACHABLE)
def test_each_listed_action_succeeds_and_each_other_is_refused(demo, state):
    ctx = demo
    clerk = staff(ctx, "zcz_qs_agent")
    case_id = _in(ctx, state)
    listed = cases.get_case(ctx, case_id, clerk).allowed_actions
    if state in EXPECTED:
        assert set(listed) == EXPECTED[state], listed
    assert list(listed) == [a for a in lc.ACTIONS if a in listed]
    for action in lc.ACTIONS:
        if action in listed:
            RUN[action](ctx, _in(ctx, state), clerk)
        else:
            with pytest.raises(LianbanError):
                RUN[action](ctx, case_id, clerk)


def test_an_applicant_withdraws_and_uploads_only(demo):
    ctx = demo
    zhang = staff(ctx, "applicant_zhang")
    case_id = _start(ctx, applicant="applicant_zhang").case_id
    listed = cases.get_case(ctx, case_id, zhang).allowed_actions
    assert list(listed) == ["withdraw", "upload_material"]
    for action in lc.ACTIONS:
        if action not in listed:
            with pytest.raises(LianbanError):
                RUN[action](ctx, case_id, zhang)
    _upload(ctx, case_id, zhang)
    cases.withdraw(ctx, case_id, "不办了", zhang)
    assert cases.get_case(ctx, case_id, zhang).allowed_actions == ()


def test_a_head_above_the_case_may_extend_it():
    facts = lc.CaseFacts("running", "running")
    assert "extend" in lc.allowed_actions(lc.ACCEPTED, facts, lc.Standing(agency=True, head=True))
    assert "extend" not in lc.allowed_actions(lc.ACCEPTED, facts, lc.Standing(agency=True))
    assert "extend" not in lc.allowed_actions(lc.ACCEPTED, lc.CaseFacts("running", "running", extended=True),
                                              lc.Standing(agency=True, head=True))
    assert "deliver" not in lc.allowed_actions(lc.COMPLETED, lc.CaseFacts("completed", "stopped"),
                                               lc.Standing(agency=True))
    assert lc.allowed_actions(lc.COMPLETED, lc.CaseFacts("completed", "stopped"), lc.Standing(worker=True)) == \
        ["deliver"]
