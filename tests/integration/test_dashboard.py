"""scratch"""
import json

from engine.services import supervision
from engine.services.time_limits import timers
from tests.conftest import staff
from tests.integration.test_case_flow import start_food
from tests.integration.test_clock import accept_food, bj
from tests.integration.test_supervision import unit


def test_scratch(demo, clock):
    ctx = demo
    a = accept_food(ctx)
    b = start_food(ctx, window="QCZ-MJP-W01", clerk="qcz_mjp_agent")
    clock.set(bj(2026, 12, 11, 8))
    timers.fire_due(ctx)
    sup = staff(ctx, "lzxq_supervisor")
    print(a, b.case_id)
    print(json.dumps(supervision.summary(ctx, sup, unit(ctx, "LZXQ")), default=str, ensure_ascii=False, indent=1))
    for u in ("LZXQ", "ZCYQ", "ZCZ", "ZCZ-QS"):
        print(u, json.dumps(supervision.drill(ctx, sup, unit(ctx, u)), default=str, ensure_ascii=False))
    d = supervision.drill(ctx, sup, unit(ctx, "ZCZ-QS"), department_id=0)
    print(json.dumps(d, default=str, ensure_ascii=False))
    w = d["children"][0]["id"]
    d = supervision.drill(ctx, sup, unit(ctx, "ZCZ-QS"), department_id=0, window_id=w)
    print(json.dumps(d, default=str, ensure_ascii=False))
    s = d["children"][0]["id"]
    d = supervision.drill(ctx, sup, unit(ctx, "ZCZ-QS"), department_id=0, window_id=w, staff_id=s)
    print(json.dumps(d, default=str, ensure_ascii=False))
    d = supervision.drill(ctx, sup, unit(ctx, "LZXQ"))
    print(json.dumps(d, default=str, ensure_ascii=False))
    print(supervision.on_time_series(ctx, sup, unit(ctx, "LZXQ"), bj(2026, 1, 1).date(), bj(2026, 12, 31).date()))
