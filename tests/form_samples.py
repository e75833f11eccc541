"""Valid sample data for every form in forms/, so tests that drive a case through its steps
submit what a clerk would (the server validates every form). `sample(key, **overrides)`."""
from __future__ import annotations

import copy

from engine.domain.forms import canonical_key

SHOP = {"shop_name": "兰州新区清水面馆", "uscc": "91620100MA74XK3B2E", "legal_representative": "张三",
        "address": "兰州新区中川镇清水村幸福路18号", "business_area": 120.5, "contact_phone": "13893100001"}

SAMPLES = {
    "apply_food_licence": {**SHOP, "business_scope": ["热食类食品制售"]},
    "apply_hygiene_licence": {**SHOP, "venue_type": "餐饮场所", "staff_with_health_certificate": 6},
    "apply_restaurant_opening": {**SHOP, "business_scope": ["热食类食品制售"]},
    "apply_elderly_allowance": {"elder_name": "李秀英", "id_card_no": "620102194001011234", "birth_date": "1940-01-01",
                                "household_address": "兰州新区秦川镇马家坪村3组",
                                "bank_account": "6228480402564890018"},
    "proxy_intake": {"mandate_no": "WT202611270001", "agent_name": "清水村代办员",
                     "materials_received": ["申请书", "营业执照", "法定代表人身份证"]},
    "receive": {"materials_checked": True},
    "pre_review": {"complete": True, "opinion": "材料齐全"},
    "correction": {"notice_served": True, "supplemented": True},
    "accept": {"accept": True},
    "review": {"opinion": "符合条件"},
    "decide": {"decision": "granted", "opinion": "准予许可"},
    "issue": {"licence_no": "JY16201000012345", "delivery_method": "pickup"},
    "notify": {"delivery_method": "pickup"},
    "supervise": {"opinion": "请尽快办理"},
    # the 差评 review (workflows/rating_review.bpmn)
    "rating_review_start": {"rating_id": 1, "level": 1, "comment": "", "handling_tier": "village",
                            "review_workdays": 15},
    "rating_verify": {"finding": "属实", "path": "immediate"},
    "rating_rectify": {"note": "已整改"},
    "rating_appeal": {"void": False, "reason": "评价属实"},
    "rating_reply": {"reply": "已整改，致歉"},
}


def sample(form_key: str | None, **overrides) -> dict:
    """A valid submission of the form (a task without a form takes the overrides alone)."""
    base = copy.deepcopy(SAMPLES[canonical_key(form_key)]) if form_key else {}
    base.update(overrides)
    return base


def task_data(ctx, task_id: str, **overrides) -> dict:
    """Valid data for an open task's form, looked up from the task projection."""
    from sqlalchemy import select

    from engine.store import tables as t
    with ctx.uow.read() as conn:
        key = conn.conn.execute(select(t.task.c.form_key).where(t.task.c.id == task_id)).scalar()
    return sample(key, **overrides)


def complete(ctx, task_id: str, actor, **overrides):
    """tasks.complete with valid data for the task's form (plus overrides)."""
    from engine.services import tasks
    return tasks.complete(ctx, task_id, task_data(ctx, task_id, **overrides), actor)


def application(ctx, item_code: str, **overrides) -> dict:
    """A valid application form for an item (by national or local implementation code): the
    item's own application form, else the start-event form of its deployed process."""
    from sqlalchemy import or_, select

    from engine.services import definitions
    from engine.services.definitions import forms
    from engine.store import tables as t
    i = t.item_implementation.c
    with ctx.uow.read() as conn:
        item = conn.conn.execute(select(i.process_key, i.application_form).where(
            or_(i.code == item_code, i.local_code == item_code), i.status == "published")).first()
        definition = definitions.latest(ctx, conn, item.process_key)
        key = forms.application_form_key(ctx, conn, definition.id, item.application_form)
    return sample(key, **overrides)
